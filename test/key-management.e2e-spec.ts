import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataType,
  IdRole,
  TicketType,
  decodeMikey,
  deriveSrtpMasterKeys,
  ntpTimestamp,
  sealTicketExchangeMessage,
  type PrfFunc,
} from '@app/mikey';
import { parseXkAnswer, type XkResolved } from '@app/xk';
import { httpsPost } from '../apps/kms-sim/src/https-client';
import type { KmsLogEntry } from '../apps/kms-sim/src/kms-log';
import {
  HOME_KMS,
  PEER_KMS,
  startTicketWorld,
  type TicketWorld,
} from '../apps/lab/src/ticket-world';
import { UaRequestError, postUa, ticketCall, type SimulatedCall } from '../apps/lab/src/ue';
import { postXk, xkRequestFor } from './support/xk-test-client';

const ALICE = 'sip:alice@ims.example';
const BOB = 'sip:bob@ims.example';
const CAROL = 'sip:carol@ims.example';
const DAVE = 'sip:dave@peer.example';
const PENDING_WINDOW_MS = 400;

/** SRTP keys an MF derives from an Xk answer (RFC 3830 §4.1.3), by CS ID. */
function keysFromXk(
  a: XkResolved,
  prf: PrfFunc,
): Map<number, { masterKey: Buffer; masterSalt: Buffer }> {
  return new Map(
    a.keys.map((k) => [
      k.csId,
      deriveSrtpMasterKeys(
        Buffer.from(k.key, 'base64'),
        a.csbId,
        k.csId,
        Buffer.from(a.rand, 'base64'),
        prf,
      ),
    ]),
  );
}

function expectSameKeys(call: SimulatedCall, a: XkResolved): void {
  const prf = decodeMikey(call.mikey!.init).message.header.prfFunc;
  const fromXk = keysFromXk(a, prf);
  expect(fromXk.size).toBe(call.keys.length);
  for (const k of call.keys) {
    expect(fromXk.get(k.csId!)).toEqual({ masterKey: k.masterKey, masterSalt: k.masterSalt });
  }
}

function resolved(r: { status: number; body: unknown }): XkResolved {
  const a = parseXkAnswer(r.status, r.body);
  if (a.kind !== 'resolved')
    throw new Error(`expected 200, got ${r.status} ${JSON.stringify(r.body)}`);
  return a.body;
}

