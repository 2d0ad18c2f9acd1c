import * as https from 'node:https';
import {
  parseXkAnswer,
  XK_KEY_REQUEST_PATH,
  XkKeyRequest,
  XkProtocolError,
  XkResolved,
} from '@app/xk';
import { KmsRoute } from './kms-router';
import { xkMetrics } from './xk-metrics';

/** Mutual-TLS material of the MF's Xk client (a certificate with the LI role, ARCHITECTURE.md §5). */
export interface XkTlsMaterial {
  ca: string | Buffer;
  cert: string | Buffer;
  key: string | Buffer;
}

export interface KmsClientOptions {
  tls: XkTlsMaterial;
  /** Time limit of one HTTP exchange. */
  requestTimeoutMs: number;
  /** First back-off after every KMS of the route failed; doubled each round, with jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Largest answer body accepted. */
  maxAnswerBytes?: number;
}

/** Result of a key request once it is settled. */
export type KeyRequestOutcome =
  | { kind: 'resolved'; answer: XkResolved; kmsUrl: string; attempts: number }
  | { kind: 'target-mismatch'; kmsUrl: string; attempts: number }
  | {
      kind: 'failed';
      reason:
        | 'deadline'
        | 'no-route'
        | 'unknown-ticket'
        | 'refused'
        | 'malformed-request'
        | 'protocol-error'
        | 'aborted';
      detail: string;
      attempts: number;
    };

type Exchange = { status: number; body: unknown };

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Xk client (ARCHITECTURE.md §5; TS 33.107 §7A.7.1, seed 001): sends the MIKEY data and the
 * target's KMS identity and role to the KMS over mutual TLS and waits for the keys.
 *
 * Behaviour, by answer:
 * - 200: done. 409 TARGET_MISMATCH: done at once (an attack or a wrong target; the caller
 *   raises the alarm). 404/403/400: done, failed (retrying cannot help).
 * - 202: the responder has not resolved yet; ask the same KMS again after `retryAfterMs`.
 * - network error, timeout, 5xx, 429 or an invalid answer: try the next KMS of the route
 *   (backups in order); when all failed, back off (exponential, full jitter) and start over.
 * Everything stops at the deadline, or at once when `signal` aborts (MF shutdown; the caller
 * keeps the request to resume it).
 */
export class KmsClient {
  private readonly agent: https.Agent;

  constructor(private readonly opts: KmsClientOptions) {
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 16,
      ca: opts.tls.ca,
      cert: opts.tls.cert,
      key: opts.tls.key,
      minVersion: 'TLSv1.2',
    });
  }

  close(): void {
    this.agent.destroy();
  }

  async requestKeys(
    route: KmsRoute,
    request: XkKeyRequest,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<KeyRequestOutcome> {
    const body = Buffer.from(JSON.stringify(request));
    const count = (result: 'resolved' | 'pending' | 'error' | 'unreachable' | 'invalid') =>
      xkMetrics.exchanges.inc({ kms: route.kmsIdentity, result });
    let attempts = 0;
    let lastProblem = 'no attempt made';
    const goOn = () => Date.now() < deadline && !signal?.aborted;
    for (let round = 0; goOn(); round++) {
      for (let i = 0; i < route.urls.length && goOn();) {
        const url = route.urls[i];
        attempts++;
        let ex: Exchange;
        try {
          ex = await this.post(url, body, deadline, signal);
        } catch (e) {
          lastProblem = `${url}: ${e instanceof Error ? e.message : String(e)}`;
          count('unreachable');
          i++;
          continue;
        }
        let answer;
        try {
          answer = parseXkAnswer(ex.status, ex.body);
        } catch (e) {
          lastProblem = `${url}: ${e instanceof XkProtocolError ? e.message : `HTTP ${ex.status}`}`;
          count('invalid');
          i++;
          continue;
        }
        count(answer.kind === 'resolved' || answer.kind === 'pending' ? answer.kind : 'error');
        if (answer.kind === 'resolved')
          return { kind: 'resolved', answer: answer.body, kmsUrl: url, attempts };
        if (answer.kind === 'pending') {
          lastProblem = `${url}: pending`;
          await sleep(
            Math.min(answer.body.retryAfterMs, Math.max(0, deadline - Date.now())),
            signal,
          );
          continue; // same KMS again
        }
        const code = answer.body.error;
        if (code === 'TARGET_MISMATCH') return { kind: 'target-mismatch', kmsUrl: url, attempts };
        if (code === 'UNKNOWN_TICKET')
          return { kind: 'failed', reason: 'unknown-ticket', detail: url, attempts };
        if (code === 'NOT_LI_CLIENT')
          return { kind: 'failed', reason: 'refused', detail: url, attempts };
        if (code === 'MALFORMED')
          return { kind: 'failed', reason: 'malformed-request', detail: url, attempts };
        lastProblem = `${url}: ${code}`;
        i++; // RATE_LIMITED or KMS_ERROR: try a backup
      }
      const backoff =
        Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** round) * Math.random();
      await sleep(Math.min(backoff, Math.max(0, deadline - Date.now())), signal);
    }
    if (signal?.aborted)
      return { kind: 'failed', reason: 'aborted', detail: lastProblem, attempts };
    return { kind: 'failed', reason: 'deadline', detail: lastProblem, attempts };
  }

  private post(
    baseUrl: string,
    body: Buffer,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<Exchange> {
    const max = this.opts.maxAnswerBytes ?? 64 * 1024;
    const timeout = Math.max(1, Math.min(this.opts.requestTimeoutMs, deadline - Date.now()));
    return new Promise((resolve, reject) => {
      const req = https.request(
        new URL(XK_KEY_REQUEST_PATH, baseUrl),
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
          timeout,
          signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > max) req.destroy(new Error(`answer larger than ${max} octets`));
            else chunks.push(c);
          });
          res.on('end', () => {
            let parsed: unknown;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              return reject(new Error(`HTTP ${res.statusCode}: answer is not JSON`));
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}
