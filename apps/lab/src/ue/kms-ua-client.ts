import { httpsPost } from '../../../kms-sim/src/https-client';

/** Where a UE reaches its KMS over Ua. */
export interface UaEndpoint {
  /** The KMS identity (IDRkms), e.g. `kms.ims.example`. */
  identity: string;
  /** Base URL of the KMS's Ua listener. */
  url: string;
  /** Trust anchor for the KMS server certificate (PEM). */
  ca: string | Buffer;
}

/** The KMS refused a Ua request; `code` is its JSON error code (e.g. REPLAYED). */
export class UaRequestError extends Error {
  override readonly name = 'UaRequestError';
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`KMS answered HTTP ${status} ${code}`);
  }
}

/**
 * Ua client (TS 33.328 Annex A): POST of a MIKEY-TICKET message with `requesttype`
 * ticketrequest / ticketresolve, `application/mikey` both ways, server certificate verified.
 */
export async function postUa(
  kms: UaEndpoint,
  requesttype: 'ticketrequest' | 'ticketresolve',
  mikey: Buffer,
): Promise<Buffer> {
  const url = new URL(`?requesttype=${requesttype}`, kms.url);
  const res = await httpsPost(url, mikey, {
    tls: { ca: kms.ca },
    contentType: 'application/mikey',
    timeoutMs: 10_000,
    maxResponseBytes: 64 * 1024,
  });
  if (res.status === 200 && res.contentType === 'application/mikey') return res.body;
  let code = 'UNKNOWN';
  try {
    const j = JSON.parse(res.body.toString('utf8')) as { error?: unknown };
    if (typeof j.error === 'string') code = j.error;
  } catch {
    // not JSON: keep UNKNOWN
  }
  throw new UaRequestError(res.status, code);
}
