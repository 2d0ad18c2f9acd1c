import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, loadMfConfig } from '../config/mf-config';
import { createDataSource, isPostgresUrl } from './data-source';

/**
 * `npm run migrate [-- up|down|show]`: runs pending migrations (default), undoes the last one,
 * or lists them, against DATABASE_URL. Use this when several MF instances share PostgreSQL.
 */
async function main(command: string): Promise<void> {
  const config = loadMfConfig(process.env);
  if (!isPostgresUrl(config.DATABASE_URL))
    mkdirSync(dirname(config.DATABASE_URL), { recursive: true });
  const ds = createDataSource({
    url: config.DATABASE_URL,
    busyTimeoutMs: config.DB_BUSY_TIMEOUT_MS,
  });
  await ds.initialize();
  try {
    if (command === 'up') {
      const ran = await ds.runMigrations({ transaction: 'each' });
      process.stdout.write(
        ran.length ? ran.map((m) => `applied ${m.name}\n`).join('') : 'schema is up to date\n',
      );
    } else if (command === 'down') {
      await ds.undoLastMigration({ transaction: 'each' });
      process.stdout.write('undid the last migration\n');
    } else if (command === 'show') {
      process.stdout.write(
        (await ds.showMigrations()) ? 'migrations pending\n' : 'schema is up to date\n',
      );
    } else {
      throw new ConfigError([`unknown command "${command}" (use up, down or show)`]);
    }
  } finally {
    await ds.destroy();
  }
}

main(process.argv[2] ?? 'up').catch((e: unknown) => {
  process.stderr.write(`migrate: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
