import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { writeDevPki } from '@app/pki';
import { XkKeyRequest } from '@app/xk';
import { KmsClient } from './kms-client';
import { KmsRouter, uriDomain } from './kms-router';
import { xkMetrics } from './xk-metrics';

type Reply = { status: number; body: unknown } | 'hang';

/** A scripted Xk peer: answers each request with the next reply; records what it received. */
async function scriptedKms(pki: string, replies: Reply[]) {
  const seen: Array<{ body: unknown; peerCn: string }> = [];
  const server = https.createServer(
    {
      ca: readFileSync(join(pki, 'ca.crt')),
      cert: readFileSync(join(pki, 'kms.crt')),
      key: readFileSync(join(pki, 'kms.key')),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const cert = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
        seen.push({
          body: JSON.parse(Buffer.concat(chunks).toString()),
          peerCn: String(cert.subject.CN),
        });
        const r = replies.shift() ?? { status: 500, body: { error: 'KMS_ERROR' } };
        if (r === 'hang') return;
        res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
      });
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://localhost:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('KmsClient', () => {
  const pki = mkdtempSync(join(tmpdir(), 'xk-pki-'));
  let client: KmsClient;
  beforeAll(async () => {
    await writeDevPki(pki);
    client = new KmsClient({
      tls: {
        ca: readFileSync(join(pki, 'ca.crt')),
        cert: readFileSync(join(pki, 'mf.crt')),
        key: readFileSync(join(pki, 'mf.key')),
      },
      requestTimeoutMs: 300,
      retryBaseMs: 10,
      retryMaxMs: 50,
    });
  });
  afterAll(() => {
    client.close();
    rmSync(pki, { recursive: true, force: true });
  });

  const request = (): XkKeyRequest => ({
    requestId: randomUUID(),
    target: { kmsIdentity: 'sip:alice@ims.example', role: 'responder' },
    session: {
      callId: 'c1@ims.example',
      initiatorUri: 'sip:bob@ims.example',
      responderUri: 'sip:alice@ims.example',
      observedAt: new Date().toISOString(),
    },
    mikey: Buffer.from('mikey').toString('base64'),
  });
  const resolved = (id: string) => ({
    status: 200,
    body: {
      requestId: id,
      status: 'resolved',
      source: 'terminal-resolve',
      signallingIntact: true,
      csbId: 7,
      rand: Buffer.alloc(16, 1).toString('base64'),
      keys: [{ csId: 1, kind: 'TGK', key: Buffer.alloc(16, 2).toString('base64') }],
      validity: { notBefore: '2026-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z' },
    },
  });

  it('sends the request with the MF certificate and waits through 202 for the keys', async () => {
    const req = request();
    const kms = await scriptedKms(pki, [
      { status: 202, body: { status: 'pending', retryAfterMs: 20 } },
      resolved(req.requestId),
    ]);
    try {
      const out = await client.requestKeys(
        { kmsIdentity: 'kms', urls: [kms.url] },
        req,
        Date.now() + 5000,
      );
      expect(out).toMatchObject({ kind: 'resolved', attempts: 2, answer: { csbId: 7 } });
      expect(kms.seen).toHaveLength(2);
      expect(kms.seen[0]).toEqual({ body: req, peerCn: 'mf.li.example' });
    } finally {
      await kms.close();
    }
  });

  it('uses the backup when the primary hangs or fails', async () => {
    const req = request();
    const primary = await scriptedKms(pki, ['hang']);
    const backup = await scriptedKms(pki, [resolved(req.requestId)]);
    try {
      const out = await client.requestKeys(
        { kmsIdentity: 'kms', urls: [primary.url, backup.url] },
        req,
        Date.now() + 5000,
      );
      expect(out).toMatchObject({ kind: 'resolved', kmsUrl: backup.url, attempts: 2 });
    } finally {
      await primary.close();
      await backup.close();
    }
  });

  it('counts every exchange by KMS identity and result', async () => {
    const count = async (result: string) =>
      (await xkMetrics.exchanges.get()).values.find(
        (v) => v.labels.kms === 'kms-counted' && v.labels.result === result,
      )?.value ?? 0;
    const req = request();
    const primary = await scriptedKms(pki, ['hang']);
    const backup = await scriptedKms(pki, [
      { status: 202, body: { status: 'pending', retryAfterMs: 20 } },
      resolved(req.requestId),
    ]);
    try {
      await client.requestKeys(
        { kmsIdentity: 'kms-counted', urls: [primary.url, backup.url] },
        req,
        Date.now() + 5000,
      );
      expect({
        unreachable: await count('unreachable'),
        pending: await count('pending'),
        resolved: await count('resolved'),
        error: await count('error'),
      }).toEqual({ unreachable: 1, pending: 1, resolved: 1, error: 0 });
    } finally {
      await primary.close();
      await backup.close();
    }
  });

  it('returns TARGET_MISMATCH at once, without retrying', async () => {
    const req = request();
    const kms = await scriptedKms(pki, [
      { status: 409, body: { requestId: req.requestId, error: 'TARGET_MISMATCH' } },
    ]);
    try {
      const out = await client.requestKeys(
        { kmsIdentity: 'kms', urls: [kms.url] },
        req,
        Date.now() + 5000,
      );
      expect(out).toEqual({ kind: 'target-mismatch', kmsUrl: kms.url, attempts: 1 });
    } finally {
      await kms.close();
    }
  });

  it('gives up at the deadline while the KMS keeps answering pending', async () => {
    const pending = { status: 202, body: { status: 'pending', retryAfterMs: 50 } };
    const kms = await scriptedKms(pki, Array<Reply>(100).fill(pending));
    try {
      const started = Date.now();
      const out = await client.requestKeys(
        { kmsIdentity: 'kms', urls: [kms.url] },
        request(),
        started + 400,
      );
      expect(out).toMatchObject({ kind: 'failed', reason: 'deadline' });
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await kms.close();
    }
  });

  it('treats an answer that breaks the Xk schema as a failure of that KMS', async () => {
    const req = request();
    const kms = await scriptedKms(pki, [
      { status: 200, body: { status: 'resolved' } },
      resolved(req.requestId),
    ]);
    try {
      const out = await client.requestKeys(
        { kmsIdentity: 'kms', urls: [kms.url] },
        req,
        Date.now() + 5000,
      );
      expect(out).toMatchObject({ kind: 'resolved', attempts: 2 });
    } finally {
      await kms.close();
    }
  });
});

