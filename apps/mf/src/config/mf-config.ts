import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * MF configuration, read from the environment and validated once at start-up.
 * Every port, path, certificate file and limit is here; the defaults serve the embedded
 * lab (`npm run lab`): SQLite under `var/`, dev PKI under `var/pki`, loopback addresses.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const roles = ['ingest', 'api', 'delivery'] as const;

/** A JSON text validated by `schema`. */
function jsonOf<T extends z.ZodTypeAny>(schema: T) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** Maps a REST client certificate to an MF user (HTTP_TLS_CERT_USERS). */
export type CertUserMapping =
  { kind: 'cn'; cn: string; user: string } | { kind: 'sha256'; fingerprint: string; user: string };

/** User names: letters, digits, `.`, `_`, `-`; 1..64, starting with a letter or digit. */
export const USER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Parses one `cn:<CN>=<user>` or `sha256:<hex>=<user>` item; null when malformed. */
export function parseCertUserMapping(item: string): CertUserMapping | null {
  const eq = item.lastIndexOf('=');
  if (eq < 0) return null;
  const selector = item.slice(0, eq).trim();
  const user = item.slice(eq + 1).trim();
  if (!USER_NAME_PATTERN.test(user)) return null;
  if (/^cn:/i.test(selector) && selector.length > 3) {
    return { kind: 'cn', cn: selector.slice(3), user };
  }
  if (/^sha256:/i.test(selector)) {
    const hex = selector.slice(7).replace(/:/g, '').toLowerCase();
    if (/^[0-9a-f]{64}$/.test(hex)) return { kind: 'sha256', fingerprint: hex, user };
  }
  return null;
}