describe('key-management world: kms-sim Ua/Xk/Zk with simulated UEs over real HTTPS', () => {
  let dir: string;
  let world: TicketWorld;
  const logs: KmsLogEntry[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kms-world-'));
    world = await startTicketWorld({
      pkiDir: dir,
      withPeer: true,
      runtime: { logger: (e) => logs.push(e) },
      limits: { pendingWindowMs: PENDING_WINDOW_MS, retryAfterMs: 50 },
    });
  });

  afterAll(async () => {
    await world?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const li = () => world.clientTls('mf');
  const xk = (body: unknown, url = world.kms.urls.xk) => postXk(url, li(), body);

  it('both UEs derive identical SRTP keys and the SIP messages carry the MIKEY messages', async () => {
    const call = await ticketCall({ initiator: world.ue(ALICE), responder: world.ue(BOB) });
    expect(call.keys).toHaveLength(2);
    expect(call.responderKeys).toEqual(call.keys);
    expect(new Set(call.keys.map((k) => k.masterKey.toString('hex'))).size).toBe(2);
    const invite = call.invite.toString('utf8');
    expect(invite).toContain(`a=key-mgmt:mikey ${call.mikey!.init.toString('base64')}\r\n`);
    expect(call.ok200.toString('utf8')).toContain(
      `a=key-mgmt:mikey ${call.mikey!.resp!.toString('base64')}`,
    );
    const [head, body] = invite.split('\r\n\r\n');
    expect(head).toMatch(/^INVITE sip:bob@ims\.example SIP\/2\.0\r\n/);
    expect(Number(/Content-Length: (\d+)/.exec(head)![1])).toBe(Buffer.byteLength(body));
    expect(decodeMikey(call.mikey!.init).message.header.dataType).toBe(DataType.TRANSFER_INIT);
  });

  it('an LI client gets the same keys for a target in either role (source terminal-resolve)', async () => {
    const t0 = new Date();
    const call = await ticketCall({ initiator: world.ue(ALICE), responder: world.ue(BOB) });
    for (const target of [
      { kmsIdentity: ALICE, role: 'initiator' as const },
      { kmsIdentity: BOB, role: 'responder' as const },
    ]) {
      const a = resolved(await xk(xkRequestFor(call, target, t0)));
      expect(a).toMatchObject({
        source: 'terminal-resolve',
        signallingIntact: true,
        csbId: call.mikey!.csbId,
      });
      expect(Buffer.from(a.rand, 'base64')).toEqual(call.mikey!.rand);
      expectSameKeys(call, a);
    }
    expect(world.kms.resolves().at(-1)).toMatchObject({
      responder: BOB,
      initiator: ALICE,
      via: 'local',
      csbId: call.mikey!.csbId,
    });
  });

  it('answers 409 TARGET_MISMATCH for a wrong identity or a wrong role', async () => {
    const t0 = new Date();
    const call = await ticketCall({ initiator: world.ue(ALICE), responder: world.ue(BOB) });
    for (const target of [
      { kmsIdentity: CAROL, role: 'initiator' as const },
      { kmsIdentity: ALICE, role: 'responder' as const },
      { kmsIdentity: BOB, role: 'initiator' as const },
    ]) {
      const r = await xk(xkRequestFor(call, target, t0));
      expect(r).toEqual({
        status: 409,
        body: expect.objectContaining({ error: 'TARGET_MISMATCH' }),
      });
    }
  });

  it('seed 001: a TRANSFER_INIT of another user injected at the LI point is a TARGET_MISMATCH', async () => {
    const other = await ticketCall({ initiator: world.ue(CAROL), responder: world.ue(BOB) });
    const t0 = new Date();
    const call = await ticketCall({
      initiator: world.ue(ALICE),
      responder: world.ue(BOB),
      injectAtLi: other.mikey!.init,
    });
    expect(call.inviteAtLi.toString()).toContain(other.mikey!.init.toString('base64'));
    const r = await xk(xkRequestFor(call, { kmsIdentity: ALICE, role: 'initiator' }, t0));
    expect(r.status).toBe(409);
  });

  it.each(['ticket', 'rand'] as const)(
    'seed 000: with the %s altered before the LI point the answer still has the right keys, signallingIntact=false',
    async (tamper) => {
      const t0 = new Date();
      const call = await ticketCall({
        initiator: world.ue(ALICE),
        responder: world.ue(BOB),
        tamperAtLi: tamper,
      });
      expect(call.mikey!.initAtLi).not.toEqual(call.mikey!.init);
      const a = resolved(
        await xk(xkRequestFor(call, { kmsIdentity: ALICE, role: 'initiator' }, t0)),
      );
      expect(a).toMatchObject({ source: 'terminal-resolve', signallingIntact: false });
      expectSameKeys(call, a);
    },
  );

  it('answers 202 before the responder resolved, then the terminal resolve; after the window, the ticket', async () => {
    const alice = world.ue(ALICE);
    const issued = await alice.requestTicket(BOB);
    const rand = Buffer.alloc(16, 7);
    const map = { type: 0, entries: [{ policyNo: 0, ssrc: 1, roc: 0 }] } as const;
    const init = alice.transferInit(issued, {
      responder: BOB,
      csbId: 42,
      csIdMap: { ...map, entries: [...map.entries] },
      rand,
      policies: [],
      prfFunc: 1,
    });
    const fake: Omit<SimulatedCall, 'dialog'> = {
      scheme: 'mikey-ticket',
      callId: 'pending-1@test',
      initiator: ALICE,
      responder: BOB,
      invite: Buffer.alloc(0),
      inviteAtLi: Buffer.alloc(0),
      ok200: Buffer.alloc(0),
      keys: [],
      responderKeys: [],
      cspCanObtainKeys: true,
      mikey: { init: init.bytes, initAtLi: init.bytes, csbId: 42, rand, prfFunc: 1 },
    };
    const t0 = new Date();
    const req = xkRequestFor(fake, { kmsIdentity: ALICE, role: 'initiator' }, t0);
    const r1 = await xk(req);
    expect(r1.status).toBe(202);
    expect(parseXkAnswer(r1.status, r1.body)).toMatchObject({
      kind: 'pending',
      body: { retryAfterMs: 50 },
    });
    await world.ue(BOB).resolveTransfer(init.bytes);
    const a = resolved(await xk({ ...req, requestId: crypto.randomUUID() }));
    expect(a).toMatchObject({ source: 'terminal-resolve', signallingIntact: true, csbId: 42 });
    expect(a.keys).toEqual([{ csId: 1, kind: 'TGK', key: issued.tgk.toString('base64') }]);

    // A second ticket that nobody resolves: 202 inside the window, the ticket's keys after it.
    const issued2 = await alice.requestTicket(BOB);
    const init2 = alice.transferInit(issued2, {
      responder: BOB,
      csbId: 43,
      csIdMap: { ...map, entries: [...map.entries] },
      rand,
      policies: [],
      prfFunc: 1,
    });
    const req2 = {
      ...req,
      session: {
        ...(req.session as object),
        callId: 'pending-2@test',
        observedAt: new Date(Date.now() + 600_000).toISOString(),
      },
      mikey: init2.bytes.toString('base64'),
    };
    expect((await xk({ ...req2, requestId: crypto.randomUUID() })).status).toBe(202);
    await new Promise((r) => setTimeout(r, PENDING_WINDOW_MS + 50));
    const b = resolved(await xk({ ...req2, requestId: crypto.randomUUID() }));
    expect(b).toMatchObject({ source: 'ticket', csbId: 43 });
    expect(b.keys[0].key).toBe(issued2.tgk.toString('base64'));
  });

  it('answers 400 MALFORMED for bad Xk input; an unreadable MIKEY still matches the terminal resolve', async () => {
    expect((await xk({ hello: 1 })).body).toMatchObject({ error: 'MALFORMED' });
    const t0 = new Date();
    const call = await ticketCall({ initiator: world.ue(ALICE), responder: world.ue(BOB) });
    const req = xkRequestFor(call, { kmsIdentity: BOB, role: 'responder' }, t0);
    const garbage = { ...req, mikey: Buffer.from('garbage!').toString('base64') };
    const a = resolved(await xk(garbage));
    expect(a).toMatchObject({ source: 'terminal-resolve', signallingIntact: false });
    expectSameKeys(call, a);
    const nobody = {
      ...garbage,
      session: { ...(req.session as object), responderUri: 'sip:nobody@ims.example' },
    };
    expect((await xk(nobody)).status).toBe(400);
  });

  it('answers 404 UNKNOWN_TICKET after the window for a ticket nobody can open or resolved', async () => {
    const call = await ticketCall({
      initiator: world.ue(ALICE),
      responder: world.ue(BOB),
      tamperAtLi: 'ticket',
    });
    const req = xkRequestFor(
      call,
      { kmsIdentity: ALICE, role: 'initiator' },
      new Date(Date.now() + 3_600_000),
    );
    expect((await xk(req)).status).toBe(202);
    await new Promise((r) => setTimeout(r, PENDING_WINDOW_MS + 50));
    expect(await xk({ ...req, requestId: crypto.randomUUID() })).toEqual({
      status: 404,
      body: expect.objectContaining({ error: 'UNKNOWN_TICKET' }),
    });
  });

  it('refuses a client certificate without the LI role (403) and a client without certificate', async () => {
    const t0 = new Date();
    const call = await ticketCall({ initiator: world.ue(ALICE), responder: world.ue(BOB) });
    const body = xkRequestFor(call, { kmsIdentity: ALICE, role: 'initiator' }, t0);
    const r = await postXk(world.kms.urls.xk, world.clientTls('other-client'), body);
    expect(r).toEqual({ status: 403, body: expect.objectContaining({ error: 'NOT_LI_CLIENT' }) });
    await expect(postXk(world.kms.urls.xk, { ca: world.ca }, body)).rejects.toThrow();
  });

  it('seed 004: a ticket issued by KMS A is resolved through KMS B over Zk; Xk works at both', async () => {
    const t0 = new Date();
    const call = await ticketCall({ initiator: world.ue(ALICE), responder: world.ue(DAVE) });
    expect(call.responderKeys).toEqual(call.keys);
    expect(call.mikey!.kmsIdentity).toBe(HOME_KMS);
    expect(world.peerKms!.resolves().at(-1)).toMatchObject({
      responder: DAVE,
      via: 'zk-out',
      issuer: HOME_KMS,
      peer: HOME_KMS,
    });
    expect(world.kms.resolves().at(-1)).toMatchObject({
      responder: DAVE,
      via: 'zk-in',
      peer: PEER_KMS,
    });
    for (const url of [world.kms.urls.xk, world.peerKms!.urls.xk]) {
      const a = resolved(
        await xk(xkRequestFor(call, { kmsIdentity: DAVE, role: 'responder' }, t0), url),
      );
      expect(a).toMatchObject({ source: 'terminal-resolve', signallingIntact: true });
      expectSameKeys(call, a);
    }
  });

  it('Zk accepts only a configured peer KMS certificate', async () => {
    const r = await httpsPost(
      new URL('?requesttype=ticketresolve', world.kms.urls.zk),
      Buffer.alloc(8),
      {
        tls: li(),
        contentType: 'application/mikey',
        timeoutMs: 5_000,
        maxResponseBytes: 4096,
      },
    );
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body.toString())).toMatchObject({ error: 'NOT_A_PEER' });
  });

  it('KMS B forwards Xk over Zk for a ticket of KMS A that it never resolved', async () => {
    const t0 = new Date();
    const call = await ticketCall({ initiator: world.ue(ALICE), responder: world.ue(BOB) });
    const a = resolved(
      await xk(
        xkRequestFor(call, { kmsIdentity: ALICE, role: 'initiator' }, t0),
        world.peerKms!.urls.xk,
      ),
    );
    expect(a.source).toBe('terminal-resolve');
    expectSameKeys(call, a);
  });

  it('refuses a replayed and a stale Ua request', async () => {
    const rand = Buffer.alloc(16, 9);
    const alicePsk = world.ue(ALICE).config.psk;
    const make = (at: Date) =>
      sealTicketExchangeMessage(
        {
          dataType: DataType.REQUEST_INIT_PSK,
          csbId: 5,
          timestamp: ntpTimestamp(at),
          rand,
          identities: { [IdRole.INITIATOR]: ALICE, [IdRole.KMS]: HOME_KMS },
          ticketPolicy: {
            ticketType: TicketType.THREEGPP_BASE_TICKET,
            subtype: 1,
            version: 1,
            policy: Buffer.alloc(0),
          },
        },
        { inkey: alicePsk, rand, identities: [Buffer.from(ALICE), Buffer.from(HOME_KMS)] },
      ).bytes;
    const kms = { identity: HOME_KMS, url: world.kms.urls.ua, ca: world.ca };
    const msg = make(new Date());
    await expect(postUa(kms, 'ticketrequest', msg)).resolves.toBeInstanceOf(Buffer);
    await expect(postUa(kms, 'ticketrequest', msg)).rejects.toMatchObject({
      status: 409,
      code: 'REPLAYED',
    });
    const stale = make(new Date(Date.now() - 3_600_000));
    await expect(postUa(kms, 'ticketrequest', stale)).rejects.toMatchObject({
      code: 'STALE_TIMESTAMP',
    });
    const forged = make(new Date());
    forged[forged.length - 1] ^= 1;
    await expect(postUa(kms, 'ticketrequest', forged)).rejects.toMatchObject({
      status: 401,
      code: 'AUTH_FAILED',
    });
  });

  it('bounds the Ua body, needs application/mikey, and answers structured JSON errors', async () => {
    const post = (body: Buffer, contentType: string) =>
      httpsPost(new URL('?requesttype=ticketrequest', world.kms.urls.ua), body, {
        tls: { ca: world.ca },
        contentType,
        timeoutMs: 5_000,
        maxResponseBytes: 4096,
      });
    const big = await post(Buffer.alloc(64 * 1024), 'application/mikey');
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body.toString())).toMatchObject({ error: 'PAYLOAD_TOO_LARGE' });
    expect((await post(Buffer.alloc(10), 'text/plain')).status).toBe(415);
    const garbage = await post(Buffer.from('not mikey at all'), 'application/mikey');
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.body.toString())).toMatchObject({ error: 'MALFORMED' });
    await expect(world.ue(ALICE).resolveTransfer(Buffer.from('0102', 'hex'))).rejects.toThrow();
    await expect(
      postUa(
        { identity: HOME_KMS, url: world.kms.urls.ua, ca: world.ca },
        'ticketresolve',
        Buffer.alloc(3),
      ),
    ).rejects.toBeInstanceOf(UaRequestError);
  });

  it('logs no key material', async () => {
    const t0 = new Date();
    const call = await ticketCall({ initiator: world.ue(ALICE), responder: world.ue(BOB) });
    const a = resolved(await xk(xkRequestFor(call, { kmsIdentity: ALICE, role: 'initiator' }, t0)));
    const text = JSON.stringify(logs);
    const tgk = Buffer.from(a.keys[0].key, 'base64');
    expect(logs.some((e) => e.event === 'ticket.resolved')).toBe(true);
    for (const secret of [tgk, ...call.keys.map((k) => k.masterKey)]) {
      expect(text).not.toContain(secret.toString('base64'));
      expect(text).not.toContain(secret.toString('hex'));
    }
    // Xk answers are logged without the LI target's identity.
    const xkLogs = logs.filter((e) => e.event === 'xk.answer');
    expect(xkLogs.length).toBeGreaterThan(0);
    expect(JSON.stringify(xkLogs)).not.toContain(ALICE);
  });
});

