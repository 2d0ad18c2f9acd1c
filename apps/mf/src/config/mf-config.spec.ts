import { ConfigError, loadMfConfig } from './mf-config';

describe('loadMfConfig', () => {
  it('gives the embedded-demo defaults for an empty environment', () => {
    const c = loadMfConfig({});
    expect(c.DATABASE_URL).toBe('var/mf.sqlite');
    expect(c.MF_ROLES).toEqual(['ingest', 'api', 'delivery']);
    expect(c.X2_PORT).toBe(6443);
    expect(c.TLS_CERT_FILE).toBe('var/pki/mf.crt');
    expect(c.DB_RUN_MIGRATIONS).toBe(true);
    expect(c.DB_OUTAGE_MAX_MS).toBe(60_000);
  });

  it('coerces numbers and booleans and splits roles', () => {
    const c = loadMfConfig({
      HTTP_PORT: '9000',
      DB_RUN_MIGRATIONS: 'false',
      MF_ROLES: 'api, delivery',
    });
    expect(c.HTTP_PORT).toBe(9000);
    expect(c.DB_RUN_MIGRATIONS).toBe(false);
    expect(c.MF_ROLES).toEqual(['api', 'delivery']);
  });

  it('names every bad variable in one error', () => {
    let err: unknown;
    try {
      loadMfConfig({
        HTTP_PORT: '70000',
        MF_ROLES: 'ingest,cook',
        DATABASE_URL: 'mysql://x',
        DB_OUTAGE_MAX_MS: '0',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as ConfigError).message;
    expect(msg).toMatch(/HTTP_PORT/);
    expect(msg).toMatch(/MF_ROLES/);
    expect(msg).toMatch(/DATABASE_URL: must be a SQLite file path or a postgres:\/\/ URL/);
    expect(msg).toMatch(/DB_OUTAGE_MAX_MS/);
  });

  it('bounds the X2 handshake phase: defaults, and no more per address than in all', () => {
    const c = loadMfConfig({});
    expect([
      c.X2_HANDSHAKE_TIMEOUT_MS,
      c.X2_MAX_HANDSHAKES,
      c.X2_MAX_HANDSHAKES_PER_ADDRESS,
    ]).toEqual([10_000, 64, 8]);
    expect([c.X2_PDU_TIMEOUT_MS, c.X2_REFUSAL_AUDIT_INTERVAL_MS]).toEqual([30_000, 60_000]);
    expect(() =>
      loadMfConfig({ X2_MAX_HANDSHAKES: '4', X2_MAX_HANDSHAKES_PER_ADDRESS: '5' }),
    ).toThrow(/X2_MAX_HANDSHAKES_PER_ADDRESS: must not exceed X2_MAX_HANDSHAKES/);
    expect(() => loadMfConfig({ X2_PDU_TIMEOUT_MS: '0' })).toThrow(/X2_PDU_TIMEOUT_MS/);
  });

  it('rejects a key-encryption key that is not 32 octets', () => {
    expect(() => loadMfConfig({ KEY_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') })).toThrow(
      /KEY_ENCRYPTION_KEY: must be 32 octets/,
    );
  });
});

describe('loadMfConfig: API authentication keys', () => {
  it('has demo defaults: plain HTTP, no certificate users, 15-minute tokens', () => {
    const c = loadMfConfig({});
    expect(c.HTTP_TLS).toBe(false);
    expect(c.HTTP_TLS_CERT_USERS).toEqual([]);
    expect(c.AUTH_TOKEN_TTL_SECONDS).toBe(900);
    expect(c.AUTH_LOGIN_RATE_LIMIT).toBe(10);
    expect(c.AUTH_JWT_SECRET).toBeUndefined();
  });

  it('parses the certificate → user map and names malformed items', () => {
    const print = 'AB:'.repeat(31) + 'AB';
    const c = loadMfConfig({ HTTP_TLS_CERT_USERS: ` cn:operator1=carol , sha256:${print}=dave` });
    expect(c.HTTP_TLS_CERT_USERS).toEqual([
      { kind: 'cn', cn: 'operator1', user: 'carol' },
      { kind: 'sha256', fingerprint: 'ab'.repeat(32), user: 'dave' },
    ]);
    expect(() => loadMfConfig({ HTTP_TLS_CERT_USERS: 'operator1=carol' })).toThrow(
      /HTTP_TLS_CERT_USERS: "operator1=carol" is not cn:<CN>=<user>/,
    );
  });

  it('refuses a token secret shorter than 32 characters', () => {
    expect(() => loadMfConfig({ AUTH_JWT_SECRET: 'short' })).toThrow(/AUTH_JWT_SECRET/);
  });
});