export const mfConfigSchema = z
  .object({
    MF_ROLES: z
      .string()
      .default(roles.join(','))
      .transform((s) =>
        s
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.enum(roles)).nonempty()),
    OPERATOR_ID: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,32}$/, 'letters, digits and "-" only, 1..32')
      .default('OP1'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),

    DATABASE_URL: z
      .string()
      .default('var/mf.sqlite')
      .refine((u) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(u) || /^postgres(ql)?:\/\//.test(u), {
        message: 'must be a SQLite file path or a postgres:// URL',
      }),
    DB_RUN_MIGRATIONS: bool.default('true'),
    DB_BUSY_TIMEOUT_MS: positiveInt.default(5000),
    DB_POOL_SIZE: positiveInt.default(10),
    /**
     * How long a write keeps being retried while the database is unavailable (connection
     * refused or lost, SQLite busy/locked/I/O error) before it fails: X2 batches stay
     * unacknowledged meanwhile (persistence/db-outage.ts).
     */
    DB_OUTAGE_MAX_MS: positiveInt.default(60_000),

    HTTP_HOST: z.string().default('127.0.0.1'),
    HTTP_PORT: port.default(8080),
    /** Serve the REST API over HTTPS with the MF certificate; clients may present certificates. */
    HTTP_TLS: bool.default('false'),
    /** With HTTP_TLS: refuse the TLS handshake of clients without a certificate from TLS_CA_FILE. */
    HTTP_TLS_REQUIRE_CLIENT_CERT: bool.default('false'),
    /**
     * Client certificates accepted as a login, `<selector>=<user>` separated by commas, where
     * the selector is `cn:<subject CN>` or `sha256:<certificate fingerprint, hex>`.
     */
    HTTP_TLS_CERT_USERS: z
      .string()
      .default('')
      .transform((s, ctx) => {
        const out: CertUserMapping[] = [];
        for (const item of s
          .split(',')
          .map((i) => i.trim())
          .filter(Boolean)) {
          const m = parseCertUserMapping(item);
          if (m) out.push(m);
          else
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              message: `"${item}" is not cn:<CN>=<user> or sha256:<hex>=<user>`,
            });
        }
        return out;
      }),

    /** HS256 secret for API bearer tokens (at least 32 characters); see AUTH_JWT_SECRET_FILE. */
    AUTH_JWT_SECRET: z.string().min(32).optional(),
    /** File holding the token secret; when neither is set each start uses a random secret. */
    AUTH_JWT_SECRET_FILE: z.string().optional(),
    AUTH_TOKEN_TTL_SECONDS: positiveInt.default(900),
    /** Login attempts allowed per client address within AUTH_LOGIN_RATE_WINDOW_MS. */
    AUTH_LOGIN_RATE_LIMIT: positiveInt.default(10),
    AUTH_LOGIN_RATE_WINDOW_MS: positiveInt.default(60_000),

    /** How often warrants past their end are ended (audited, actor system:warrant-expiry). */
    WARRANT_EXPIRY_INTERVAL_MS: positiveInt.default(10_000),
    /** How often the in-memory XID → task table is reloaded (changes made by other instances). */
    TASK_REGISTRY_REFRESH_MS: positiveInt.default(5_000),

    PKI_DIR: z.string().default('var/pki'),
    TLS_CA_FILE: z.string().optional(),
    TLS_CERT_FILE: z.string().optional(),
    TLS_KEY_FILE: z.string().optional(),

    X2_HOST: z.string().default('127.0.0.1'),
    X2_PORT: port.default(6443),
    X2_MAX_HEADER_BYTES: positiveInt.default(64 * 1024),
    X2_MAX_PAYLOAD_BYTES: positiveInt.default(1024 * 1024),
    X2_MAX_PDUS_PER_SECOND: positiveInt.default(50_000),
    X2_IDLE_TIMEOUT_MS: positiveInt.default(120_000),
    /** Authenticated NE connections (connections in their TLS handshake are not counted). */
    X2_MAX_CONNECTIONS: positiveInt.default(256),
    /** A started PDU must be complete this long after its first octet (slow-loris bound). */
    X2_PDU_TIMEOUT_MS: positiveInt.default(30_000),
    /** A TLS handshake must be complete this long after the TCP connection was accepted. */
    X2_HANDSHAKE_TIMEOUT_MS: positiveInt.default(10_000),
    /** TCP connections in their TLS handshake, in all and per remote address (X2Listener). */
    X2_MAX_HANDSHAKES: positiveInt.default(64),
    X2_MAX_HANDSHAKES_PER_ADDRESS: positiveInt.default(8),
    /** Refused X2 connections after the first are audited as one summary entry per interval. */
    X2_REFUSAL_AUDIT_INTERVAL_MS: positiveInt.default(60_000),
    /** Per connection: received X2 PDUs not yet committed at which reading pauses (backpressure). */
    X2_MAX_IN_FLIGHT_PDUS: positiveInt.default(1000),

    /** HI2 delivery (ARCHITECTURE.md §3.8, §4): outbox drain, FTPS files, TLS stream. */
    HI2_POLL_INTERVAL_MS: positiveInt.default(250),
    HI2_WAKE_POLL_MS: positiveInt.default(5),
    HI2_BATCH_SIZE: positiveInt.default(500),
    HI2_FTPS_FILE_MAX_RECORDS: positiveInt.default(1000),
    HI2_FTPS_FILE_MAX_WAIT_MS: nonNegativeInt.default(1000),
    HI2_TLS_WINDOW: positiveInt.default(1000),
    HI2_TLS_KEEPALIVE_IDLE_MS: positiveInt.default(120_000),
    HI2_TLS_KEEPALIVE_TIMEOUT_MS: positiveInt.default(60_000),
    HI2_TLS_KEEPALIVE_LIID: z.string().min(1).max(25).default('KEEPALIVE'),
    HI2_CONNECT_TIMEOUT_MS: positiveInt.default(10_000),
    HI2_RETRY_BASE_MS: positiveInt.default(500),
    HI2_RETRY_MAX_MS: positiveInt.default(30_000),
    HI2_MAX_ATTEMPTS: positiveInt.default(5),
    HI2_BACKLOG_ALARM_THRESHOLD: positiveInt.default(10_000),
    HI2_LEASE_TTL_MS: positiveInt.default(15_000),
    HI2_RETENTION_DAYS: positiveInt.default(30),
    HI2_PURGE_INTERVAL_MS: positiveInt.default(3_600_000),
    HI2_NETWORK_ELEMENT_ID: z.string().min(1).max(16).optional(),
    HI2_COUNTRY_CODE: z
      .string()
      .regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2, e.g. DE')
      .optional(),

    X2_ALLOWED_NE: z
      .string()
      .default('')
      .transform((s) =>
        s
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean),
      ),
    PIPELINE_BATCH_MAX_EVENTS: positiveInt.default(500),
    PIPELINE_BATCH_MAX_DELAY_MS: z.coerce.number().int().min(0).default(2),
    SESSION_TIMEOUT_MS: positiveInt.default(4 * 3600_000),
    SESSION_SWEEP_INTERVAL_MS: positiveInt.default(60_000),
    /** X3 media held until its session or keys are known (issue 9): age and octet limits. */
    X3_PENDING_MAX_MS: positiveInt.default(10_000),
    X3_PENDING_MAX_BYTES: positiveInt.default(8 * 1024 * 1024),

    /** Xk routing: KMS identity → base URLs (primary first), JSON (ARCHITECTURE.md §5). */
    XK_KMS_ROUTES: jsonOf(z.record(z.array(z.string().url()).nonempty())).default('{}'),
    /** Target domain → KMS identity, JSON. */
    XK_DEFAULT_KMS_BY_DOMAIN: jsonOf(z.record(z.string().min(1))).default('{}'),
    XK_DEADLINE_MS: positiveInt.default(30_000),
    XK_REQUEST_TIMEOUT_MS: positiveInt.default(5_000),
    XK_RETRY_BASE_MS: positiveInt.default(200),
    XK_RETRY_MAX_MS: positiveInt.default(5_000),
    XK_CERT_FILE: z.string().optional(),
    XK_KEY_FILE: z.string().optional(),

    /** AES-256-GCM key (base64, 32 octets) for key material at rest (ARCHITECTURE.md §7). */
    KEY_ENCRYPTION_KEY_FILE: z.string().optional(),
    KEY_ENCRYPTION_KEY: z
      .string()
      .optional()
      .refine((k) => k === undefined || Buffer.from(k, 'base64').length === 32, {
        message: 'must be 32 octets, base64-encoded',
      }),
  })
  .refine((c) => c.X2_MAX_HANDSHAKES_PER_ADDRESS <= c.X2_MAX_HANDSHAKES, {
    message: 'must not exceed X2_MAX_HANDSHAKES',
    path: ['X2_MAX_HANDSHAKES_PER_ADDRESS'],
  })
  .transform((c) => ({
    ...c,
    TLS_CA_FILE: c.TLS_CA_FILE ?? `${c.PKI_DIR}/ca.crt`,
    TLS_CERT_FILE: c.TLS_CERT_FILE ?? `${c.PKI_DIR}/mf.crt`,
    TLS_KEY_FILE: c.TLS_KEY_FILE ?? `${c.PKI_DIR}/mf.key`,
    KEY_ENCRYPTION_KEY_FILE: c.KEY_ENCRYPTION_KEY_FILE ?? `${c.PKI_DIR}/at-rest.key`,
    XK_CERT_FILE: c.XK_CERT_FILE ?? c.TLS_CERT_FILE ?? `${c.PKI_DIR}/mf.crt`,
    XK_KEY_FILE: c.XK_KEY_FILE ?? c.TLS_KEY_FILE ?? `${c.PKI_DIR}/mf.key`,
  }));

export type MfConfig = z.infer<typeof mfConfigSchema>;

/** Thrown for invalid configuration; its message lists every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads a file a configuration variable names, or throws ConfigError naming the variable. */
export function readConfigFile(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new ConfigError([`${variable}: cannot read ${path}`]);
  }
}

/** Parses the environment into a typed MfConfig, or throws ConfigError. */
export function loadMfConfig(env: NodeJS.ProcessEnv): MfConfig {
  const parsed = mfConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return parsed.data;
}
