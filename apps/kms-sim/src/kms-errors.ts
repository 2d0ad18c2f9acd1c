/** Error codes of the simulator's Ua / Zk / Xk answers, with their HTTP status. */
export const KMS_ERRORS = {
  MALFORMED: 400,
  STALE_TIMESTAMP: 400,
  WRONG_KMS: 400,
  UNSUPPORTED: 400,
  AUTH_FAILED: 401,
  NOT_AUTHORIZED: 403,
  NOT_LI_CLIENT: 403,
  NOT_A_PEER: 403,
  TICKET_EXPIRED: 403,
  NOT_FOUND: 404,
  UNKNOWN_TICKET: 404,
  METHOD_NOT_ALLOWED: 405,
  TIMEOUT: 408,
  REPLAYED: 409,
  TARGET_MISMATCH: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  KMS_ERROR: 500,
  PEER_UNAVAILABLE: 502,
} as const;
export type KmsErrorCode = keyof typeof KMS_ERRORS;

/**
 * A refused request. `message` is for the client and the log: it names fields and reasons,
 * never keys, tickets or identities of LI targets.
 */
export class KmsError extends Error {
  override readonly name = 'KmsError';
  readonly status: number;
  constructor(
    readonly code: KmsErrorCode,
    message: string,
  ) {
    super(message);
    this.status = KMS_ERRORS[code];
  }
}
