import { request } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';

/** TLS material of an HTTPS client: trust anchors and, for mutual TLS, a client certificate. */
export interface HttpsClientTls {
  ca: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

export interface HttpsPostOptions {
  tls: HttpsClientTls;
  contentType: string;
  timeoutMs: number;
  /** Largest response body accepted (octets). */
  maxResponseBytes: number;
  /** When set, the server certificate's subject CN must equal it (besides hostname checks). */
  expectCommonName?: string;
}

export interface HttpsResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

/** Why an HTTPS exchange failed before a complete response arrived. */
export class HttpsClientError extends Error {
  override readonly name = 'HttpsClientError';
}

/**
 * POSTs `body` to `url` over HTTPS (TLS 1.2+, server certificate verified against `tls.ca`),
 * with a deadline and a bounded response size.
 */
export function httpsPost(
  url: string | URL,
  body: Buffer,
  o: HttpsPostOptions,
): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ca: o.tls.ca,
        ...(o.tls.cert ? { cert: o.tls.cert } : {}),
        ...(o.tls.key ? { key: o.tls.key } : {}),
        minVersion: 'TLSv1.2',
        agent: false,
        headers: { 'content-type': o.contentType, 'content-length': body.length },
      },
      (res) => {
        if (o.expectCommonName !== undefined) {
          const cert: PeerCertificate = (res.socket as TLSSocket).getPeerCertificate();
          if (cert.subject?.CN !== o.expectCommonName) {
            req.destroy(new HttpsClientError('server certificate is not the expected peer'));
            return;
          }
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > o.maxResponseBytes) {
            req.destroy(new HttpsClientError('response too large'));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: (res.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase(),
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', (e) => reject(new HttpsClientError(e.message)));
      },
    );
    req.setTimeout(o.timeoutMs, () => req.destroy(new HttpsClientError('timeout')));
    req.on('error', (e) =>
      reject(e instanceof HttpsClientError ? e : new HttpsClientError(e.message)),
    );
    req.end(body);
  });
}
