import 'reflect-metadata';
import { HttpException } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CommandFactory } from 'nest-commander';
import { ConfigError, loadMfConfig, MfConfig } from '../config/mf-config';
import { isPostgresUrl } from '../persistence/data-source';
import { CliModule } from './cli.module';
import { UsageError } from './user.command';

/**
 * `npm run user -- …` (nest-commander). Uses DATABASE_URL like the MF and, with
 * DB_RUN_MIGRATIONS (default), migrates a fresh database, so it can create the first admin.
 * Exit codes: 0 done; 1 refused or failed (e.g. the user exists; commander's own messages such
 * as an unknown option); 2 bad name, role, password, command or configuration.
 */
async function main(): Promise<void> {
  let config: MfConfig;
  try {
    config = loadMfConfig(process.env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`user: ${e.message}\n`);
    process.exit(2);
  }
  if (!isPostgresUrl(config.DATABASE_URL)) {
    mkdirSync(dirname(config.DATABASE_URL), { recursive: true });
  }
  const fail = (e: unknown) => {
    const code = e instanceof UsageError ? 2 : 1;
    const msg = e instanceof HttpException || e instanceof Error ? e.message : String(e);
    process.stderr.write(`user: ${msg}\n`);
    process.exitCode = code;
  };
  await CommandFactory.run(CliModule.register(config), {
    logger: ['error'],
    serviceErrorHandler: fail,
    errorHandler: (e) => {
      // the root command's own exits (--help, bad usage) arrive here with commander's code
      process.exit((e as { exitCode?: number }).exitCode === 0 ? 0 : 2);
    },
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`user: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
