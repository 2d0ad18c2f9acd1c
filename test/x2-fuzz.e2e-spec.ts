import { randomBytes, randomUUID } from 'node:crypto';
import {
  X2AttributeType as T,
  X2DecodeErrorCode,
  X2PayloadFormat,
  X2PduType,
  encodeX2Pdu,
} from '@app/x2';
import { IMS_AUDIO_KEY, imsInvite } from '../libs/sip/test/ims-messages';
import {
  deleteRange,
  flipBits,
  insertRandom,
  repeatRange,
  setOctets,
  splice,
  truncate,
} from './support/byte-mutators';
import { IngestMf, sdesCallMessages, x2SipPdu } from './support/ingest-mf';
import { rtpPacket } from './support/ip-packets';
import { SeededRandom, fuzzSeed } from './support/seeded-random';
import { until } from './support/until';

jest.setTimeout(60_000);

const CONNECTIONS = 40;
const PDUS_PER_CONNECTION = 50;
const CALL_KINDS = ['BEGIN', 'CONTINUE', 'CONTINUE', 'CONTINUE', 'CONTINUE', 'END'];

/**
 * The last PDU of a broken stream, and the framing error (TS 103 221-2 §5.2) the MF must count
 * for it. Each closes the connection: the stream cannot resynchronise.
 */
const BREAKS: [X2DecodeErrorCode, (pdu: Buffer) => Buffer][] = [
  ['UNSUPPORTED_MAJOR_VERSION', (p) => withByte(p, 0, 1)],
  ['HEADER_LENGTH_TOO_SMALL', (p) => withU32(p, 4, 39)],
  ['HEADER_TOO_LARGE', (p) => withU32(p, 4, 0xffffffff)],
  ['PAYLOAD_TOO_LARGE', (p) => withU32(p, 8, 0xffffffff)],
  // two octets of a TLV header inside Header Length, the PDU's total length unchanged
  ['MALFORMED_ATTRIBUTES', (p) => withU32(withU32(p, 4, 42), 8, p.readUInt32BE(8) - 2)],
  ['TRUNCATED', (p) => p.subarray(0, p.length - 1)], // the NE closes inside the PDU
];

function withByte(p: Buffer, at: number, value: number): Buffer {
  const out = Buffer.from(p);
  out[at] = value;
  return out;
}

function withU32(p: Buffer, at: number, value: number): Buffer {
  const out = Buffer.from(p);
  out.writeUInt32BE(value, at);
  return out;
}

/**
 * A well-framed PDU with mutated content: a mutated SIP message, odd header fields or
 * malformed attributes, or X3 with junk media; for the fuzz XID or one no warrant has.
 */
function mutatedPdu(rnd: SeededRandom, xid: string, corpus: Buffer[]): Buffer {
  const sip = rnd.pick(corpus);
  const payload = rnd.pick([
    () => flipBits(rnd, sip),
    () => setOctets(rnd, sip),
    () => truncate(rnd, sip),
    () => insertRandom(rnd, sip),
    () => deleteRange(rnd, sip),
    () => repeatRange(rnd, sip),
    () => splice(rnd, sip, rnd.pick(corpus)),
  ])();
  const base = {
    pduType: X2PduType.X2,
    payloadFormat: X2PayloadFormat.SipMessage,
    payloadDirection: rnd.int(2, 3),
    xid: rnd.int(0, 9) ? xid : randomUUID(),
    correlationId: BigInt(rnd.int(0, 20)),
    payload,
  };
  switch (rnd.int(0, 4)) {
    case 0:
      return encodeX2Pdu({
        ...base,
        pduType: rnd.pick([1, 2, 3, 4, 5, 0xffff]),
        payloadFormat: rnd.int(0, 20),
        payloadDirection: rnd.int(0, 7),
        payload: sip,
      });
    case 1: // malformed attributes, which the MF must do without (also on keepalives)
      return encodeX2Pdu({
        ...base,
        pduType: rnd.pick([X2PduType.X2, X2PduType.Keepalive]),
        payload: sip,
        attributes: [
          { type: T.SequenceNumber, value: rnd.bytes(rnd.int(0, 6)) },
          { type: T.Timestamp, value: Buffer.from('00000001ffffffff', 'hex') },
          { type: T.NetworkFunctionId, value: Buffer.from([0xc3, 0x28]) },
          { type: rnd.int(0, 0xffff), value: rnd.bytes(rnd.int(0, 40)) },
        ],
      });
    case 2: // X3: junk, or valid RTP with a malformed Timestamp
      return encodeX2Pdu({
        ...base,
        pduType: X2PduType.X3,
        payloadFormat: rnd.pick([5, 6, 8]),
        payload: rnd.bytes(rnd.int(0, 300)),
      });
    case 3:
      return encodeX2Pdu({
        ...base,
        pduType: X2PduType.X3,
        payloadFormat: X2PayloadFormat.RtpPacket,
        attributes: [{ type: T.Timestamp, value: Buffer.alloc(8, 0xff) }],
        payload: rtpPacket({ sequenceNumber: 1, timestamp: 2, ssrc: 3, payload: rnd.bytes(160) }),
      });
    default:
      return encodeX2Pdu(base);
  }
}

