import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { LI_ROLE_URI } from '@app/pki';

/**
 * Configuration of one KMS simulator instance (ARCHITECTURE.md §6). Users hold pre-shared
 * keys that stand in for the GBA Ks_NAF (TS 33.328 §4.2.4 NOTE: any system giving a shared
 * key and an identity for it will do). Binary values are base64.
 */
const base64Key = (min: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')
    .refine((s) => Buffer.from(s, 'base64').length >= min, `must decode to at least ${min} octets`);

const userSchema = z
  .object({
    /** Public identity as in IDRi / IDRr, e.g. `sip:alice@ims.example`. */
    identity: z.string().min(1).max(256),
    /** Pre-shared key with the KMS (GBA Ks_NAF stand-in), ≥ 16 octets. */
    psk: base64Key(16),
    /** Optional PSK identifier as sent in IDRpsk (e.g. a B-TID). */
    pskId: z.string().min(1).max(256).optional(),
  })
  .strict();

const peerSchema = z
  .object({
    /** The peer KMS identity (its IDRkms value and the CN of its TLS certificate). */
    identity: z.string().min(1).max(256),
    /**
     * Base URL of the peer's Zk listener, e.g. `https://127.0.0.1:7443`. Without it the peer
     * may resolve here but this KMS never calls it.
     */
    url: z.string().url().optional(),
    /** Key shared by the two KMSs for the MIKEY V MAC of Zk resolve messages. */
    psk: base64Key(16),
    /** Expected CN of the peer's TLS client/server certificate; default `identity`. */
    tlsName: z.string().min(1).max(256).optional(),
  })
  .strict();

const tlsFilesSchema = z.object({ ca: z.string(), cert: z.string(), key: z.string() }).strict();

export const kmsSimConfigSchema = z
  .object({
    /** This KMS's identity (IDRkms), e.g. `kms.ims.example`. */
    identity: z.string().min(1).max(256),
    host: z.string().default('127.0.0.1'),
    ports: z
      .object({
        ua: z.number().int().min(0).max(65535).default(0),
        xk: z.number().int().min(0).max(65535).default(0),
        zk: z.number().int().min(0).max(65535).default(0),
      })
      .strict()
      .default({}),
    /** PEM file paths (dev PKI: ca.crt, kms.crt, kms.key); relative to the config file. */
    tls: tlsFilesSchema,
    users: z.array(userSchema).max(10_000),
    /** AES-256-GCM key sealing the Ticket Data; random per start when absent. */
    ticketKey: base64Key(32).optional(),
    peers: z.array(peerSchema).max(64).default([]),
    /** URI SAN an Xk client certificate must carry (ARCHITECTURE.md §5). */
    liRoleUri: z.string().default(LI_ROLE_URI),
    limits: z
      .object({
        maxUaBodyBytes: z
          .number()
          .int()
          .min(256)
          .default(16 * 1024),
        maxXkBodyBytes: z
          .number()
          .int()
          .min(1024)
          .default(64 * 1024),
        /** Token bucket per client (certificate fingerprint, else remote address). */
        ratePerSecond: z.number().positive().default(50),
        burst: z.number().int().min(1).default(100),
        /** Accepted clock skew of the MIKEY T payload (RFC 3830 §5.4 timestamp window). */
        clockSkewMs: z.number().int().min(1000).default(60_000),
        replayCacheSize: z.number().int().min(16).default(100_000),
        ticketLifetimeMs: z.number().int().min(1000).default(3_600_000),
        /** How long Xk answers 202 while waiting for the responder's resolve. */
        pendingWindowMs: z.number().int().min(0).default(15_000),
        retryAfterMs: z.number().int().min(0).max(600_000).default(500),
        /** A terminal resolve matches a session observed within this distance in time. */
        sessionMatchWindowMs: z.number().int().min(1000).default(300_000),
        maxResolveRecords: z.number().int().min(16).default(100_000),
        requestTimeoutMs: z.number().int().min(1000).default(15_000),
        peerTimeoutMs: z.number().int().min(100).default(5_000),
      })
      .strict()
      .default({}),
  })
  .strict();

export type KmsSimConfigInput = z.input<typeof kmsSimConfigSchema>;
export type KmsSimConfig = z.output<typeof kmsSimConfigSchema>;

/** Thrown for an invalid configuration; names fields, never echoes keys. */
export class KmsSimConfigError extends Error {
  override readonly name = 'KmsSimConfigError';
}

/** Validates a configuration object; relative TLS paths resolve against `baseDir`. */
export function parseKmsSimConfig(input: unknown, baseDir = process.cwd()): KmsSimConfig {
  const r = kmsSimConfigSchema.safeParse(input);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new KmsSimConfigError(`invalid kms-sim config: ${problems.join('; ')}`);
  }
  const c = r.data;
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const identities = new Set<string>();
  for (const u of c.users) {
    const id = u.identity.toLowerCase();
    if (identities.has(id)) throw new KmsSimConfigError(`duplicate user ${u.identity}`);
    identities.add(id);
  }
  return { ...c, tls: { ca: abs(c.tls.ca), cert: abs(c.tls.cert), key: abs(c.tls.key) } };
}

/** Reads and validates a JSON configuration file. */
export function loadKmsSimConfig(path: string): KmsSimConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new KmsSimConfigError(
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message may quote file content (keys): keep it out.
    throw new KmsSimConfigError(`${path} is not valid JSON`);
  }
  return parseKmsSimConfig(json, dirname(resolve(path)));
}
