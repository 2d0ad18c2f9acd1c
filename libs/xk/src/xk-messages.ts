import { z } from 'zod';

/**
 * Xk: the MF ↔ KMS interface (ARCHITECTURE.md §5). 3GPP gives only the principles
 * (TS 33.107 §7A.7.1; seeds 000 and 001): the MF sends the key-management data it saw in the
 * signalling together with the target's public KMS identity and role, the KMS checks that the
 * data belongs to the target and answers with the keys the terminal itself resolved.
 * The JSON wire format below is ours. Binary values are base64 (RFC 4648 §4).
 */

/** Path of the key request on the KMS. */
export const XK_KEY_REQUEST_PATH = '/xk/v1/key-requests';

const base64 = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')
  .refine((s) => s.length % 4 === 0, 'must be base64');
const rfc3339 = z.string().datetime({ offset: true });

/** Role of the target in the MIKEY-TICKET exchange (RFC 6043 §4: initiator / responder). */
export const xkRoleSchema = z.enum(['initiator', 'responder']);
export type XkRole = z.infer<typeof xkRoleSchema>;

/** `POST /xk/v1/key-requests` body. */
export const xkKeyRequestSchema = z
  .object({
    requestId: z.string().uuid(),
    target: z.object({ kmsIdentity: z.string().min(1).max(512), role: xkRoleSchema }).strict(),
    session: z
      .object({
        callId: z.string().min(1).max(512),
        initiatorUri: z.string().min(1).max(512),
        responderUri: z.string().min(1).max(512),
        observedAt: rfc3339,
      })
      .strict(),
    /** The MIKEY message exactly as seen in the signalling (TRANSFER_INIT, RFC 6043 §5.3). */
    mikey: base64.refine((s) => s.length <= 16 * 1024, 'must be at most 16 KiB of base64'),
  })
  .strict();
export type XkKeyRequest = z.infer<typeof xkKeyRequestSchema>;

/** One crypto session's key: a TGK (to derive per RFC 3830 §4.1.3) or a TEK, with optional salt. */
export const xkKeySchema = z
  .object({
    csId: z.number().int().min(0).max(255),
    kind: z.enum(['TGK', 'TEK']),
    key: base64,
    salt: base64.optional(),
  })
  .strict();
export type XkKey = z.infer<typeof xkKeySchema>;

/** 200: the keys. `signallingIntact: false` = the ticket LI saw differs from the terminal's (seed 000). */
export const xkResolvedSchema = z
  .object({
    requestId: z.string().uuid(),
    status: z.literal('resolved'),
    source: z.enum(['terminal-resolve', 'ticket']),
    signallingIntact: z.boolean(),
    csbId: z.number().int().min(0).max(0xffffffff),
    rand: base64,
    keys: z.array(xkKeySchema).min(1).max(255),
    validity: z.object({ notBefore: rfc3339, notAfter: rfc3339 }).strict(),
  })
  .strict();
export type XkResolved = z.infer<typeof xkResolvedSchema>;

/** 202: the responder has not resolved the ticket yet; ask again after `retryAfterMs`. */
export const xkPendingSchema = z
  .object({
    requestId: z.string().uuid().optional(),
    status: z.literal('pending'),
    retryAfterMs: z.number().int().min(0).max(600_000),
  })
  .strict();
export type XkPending = z.infer<typeof xkPendingSchema>;

/** Error codes of the non-2xx answers, with their HTTP status. */
export const XK_ERRORS = {
  MALFORMED: 400,
  NOT_LI_CLIENT: 403,
  UNKNOWN_TICKET: 404,
  TARGET_MISMATCH: 409,
  RATE_LIMITED: 429,
  KMS_ERROR: 500,
} as const;
export type XkErrorCode = keyof typeof XK_ERRORS;

export const xkErrorSchema = z
  .object({
    requestId: z.string().uuid().optional(),
    error: z.enum(Object.keys(XK_ERRORS) as [XkErrorCode, ...XkErrorCode[]]),
    message: z.string().max(500).optional(),
  })
  .strict();
export type XkError = z.infer<typeof xkErrorSchema>;

/** An Xk answer as the MF sees it: HTTP status plus validated body. */
export type XkAnswer =
  | { kind: 'resolved'; body: XkResolved }
  | { kind: 'pending'; body: XkPending }
  | { kind: 'error'; status: number; body: XkError };

/** Thrown when a peer sends something that is not a valid Xk message. */
export class XkProtocolError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid Xk message: ${problems.join('; ')}`);
    this.name = 'XkProtocolError';
  }
}

function problems(e: z.ZodError): string[] {
  return e.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
}

/** Validates a key request (KMS side). Error texts name fields, never echo values. */
export function parseXkKeyRequest(body: unknown): XkKeyRequest {
  const r = xkKeyRequestSchema.safeParse(body);
  if (!r.success) throw new XkProtocolError(problems(r.error));
  return r.data;
}

/** Validates a KMS answer by HTTP status (MF side). */
export function parseXkAnswer(status: number, body: unknown): XkAnswer {
  const schema =
    status === 200 ? xkResolvedSchema : status === 202 ? xkPendingSchema : xkErrorSchema;
  const r = schema.safeParse(body);
  if (!r.success) throw new XkProtocolError([`HTTP ${status}`, ...problems(r.error)]);
  if (status === 200) return { kind: 'resolved', body: r.data as XkResolved };
  if (status === 202) return { kind: 'pending', body: r.data as XkPending };
  const err = r.data as XkError;
  if (XK_ERRORS[err.error] !== status) {
    throw new XkProtocolError([`HTTP ${status} does not match error ${err.error}`]);
  }
  return { kind: 'error', status, body: err };
}
