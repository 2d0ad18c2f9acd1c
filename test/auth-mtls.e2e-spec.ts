import { INestApplication } from '@nestjs/common';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsersService } from '../apps/mf/src/auth/users.service';
import { startMf } from '../apps/mf/src/bootstrap';
import { loadMfConfig } from '../apps/mf/src/config/mf-config';
import { CertificateAuthority, DEV_LEAVES, writeDevPki } from '../libs/pki/src';
import { tempSqlite } from './support/databases';
import { passwordOf } from './support/mf-app';

interface Reply {
  status: number;
  body: { name?: string; role?: string; via?: string; message?: string; accessToken?: string };
}

/** One HTTPS request to the MF on 127.0.0.1, optionally with a client certificate or token. */
function call(
  port: number,
  ca: string,
  path: string,
  opts: { cert?: string; key?: string; token?: string; method?: string; body?: object } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = opts.body ? JSON.stringify(opts.body) : undefined;
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        servername: 'localhost',
        ca,
        cert: opts.cert,
        key: opts.key,
        agent: false,
        headers: {
          ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
          ...(body ? { 'Content-Type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('REST API over HTTPS with client certificates', () => {
  const pki = mkdtempSync(join(tmpdir(), 'mf-mtls-'));
  const db = tempSqlite();
  const read = (n: string) => readFileSync(join(pki, n), 'utf8');
  let app: INestApplication;
  let port: number;
  let ca: string;
  let operator: { cert: string; key: string };
  let other: { cert: string; key: string };
  let rogue: { cert: string; key: string };

  const start = (extra: Record<string, string>) =>
    startMf(
      loadMfConfig({
        DATABASE_URL: db.url,
        HTTP_PORT: '0',
        LOG_LEVEL: 'silent',
        MF_ROLES: 'api',
        PKI_DIR: pki,
        KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        HTTP_TLS: 'true',
        ...extra,
      }),
    );

  beforeAll(async () => {
    await writeDevPki(pki);
    ca = read('ca.crt');
    operator = { cert: read('operator.crt'), key: read('operator.key') };
    other = { cert: read('other-client.crt'), key: read('other-client.key') };
    // same CN as the operator certificate, issued by a CA the MF does not trust
    const rogueCa = await CertificateAuthority.create('Rogue CA');
    const forged = await rogueCa.issue(DEV_LEAVES.operator);
    rogue = { cert: forged.certPem, key: forged.keyPem };
    const otherPrint = new X509Certificate(other.cert).fingerprint256;
    app = await start({ HTTP_TLS_CERT_USERS: `cn:operator1=carol, sha256:${otherPrint}=dave` });
    port = (app.getHttpServer().address() as AddressInfo).port;
    const users = app.get(UsersService);
    await users.create({ name: 'carol', role: 'operator', password: null }, 'test:setup');
    await users.create({ name: 'dave', role: 'auditor', password: null }, 'test:setup');
    await users.create(
      { name: 'sam', role: 'supervisor', password: passwordOf('sam') },
      'test:setup',
    );
  }, 30_000);
  afterAll(async () => {
    await app?.close();
    await db.drop();
    rmSync(pki, { recursive: true, force: true });
  });

  it('logs in a mapped client certificate by CN as its user', async () => {
    const r = await call(port, ca, '/api/v1/auth/me', operator);
    expect(r).toEqual({
      status: 200,
      body: { name: 'carol', role: 'operator', via: 'client-certificate' },
    });
    expect((await call(port, ca, '/api/v1/warrants', operator)).status).toBe(200);
    expect((await call(port, ca, '/api/v1/audit', operator)).status).toBe(403);
  });

  it('maps a certificate by its SHA-256 fingerprint', async () => {
    const r = await call(port, ca, '/api/v1/auth/me', other);
    expect(r.body).toMatchObject({ name: 'dave', role: 'auditor', via: 'client-certificate' });
  });

  it('refuses no certificate, and a certificate with the right CN from an untrusted CA', async () => {
    expect((await call(port, ca, '/api/v1/auth/me')).status).toBe(401);
    const forged = await call(port, ca, '/api/v1/auth/me', rogue);
    expect(forged.status).toBe(401);
  });

  it('still accepts password logins over HTTPS; a bearer token wins over the certificate', async () => {
    const login = await call(port, ca, '/api/v1/auth/login', {
      method: 'POST',
      body: { name: 'sam', password: passwordOf('sam') },
    });
    expect(login.status).toBe(200);
    const r = await call(port, ca, '/api/v1/auth/me', {
      ...operator,
      token: login.body.accessToken,
    });
    expect(r.body).toMatchObject({ name: 'sam', via: 'password' });
  });

  it('stops accepting the certificate when its user is disabled', async () => {
    await app.get(UsersService).update('carol', { enabled: false }, 'test:setup');
    const r = await call(port, ca, '/api/v1/auth/me', operator);
    expect(r).toMatchObject({
      status: 401,
      body: { message: 'client certificate is not mapped to an enabled user' },
    });
    await app.get(UsersService).update('carol', { enabled: true }, 'test:setup');
  });

  it('with HTTP_TLS_REQUIRE_CLIENT_CERT refuses the handshake of clients without a certificate', async () => {
    const strict = await start({
      HTTP_TLS_CERT_USERS: 'cn:operator1=carol',
      HTTP_TLS_REQUIRE_CLIENT_CERT: 'true',
    });
    try {
      const p = (strict.getHttpServer().address() as AddressInfo).port;
      await expect(call(p, ca, '/health')).rejects.toThrow();
      expect((await call(p, ca, '/api/v1/auth/me', operator)).body).toMatchObject({
        name: 'carol',
      });
    } finally {
      await strict.close();
    }
  });
});
