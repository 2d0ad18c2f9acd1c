import type { IncomingMessage, ServerResponse } from 'node:http';
import { KmsError } from './kms-errors';

/** Reads a request body of at most `limit` octets; refuses larger ones early (413). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new KmsError('PAYLOAD_TOO_LARGE', `body over ${limit} octets`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        req.resume();
        reject(new KmsError('PAYLOAD_TOO_LARGE', `body over ${limit} octets`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', () => {
      if (!failed) reject(new KmsError('MALFORMED', 'request stream error'));
      failed = true;
    });
  });
}

/** Media type of a request without parameters, lower-cased. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase();
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': data.length,
    'cache-control': 'no-store',
  });
  res.end(data);
}

/** `application/mikey` answer (TS 33.328 Annex A: MIKEY-TICKET messages over HTTP). */
export function sendMikey(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, {
    'content-type': 'application/mikey',
    'content-length': body.length,
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** Structured JSON error `{error, message}`. */
export function sendError(
  res: ServerResponse,
  e: KmsError,
  extra: Record<string, unknown> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, e.status, { ...extra, error: e.code, message: e.message });
}
