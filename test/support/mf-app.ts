import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { App } from 'supertest/types';
import { startMf } from '../../apps/mf/src/bootstrap';
import { UsersService } from '../../apps/mf/src/auth/users.service';
import type { Role } from '../../apps/mf/src/auth/roles';
import { loadMfConfig } from '../../apps/mf/src/config/mf-config';
import type { TempDatabase } from './databases';

/** The users every API test starts with: two of each role that needs a second person. */
export const TEST_USERS = {
  alice: 'operator',
  olga: 'operator',
  sam: 'supervisor',
  sue: 'supervisor',
  audrey: 'auditor',
  adam: 'admin',
} as const satisfies Record<string, Role>;
export type TestUser = keyof typeof TEST_USERS;

export const passwordOf = (name: string) => `${name}-correct-horse-42`;

/** A running MF on a temp database, with the test users logged in. */
export interface TestMf {
  app: INestApplication;
  server: App;
  tokens: Record<TestUser, string>;
  /** supertest request with the bearer token of `user`. */
  as(user: TestUser): {
    get: (url: string) => request.Test;
    post: (url: string) => request.Test;
    patch: (url: string) => request.Test;
    delete: (url: string) => request.Test;
  };
  close(): Promise<void>;
}

/**
 * Starts the MF (REST role only unless `env.MF_ROLES` says otherwise; port 0, silent) on `db`
 * and creates and logs in TEST_USERS. The ingest role needs a PKI (see pipeline.e2e-spec.ts).
 */
export async function startTestMf(
  db: TempDatabase,
  env: Record<string, string> = {},
): Promise<TestMf> {
  const app = await startMf(
    loadMfConfig({
      DATABASE_URL: db.url,
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
      KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      AUTH_LOGIN_RATE_LIMIT: '1000',
      MF_ROLES: 'api',
      ...env,
    }),
  );
  const server = app.getHttpServer() as App;
  const users = app.get(UsersService);
  for (const [name, role] of Object.entries(TEST_USERS)) {
    await users.create({ name, role, password: passwordOf(name) }, 'test:setup');
  }
  const tokens = {} as Record<TestUser, string>;
  for (const name of Object.keys(TEST_USERS) as TestUser[]) {
    const r = await request(server)
      .post('/api/v1/auth/login')
      .send({ name, password: passwordOf(name) })
      .expect(200);
    tokens[name] = (r.body as { accessToken: string }).accessToken;
  }
  const as = (user: TestUser) => {
    const auth = (t: request.Test) => t.set('Authorization', `Bearer ${tokens[user]}`);
    return {
      get: (url: string) => auth(request(server).get(url)),
      post: (url: string) => auth(request(server).post(url)),
      patch: (url: string) => auth(request(server).patch(url)),
      delete: (url: string) => auth(request(server).delete(url)),
    };
  };
  return { app, server, tokens, as, close: () => app.close() };
}

/** A destination body the admin can create. */
export function ftpsDestination(name: string) {
  return {
    name,
    transport: 'ftps',
    host: 'lemf.lea.example',
    port: 990,
    settings: { caFile: '/etc/li/lea-ca.crt', user: 'li-upload', directory: '/incoming' },
    password: 'ftps-secret-Pa55',
  };
}

/** A warrant body valid for an hour from now. */
export function warrantBody(liid: string, destinationId: string, extra: object = {}) {
  const now = Date.now();
  return {
    liid,
    authorityRef: `court order ${liid}`,
    targets: [
      { kind: 'sip', value: `sip:${liid.toLowerCase()}@IMS.example` },
      { kind: 'tel', value: 'tel:+49-89-1234-5678' },
    ],
    validFrom: new Date(now - 60_000).toISOString(),
    validUntil: new Date(now + 3_600_000).toISOString(),
    deliveryMode: 'keys',
    destinations: [destinationId],
    ...extra,
  };
}
