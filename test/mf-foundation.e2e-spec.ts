import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startMf } from '../apps/mf/src/bootstrap';
import { loadMfConfig } from '../apps/mf/src/config/mf-config';

describe('MF foundation (HTTP side on SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mf-e2e-'));
  let app: INestApplication;

  beforeAll(async () => {
    app = await startMf(
      loadMfConfig({
        DATABASE_URL: join(dir, 'mf.sqlite'),
        HTTP_PORT: '0',
        LOG_LEVEL: 'silent',
        MF_ROLES: 'api',
        KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      }),
    );
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports health including the database', async () => {
    const r = await request(app.getHttpServer()).get('/health').expect(200);
    expect(r.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('exposes Prometheus metrics', async () => {
    const r = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(r.text).toMatch(/^# HELP process_cpu_user_seconds_total/m);
  });

  it('serves the OpenAPI document', async () => {
    const r = await request(app.getHttpServer()).get('/docs-json').expect(200);
    expect(r.body.info.title).toBe('LI mediation function');
    expect(Object.keys(r.body.paths)).toContain('/health');
  });

  it('applied the migrations at start-up', async () => {
    const { DataSource } = await import('typeorm');
    const ds = app.get(DataSource);
    expect(await ds.showMigrations()).toBe(false);
  });
});

/** Runs the MF's main.ts with extra environment variables; returns its exit code and stderr. */
function runMain(env: Record<string, string>) {
  return spawnSync(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      'apps/mf/src/main.ts',
    ],
    { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 },
  );
}

describe('MF start-up with bad configuration', () => {
  it('exits 2 with a clear message naming the variable and no stack trace', () => {
    const r = runMain({ HTTP_PORT: 'eighty' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/mf: invalid configuration:\n {2}- HTTP_PORT: Expected number/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 when the at-rest key file is missing', () => {
    const r = runMain({ PKI_DIR: '/nonexistent' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/KEY_ENCRYPTION_KEY_FILE: cannot read \/nonexistent\/at-rest.key/);
  });

  it('exits 2 naming the certificate variable when the ingest role has no PKI', () => {
    const r = runMain({
      PKI_DIR: '/nonexistent',
      KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      MF_ROLES: 'ingest',
      DATABASE_URL: ':memory:',
    });
    expect(r.stderr).toMatch(/TLS_CA_FILE: cannot read \/nonexistent\/ca.crt/);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
