import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { CertUserMapping } from '../config/mf-config';

/** The parts of a verified client certificate that HTTP_TLS_CERT_USERS can select on. */
export interface ClientCertificate {
  subjectCn: string | null;
  /** SHA-256 of the DER certificate, lower-case hex without separators. */
  sha256: string;
}

/**
 * The client certificate of a REST request, only when the TLS layer verified it against
 * TLS_CA_FILE (`socket.authorized`); null on plain HTTP, without a certificate, or when it
 * did not verify.
 */
export function verifiedClientCertificate(socket: unknown): ClientCertificate | null {
  const tls = socket as Partial<TLSSocket> | null;
  if (!tls || typeof tls.getPeerCertificate !== 'function' || tls.authorized !== true) return null;
  const peer = tls.getPeerCertificate();
  if (!peer || !peer.raw) return null;
  const cn = peer.subject?.CN;
  return {
    subjectCn: typeof cn === 'string' ? cn : null,
    sha256: createHash('sha256').update(peer.raw).digest('hex'),
  };
}

/**
 * The user name a certificate maps to: a fingerprint entry wins over a CN entry (it names
 * one certificate, not every certificate with that CN from the CA). Null when unmapped.
 */
export function userForCertificate(
  cert: ClientCertificate,
  mappings: readonly CertUserMapping[],
): string | null {
  const byPrint = mappings.find((m) => m.kind === 'sha256' && m.fingerprint === cert.sha256);
  if (byPrint) return byPrint.user;
  const byCn = mappings.find((m) => m.kind === 'cn' && m.cn === cert.subjectCn);
  return byCn ? byCn.user : null;
}
