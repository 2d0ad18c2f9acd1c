import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * The simulator's Ticket Data format. RFC 6043 leaves the content of Ticket Data to the KMS
 * (ARCHITECTURE.md §6); ours is authenticated encryption under a KMS-only key:
 *
 *   "KST1" (4) | issuer length (1) | issuer (UTF-8) | nonce (12) | ciphertext | GCM tag (16)
 *
 * AES-256-GCM (NIST SP 800-38D) with the octets before the ciphertext as additional data, so
 * the issuing KMS identity is readable (Zk routing, seed 004) but bound to the content.
 * The plaintext is JSON ({@link TicketContent}, keys base64).
 */
const MAGIC = Buffer.from('KST1', 'ascii');
const NONCE_LEN = 12;
const TAG_LEN = 16;
/** Ticket Data larger than this is not ours (bounded work on hostile input). */
export const MAX_TICKET_DATA = 4096;

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);
const contentSchema = z
  .object({
    v: z.literal(1),
    id: z.string().regex(/^[0-9a-f]{32}$/),
    issuer: z.string().min(1).max(255),
    initiator: z.string().min(1).max(512),
    responder: z.string().min(1).max(512).optional(),
    issuedAt: z.number().int(),
    notBefore: z.number().int(),
    notAfter: z.number().int(),
    tgk: b64,
    mpk: b64,
  })
  .strict();

/** What a ticket holds: identities, validity (ms since epoch), TGK and MPK (RFC 6043 §5). */
export interface TicketContent {
  id: string;
  issuer: string;
  initiator: string;
  /** The intended responder named in REQUEST_INIT, if any. */
  responder?: string;
  issuedAt: number;
  notBefore: number;
  notAfter: number;
  tgk: Buffer;
  mpk: Buffer;
}

/** Result of opening Ticket Data. `foreign`: well-formed, issued by another KMS. */
export type TicketOpenResult =
  | { kind: 'ok'; content: TicketContent }
  | { kind: 'foreign'; issuer: string }
  | { kind: 'invalid' };

/** SHA-256 of Ticket Data: how resolve records and Xk requests refer to a ticket. */
export function ticketDigest(ticketData: Buffer): string {
  return createHash('sha256').update(ticketData).digest('hex');
}

/** The issuer field of Ticket Data in our format, or undefined. Not authenticated. */
export function ticketIssuer(ticketData: Buffer): string | undefined {
  return parseHeader(ticketData)?.issuer;
}

function parseHeader(
  data: Buffer,
): { issuer: string; aad: Buffer; nonce: Buffer; body: Buffer; tag: Buffer } | undefined {
  if (data.length > MAX_TICKET_DATA || data.length < MAGIC.length + 1) return undefined;
  if (!data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const issuerLen = data[MAGIC.length];
  const nonceAt = MAGIC.length + 1 + issuerLen;
  const bodyAt = nonceAt + NONCE_LEN;
  if (issuerLen === 0 || data.length < bodyAt + TAG_LEN + 1) return undefined;
  return {
    issuer: data.subarray(MAGIC.length + 1, nonceAt).toString('utf8'),
    aad: data.subarray(0, bodyAt),
    nonce: data.subarray(nonceAt, bodyAt),
    body: data.subarray(bodyAt, data.length - TAG_LEN),
    tag: data.subarray(data.length - TAG_LEN),
  };
}

/** Seals and opens this KMS's tickets. */
export class TicketSealer {
  constructor(
    private readonly issuer: string,
    private readonly key: Buffer,
  ) {
    if (key.length !== 32) throw new Error('ticket key must be 32 octets');
    if (Buffer.byteLength(issuer) > 255) throw new Error('issuer identity too long');
  }

  /** A new random ticket id (128 bits, hex). */
  static newId(): string {
    return randomBytes(16).toString('hex');
  }

  seal(content: TicketContent): Buffer {
    if (content.issuer !== this.issuer) throw new Error('ticket issuer is not this KMS');
    const issuer = Buffer.from(this.issuer, 'utf8');
    const nonce = randomBytes(NONCE_LEN);
    const aad = Buffer.concat([MAGIC, Buffer.of(issuer.length), issuer, nonce]);
    const plain = Buffer.from(
      JSON.stringify({
        v: 1,
        ...content,
        tgk: content.tgk.toString('base64'),
        mpk: content.mpk.toString('base64'),
      }),
      'utf8',
    );
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(aad);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const sealed = Buffer.concat([aad, body, cipher.getAuthTag()]);
    if (sealed.length > MAX_TICKET_DATA) throw new Error('ticket too large');
    return sealed;
  }

  open(ticketData: Buffer): TicketOpenResult {
    const h = parseHeader(ticketData);
    if (!h) return { kind: 'invalid' };
    if (h.issuer !== this.issuer) return { kind: 'foreign', issuer: h.issuer };
    let plain: Buffer;
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, h.nonce);
      d.setAAD(h.aad);
      d.setAuthTag(h.tag);
      plain = Buffer.concat([d.update(h.body), d.final()]);
    } catch {
      return { kind: 'invalid' };
    }
    let json: unknown;
    try {
      json = JSON.parse(plain.toString('utf8'));
    } catch {
      return { kind: 'invalid' };
    }
    const r = contentSchema.safeParse(json);
    if (!r.success || r.data.issuer !== this.issuer) return { kind: 'invalid' };
    const c = r.data;
    return {
      kind: 'ok',
      content: {
        id: c.id,
        issuer: c.issuer,
        initiator: c.initiator,
        ...(c.responder !== undefined ? { responder: c.responder } : {}),
        issuedAt: c.issuedAt,
        notBefore: c.notBefore,
        notAfter: c.notAfter,
        tgk: Buffer.from(c.tgk, 'base64'),
        mpk: Buffer.from(c.mpk, 'base64'),
      },
    };
  }
}
