import { randomUUID } from 'node:crypto';
import { XK_KEY_REQUEST_PATH, type XkRole } from '@app/xk';
import { httpsPost } from '../../apps/kms-sim/src/https-client';
import type { SimulatedCall } from '../../apps/lab/src/ue';
import type { ClientTls } from '../../apps/lab/src/ticket-world';

/** Body of an Xk key request for a simulated call, as the MF would build it (ARCHITECTURE.md §5). */
export function xkRequestFor(
  call: Pick<SimulatedCall, 'callId' | 'initiator' | 'responder' | 'mikey'>,
  target: { kmsIdentity: string; role: XkRole },
  observedAt: Date,
): Record<string, unknown> {
  if (!call.mikey) throw new Error('not a MIKEY call');
  return {
    requestId: randomUUID(),
    target,
    session: {
      callId: call.callId,
      initiatorUri: call.initiator,
      responderUri: call.responder,
      observedAt: observedAt.toISOString(),
    },
    mikey: call.mikey.initAtLi.toString('base64'),
  };
}

/** POSTs an Xk request over mutual TLS with `tls` as client credentials. */
export async function postXk(
  baseUrl: string,
  tls: Partial<ClientTls> & { ca: Buffer },
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await httpsPost(
    new URL(XK_KEY_REQUEST_PATH, baseUrl),
    Buffer.from(JSON.stringify(body)),
    {
      tls,
      contentType: 'application/json',
      timeoutMs: 10_000,
      maxResponseBytes: 1 << 20,
    },
  );
  return {
    status: res.status,
    body: JSON.parse(res.body.toString('utf8')) as Record<string, unknown>,
  };
}
