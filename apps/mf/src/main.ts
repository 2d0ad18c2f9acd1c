import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { startMf } from './bootstrap';
import { ConfigError, loadMfConfig } from './config/mf-config';
import { isPostgresUrl } from './persistence/data-source';
import { resolveJwtSecret } from './auth/token.service';
import { httpsOptions } from './http/https-options';
import { atRestKey } from './security/security.module';
import { xkClientTls } from './interception/interception.module';

async function main(): Promise<void> {
  let config;
  try {
    config = loadMfConfig(process.env);
    atRestKey(config);
    resolveJwtSecret(config);
    httpsOptions(config);
    if (config.MF_ROLES.includes('ingest')) xkClientTls(config);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`mf: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  if (!isPostgresUrl(config.DATABASE_URL))
    mkdirSync(dirname(config.DATABASE_URL), { recursive: true });
  const app = await startMf(config);
  const bound = (app.getHttpServer() as Server).address() as AddressInfo;
  process.stdout.write(
    `mf: listening on ${config.HTTP_TLS ? 'https' : 'http'}://${config.HTTP_HOST}:${bound.port} (health: /health)\n`,
  );
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) {
    process.stderr.write(`mf: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`mf: start-up failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
