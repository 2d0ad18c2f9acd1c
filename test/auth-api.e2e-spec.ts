import { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import { TokenService } from '../apps/mf/src/auth/token.service';
import { UsersService } from '../apps/mf/src/auth/users.service';
import { startMf } from '../apps/mf/src/bootstrap';
import { loadMfConfig } from '../apps/mf/src/config/mf-config';
import { ENGINES, notePgSkipped, TempDatabase, tempSqlite } from './support/databases';
import { passwordOf, startTestMf, TestMf } from './support/mf-app';

describe.each(ENGINES)('authentication and users API on $name', ({ make }) => {
  let db: TempDatabase;
  let mf: TestMf;

  beforeAll(async () => {
    db = await make();
    mf = await startTestMf(db, { AUTH_TOKEN_TTL_SECONDS: '600' });
  }, 30_000);
  afterAll(async () => {
    await mf?.close();
    await db?.drop();
  });

  const login = (name: string, password: string) =>
    request(mf.server).post('/api/v1/auth/login').send({ name, password });
  const auditRows = async (
    action: string,
  ): Promise<Array<{ actor: string; outcome: string; object: string; details: string }>> =>
    mf.app
      .get(DataSource)
      .query(
        `SELECT actor, outcome, object, details FROM audit_log WHERE action = '${action}' ORDER BY seq`,
      );

  it('issues a short-lived HS256 bearer token bound to issuer and audience', async () => {
    const r = await login('alice', passwordOf('alice')).expect(200);
    expect(r.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 600, role: 'operator' });
    const [header, payload] = (r.body.accessToken as string)
      .split('.')
      .slice(0, 2)
      .map(
        (p) =>
          JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, number | string>,
      );
    expect(header).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({
      name: 'alice',
      role: 'operator',
      iss: 'li-mf',
      aud: 'li-mf-api',
    });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(600);
    const me = await request(mf.server)
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${r.body.accessToken}`)
      .expect(200);
    expect(me.body).toEqual({ name: 'alice', role: 'operator', via: 'password' });
  });

  it('refuses wrong passwords and unknown users alike, and audits both', async () => {
    const wrong = await login('alice', 'not-her-password').expect(401);
    const unknown = await login('nobody', 'whatever-password').expect(401);
    expect(wrong.body.message).toBe('invalid name or password');
    expect(unknown.body.message).toBe(wrong.body.message);
    const denied = (await auditRows('auth.login')).filter((e) => e.outcome === 'denied');
    expect(denied.map((e) => e.object)).toEqual(
      expect.arrayContaining(['user/alice', 'user/nobody']),
    );
    expect(denied.map((e) => e.details).join('')).not.toMatch(/not-her-password|whatever-password/);
    await request(mf.server).post('/api/v1/auth/login').send({ name: 'alice' }).expect(400);
    await request(mf.server)
      .post('/api/v1/auth/login')
      .send({ name: 'alice', password: 'x', otp: 1 })
      .expect(400);
  });

  it('refuses expired, foreign-key, wrong-audience and unsigned tokens', async () => {
    const secret = mf.app.get(TokenService).secret;
    const claims = { sub: 'x', name: 'alice', role: 'operator' };
    const user = await mf.app.get(UsersService).findEnabledByName('alice');
    claims.sub = user!.id;
    const sign = (s: Buffer, opts: object) => new JwtService({ secret: s }).sign(claims, opts);
    const bad = [
      sign(secret, { expiresIn: -10, issuer: 'li-mf', audience: 'li-mf-api' }),
      sign(randomBytes(32), { expiresIn: 60, issuer: 'li-mf', audience: 'li-mf-api' }),
      sign(secret, { expiresIn: 60, issuer: 'li-mf', audience: 'other-api' }),
      sign(secret, { expiresIn: 60, issuer: 'someone', audience: 'li-mf-api' }),
      `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`,
    ];
    for (const token of bad) {
      await request(mf.server)
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${token}`)
        .expect(401);
    }
    const good = sign(secret, { expiresIn: 60, issuer: 'li-mf', audience: 'li-mf-api' });
    await request(mf.server)
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${good}`)
      .expect(200);
    await request(mf.server)
      .get('/api/v1/auth/me')
      .set('Authorization', `Basic ${good}`)
      .expect(401);
  });

  it('lets admins manage users; the password hash never leaves', async () => {
    const created = await mf
      .as('adam')
      .post('/api/v1/users')
      .send({ name: 'carl', role: 'auditor', password: 'carl-secret-pass' })
      .expect(201);
    expect(created.body).toMatchObject({
      name: 'carl',
      role: 'auditor',
      enabled: true,
      hasPassword: true,
    });
    await mf
      .as('adam')
      .post('/api/v1/users')
      .send({ name: 'carl', role: 'auditor', password: 'carl-secret-pass' })
      .expect(409);
    const bad = await mf
      .as('adam')
      .post('/api/v1/users')
      .send({ name: 'bad name', role: 'root', password: 'short' })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'name',
      'password',
      'role',
    ]);
    const list = await mf.as('adam').get('/api/v1/users').expect(200);
    expect(list.body.map((u: { name: string }) => u.name)).toEqual(
      expect.arrayContaining(['adam', 'alice', 'carl']),
    );
    expect(JSON.stringify(list.body)).not.toMatch(/scrypt|passwordHash|carl-secret/);
    expect((await mf.as('adam').get('/api/v1/users/carl').expect(200)).body.role).toBe('auditor');
    await mf.as('adam').get('/api/v1/users/nobody').expect(404);

    await login('carl', 'carl-secret-pass').expect(200);
    await mf
      .as('adam')
      .patch('/api/v1/users/carl')
      .send({ password: 'carl-new-password' })
      .expect(200);
    await login('carl', 'carl-secret-pass').expect(401);
    await login('carl', 'carl-new-password').expect(200);
    const certOnly = await mf
      .as('adam')
      .patch('/api/v1/users/carl')
      .send({ password: null })
      .expect(200);
    expect(certOnly.body.hasPassword).toBe(false);
    await login('carl', 'carl-new-password').expect(401);
    await mf.as('adam').patch('/api/v1/users/carl').send({ role: null }).expect(400);
    const changes = await auditRows('user.update');
    expect(changes.map((e) => (JSON.parse(e.details) as { password: string }).password)).toEqual([
      'changed',
      'removed',
    ]);
    expect(changes.map((e) => e.details).join('')).not.toMatch(/carl-new-password|scrypt/);
  });

  it('applies a disabled account or a changed role to tokens already issued', async () => {
    await mf.as('olga').get('/api/v1/warrants').expect(200);
    await mf.as('adam').patch('/api/v1/users/olga').send({ enabled: false }).expect(200);
    await mf.as('olga').get('/api/v1/warrants').expect(401);
    await login('olga', passwordOf('olga')).expect(401);
    await mf
      .as('adam')
      .patch('/api/v1/users/olga')
      .send({ enabled: true, role: 'auditor' })
      .expect(200);
    await mf.as('olga').get('/api/v1/audit').expect(200);
    await mf.as('olga').post('/api/v1/warrants').send({}).expect(403);
    await mf.as('adam').patch('/api/v1/users/olga').send({ role: 'operator' }).expect(200);
  });
});
notePgSkipped();

describe('login rate limit', () => {
  const db = tempSqlite();
  let app: INestApplication;

  beforeAll(async () => {
    app = await startMf(
      loadMfConfig({
        DATABASE_URL: db.url,
        HTTP_PORT: '0',
        LOG_LEVEL: 'silent',
        MF_ROLES: 'api',
        KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        AUTH_LOGIN_RATE_LIMIT: '4',
        AUTH_LOGIN_RATE_WINDOW_MS: '60000',
      }),
    );
    await app
      .get(UsersService)
      .create({ name: 'rita', role: 'operator', password: passwordOf('rita') }, 'test:setup');
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('answers 429 after AUTH_LOGIN_RATE_LIMIT attempts, even with the right password, and audits it', async () => {
    const server = app.getHttpServer() as App;
    const attempt = (password: string) =>
      request(server).post('/api/v1/auth/login').send({ name: 'rita', password });
    for (let i = 0; i < 3; i++) await attempt('guess-number-' + i).expect(401);
    await attempt(passwordOf('rita')).expect(200);
    const limited = await attempt(passwordOf('rita')).expect(429);
    expect(limited.body).toMatchObject({ statusCode: 429 });
    // other routes are not limited
    await request(server).get('/health').expect(200);
    const rows = await app
      .get(DataSource)
      .query(`SELECT actor, outcome FROM audit_log WHERE action = 'api.rate-limited'`);
    expect(rows).toEqual([{ actor: 'anonymous', outcome: 'denied' }]);
  });
});
