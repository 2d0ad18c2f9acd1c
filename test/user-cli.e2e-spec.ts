import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import request from 'supertest';
import { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import { startMf } from '../apps/mf/src/bootstrap';
import { loadMfConfig } from '../apps/mf/src/config/mf-config';
import { tempSqlite } from './support/databases';
import { TS_NODE } from './support/mf-process';

describe('npm run user (nest-commander CLI)', () => {
  const db = tempSqlite();
  afterAll(() => db.drop());

  const user = (args: string[], input = '') =>
    spawnSync(process.execPath, [...TS_NODE, 'apps/mf/src/cli/main.ts', 'user', ...args], {
      env: { ...process.env, DATABASE_URL: db.url },
      input,
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('creates the first admin on a fresh database, who can then log in; refusals exit non-zero', async () => {
    const add = user(
      ['add', '--name', 'root', '--role', 'admin', '--password-stdin'],
      'root-password-123\n',
    );
    expect([add.status, add.stdout]).toEqual([0, 'created admin root\n']);

    const again = user(
      ['add', '--name', 'root', '--role', 'admin', '--password-stdin'],
      'root-password-123\n',
    );
    expect([again.status, again.stderr]).toEqual([1, 'user: user "root" already exists\n']);
    const weak = user(
      ['add', '--name', 'bob', '--role', 'operator', '--password-stdin'],
      'short\n',
    );
    expect([weak.status, weak.stderr]).toEqual([
      2,
      'user: password must have at least 12 characters\n',
    ]);

    const app = await startMf(
      loadMfConfig({
        DATABASE_URL: db.url,
        HTTP_PORT: '0',
        LOG_LEVEL: 'silent',
        MF_ROLES: 'api',
        KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      }),
    );
    try {
      const server = app.getHttpServer() as App;
      const r = await request(server)
        .post('/api/v1/auth/login')
        .send({ name: 'root', password: 'root-password-123' })
        .expect(200);
      expect(r.body.role).toBe('admin');
      const rows = await app
        .get(DataSource)
        .query(`SELECT actor, object, details FROM audit_log WHERE action = 'user.create'`);
      expect(rows).toEqual([
        {
          actor: `cli:${userInfo().username}`,
          object: 'user/root',
          details: '{"role":"admin","password":"set"}',
        },
      ]);
    } finally {
      await app.close();
    }
  }, 60_000);

  it('lists users and is wired as the npm script', () => {
    const r = spawnSync('npm', ['run', '--silent', 'user', '--', 'list'], {
      env: { ...process.env, DATABASE_URL: db.url },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect([r.status, r.stdout]).toEqual([0, 'root\tadmin\tenabled\tpassword\n']);
    const bad = user(['frob']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/user: unknown command "frob"/);
  }, 60_000);
});