describe('X2 listener fuzz: mutated PDU streams over mutual TLS', () => {
  let mf: IngestMf;

  beforeAll(async () => {
    mf = await IngestMf.start();
  });
  afterAll(async () => {
    await mf.close();
  });

  it('an SDP with SDES keys and media the CSP cannot key: keys in the IRI, the rest alarmed', async () => {
    // The IMS INVITE: SDES audio, and a session-level a=key-mgmt whose MIKEY does not decode.
    // Both in one record made the IRI builder throw and failed the pipeline's whole batch.
    const w = { xid: randomUUID(), liid: 'LIID-MIXED-KEYS' };
    await mf.addWarrant(w);
    const failures = () => mf.metric('mf_pipeline_batch_failures_total');
    const before = await failures();
    await mf.send([x2SipPdu(w.xid, imsInvite(), 1)]);
    const [begin] = await mf.records(w.liid);
    expect(begin.kind).toBe('BEGIN');
    expect(begin.parameters.mediaDecryptionInfo?.map((k) => k.cCDecKey)).toEqual([IMS_AUDIO_KEY]);
    expect(begin.parameters.mediaSecFailureIndication).toBeUndefined();
    const [alarm] = (await mf.audits('keys.undecryptable')).filter((a) => a.liid === w.liid);
    expect(alarm.outcome).toBe('alarm');
    expect((await failures()) - before).toBe(0);
  });

  it(`${CONNECTIONS * PDUS_PER_CONNECTION} mutated PDUs on ${CONNECTIONS} connections, half ending in a framing error, while a call goes through`, async () => {
    const good = { xid: randomUUID(), liid: 'LIID-FUZZ-GOOD' };
    const fuzz = { xid: randomUUID(), liid: 'LIID-FUZZ' };
    await mf.addWarrant(good);
    await mf.addWarrant(fuzz);
    const keys = { alice: randomBytes(30), bob: randomBytes(30) };
    const call = sdesCallMessages('fuzz-good@ims.example', keys).map((m, i) =>
      x2SipPdu(good.xid, m, i),
    );
    const corpus = [...sdesCallMessages('fuzz@ims.example', keys), imsInvite()];
    const metric = (name: string, labels: Record<string, string> = {}) => mf.metric(name, labels);
    const counters = async () => ({
      pdus: await metric('mf_x2_pdus_total'),
      framing: await Promise.all(
        BREAKS.map(([code]) => metric('mf_x2_framing_errors_total', { code })),
      ),
      closedBroken: await metric('mf_x2_connections_closed_total', { reason: 'framing-error' }),
      closedClean: await metric('mf_x2_connections_closed_total', { reason: 'peer-closed' }),
      issues: await metric('mf_x2_pdu_issues_total'),
      sipErrors: await metric('mf_sip_parse_errors_total'),
      batchFailures: await metric('mf_pipeline_batch_failures_total'),
    });
    const before = await counters();

    const caller = await mf.connectX2();
    caller.write(Buffer.concat(call.slice(0, 3))); // INVITE, 180, 200 OK

    const rnd = new SeededRandom(fuzzSeed(0xe2e0f022));
    const broken = new Map<string, X2DecodeErrorCode>();
    const clean = new Set<string>();
    for (let c = 0; c < CONNECTIONS; c++) {
      const pdus = Array.from({ length: PDUS_PER_CONNECTION }, () =>
        mutatedPdu(rnd, fuzz.xid, corpus),
      );
      const [code, breakPdu] = BREAKS[(c >> 1) % BREAKS.length];
      if (c % 2) pdus.push(breakPdu(x2SipPdu(fuzz.xid, rnd.pick(corpus), 0)));
      const s = await mf.connectX2();
      const address = `127.0.0.1:${s.localPort}`;
      if (c % 2) broken.set(address, code);
      else clean.add(address);
      s.on('error', () => undefined); // a reset after a framing error is the expected end
      s.resume(); // keepalive acknowledgements: read and dropped, so that the close comes
      const closed = new Promise<void>((r) => s.once('close', () => r()));
      s.end(Buffer.concat(pdus));
      await closed;
    }

    expect(caller.destroyed).toBe(false);
    const callerClosed = new Promise<void>((r) => caller.once('close', () => r()));
    caller.end(Buffer.concat(call.slice(3))); // ACK, BYE, 200 OK
    await callerClosed;
    await mf.ingest.pipeline.drain();
    await mf.ingest.content.drain();

    // The call on the clean connection is whole and in order, under one CIN.
    const got = await mf.records(good.liid);
    expect(got.map((r) => r.kind)).toEqual(CALL_KINDS);
    expect(new Set(got.map((r) => r.cin)).size).toBe(1);
    // The mutated SIP of the fuzz target became IRIs that decode (malformed ones as REPORT).
    const fuzzed = await mf.records(fuzz.liid);
    expect(fuzzed.length).toBeGreaterThan(0);
    expect(fuzzed.some((r) => r.kind === 'REPORT')).toBe(true);

    const after = await counters();
    // No PDU failed its batch (a malformed Timestamp did, taking other connections' PDUs along).
    expect(after.batchFailures - before.batchFailures).toBe(0);
    expect(after.pdus - before.pdus).toBe(CONNECTIONS * PDUS_PER_CONNECTION + call.length);
    const perCode = BREAKS.map(([code]) => [...broken.values()].filter((c) => c === code).length);
    expect(after.framing.map((n, i) => n - before.framing[i])).toEqual(perCode);
    expect(after.closedBroken - before.closedBroken).toBe(broken.size);
    expect(after.closedClean - before.closedClean).toBe(clean.size + 1);
    expect(after.issues - before.issues).toBeGreaterThan(0);
    const malformed = (await mf.audits('x2.sip.malformed')).filter((a) => a.liid === fuzz.liid);
    expect(malformed.length).toBeGreaterThan(0);
    expect(after.sipErrors - before.sipErrors).toBe(malformed.length);

    // Every connection's end is audited: a failure with its framing error, or a clean close.
    const closes = async () =>
      new Map(
        (await mf.audits('x2.connection.closed')).map((a) => {
          const d = JSON.parse(a.details!) as { remoteAddress: string; reason: string };
          return [d.remoteAddress, { outcome: a.outcome, details: d }];
        }),
      );
    await until('every close audited', async () => {
      const seen = await closes();
      return [...broken.keys(), ...clean].every((a) => seen.has(a));
    });
    const audited = await closes();
    for (const [address, code] of broken) {
      expect(audited.get(address)).toMatchObject({
        outcome: 'failure',
        details: {
          reason: 'framing-error',
          detail: expect.stringMatching(new RegExp(`^${code} `)),
        },
      });
    }
    for (const address of clean) {
      expect(audited.get(address)).toMatchObject({
        outcome: 'success',
        details: { reason: 'peer-closed' },
      });
    }
  });
});