describe('kms-sim rate limit', () => {
  it('answers 429 RATE_LIMITED past the burst of one client', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kms-rate-'));
    const world = await startTicketWorld({
      pkiDir: dir,
      runtime: { logger: () => undefined },
      limits: { ratePerSecond: 0.5, burst: 2 },
    });
    try {
      const kms = { identity: HOME_KMS, url: world.kms.urls.ua, ca: world.ca };
      const codes: string[] = [];
      for (let i = 0; i < 3; i++) {
        await postUa(kms, 'ticketrequest', Buffer.alloc(8)).catch((e: UaRequestError) =>
          codes.push(e.code),
        );
      }
      expect(codes).toEqual(['MALFORMED', 'MALFORMED', 'RATE_LIMITED']);
    } finally {
      await world.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('kms-sim hostile input', () => {
  it('answers mutated Ua and Xk requests with 4xx JSON, never 5xx, and keeps serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kms-fuzz-'));
    const world = await startTicketWorld({
      pkiDir: dir,
      runtime: { logger: () => undefined },
      limits: { ratePerSecond: 100_000, burst: 100_000 },
    });
    let seed = 0x5eed;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const mutate = (b: Buffer): Buffer => {
      const out = Buffer.from(b.subarray(0, rnd(4) === 0 ? rnd(b.length) : b.length));
      for (let i = rnd(4) + 1; i > 0 && out.length > 0; i--) out[rnd(out.length)] ^= 1 + rnd(255);
      return out;
    };
    try {
      const t0 = new Date();
      const call = await ticketCall({ initiator: world.ue(ALICE), responder: world.ue(BOB) });
      const rand = Buffer.alloc(16, 3);
      const requestInit = sealTicketExchangeMessage(
        {
          dataType: DataType.REQUEST_INIT_PSK,
          csbId: 77,
          timestamp: ntpTimestamp(new Date()),
          rand,
          identities: { [IdRole.INITIATOR]: ALICE, [IdRole.KMS]: HOME_KMS },
          ticketPolicy: {
            ticketType: TicketType.THREEGPP_BASE_TICKET,
            subtype: 1,
            version: 1,
            policy: Buffer.alloc(0),
          },
        },
        {
          inkey: world.ue(ALICE).config.psk,
          rand,
          identities: [Buffer.from(ALICE), Buffer.from(HOME_KMS)],
        },
      ).bytes;
      const statuses = new Set<number>();
      for (let i = 0; i < 150; i++) {
        const type = i % 2 ? 'ticketrequest' : 'ticketresolve';
        const r = await httpsPost(
          new URL(`?requesttype=${type}`, world.kms.urls.ua),
          mutate(requestInit),
          {
            tls: { ca: world.ca },
            contentType: 'application/mikey',
            timeoutMs: 5_000,
            maxResponseBytes: 8192,
          },
        );
        statuses.add(r.status);
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        expect(JSON.parse(r.body.toString())).toHaveProperty('error');
        const body = xkRequestFor(call, { kmsIdentity: ALICE, role: 'initiator' }, t0);
        const x = await postXk(world.kms.urls.xk, world.clientTls('mf'), {
          ...body,
          mikey: mutate(call.mikey!.init).toString('base64') || 'AAAA',
        });
        expect([200, 202, 400, 404, 409]).toContain(x.status);
      }
      expect(statuses.size).toBeGreaterThan(1);
      const again = await ticketCall({ initiator: world.ue(ALICE), responder: world.ue(BOB) });
      expect(again.responderKeys).toEqual(again.keys);
    } finally {
      await world.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