describe('KmsRouter', () => {
  const router = new KmsRouter({
    kms: { 'kms.ims.example': ['https://a', 'https://b'], 'kms.peer.example': ['https://c'] },
    defaultKmsByDomain: { 'ims.example': 'kms.ims.example' },
  });

  it('prefers the KMS named by IDRkms, in any URI form', () => {
    expect(router.route('sip:KMS.peer.example', 'sip:alice@ims.example')).toEqual({
      kmsIdentity: 'kms.peer.example',
      urls: ['https://c'],
    });
    expect(router.route('kms.peer.example', 'sip:alice@ims.example')?.kmsIdentity).toBe(
      'kms.peer.example',
    );
  });

  it("falls back to the target domain's default KMS, and to nothing", () => {
    expect(router.route('kms.unknown.example', 'sip:alice@IMS.example;user=phone')?.urls).toEqual([
      'https://a',
      'https://b',
    ]);
    expect(router.route(undefined, 'sip:x@other.example')).toBeUndefined();
    expect(router.route(undefined, 'tel:+4930123')).toBeUndefined();
  });

  it('extracts the host of sip and sips URIs', () => {
    expect(uriDomain('sips:bob@Example.COM:5061;transport=tls')).toBe('example.com');
    expect(uriDomain('sip:example.com')).toBe('example.com');
  });
});
