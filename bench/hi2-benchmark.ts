import {
  EncodedPsPduWriter,
  EpsIRIContent,
  encodeEpsIriContent,
  encodeWithAsnSerializer,
  IriBuilder,
  IriEvent,
  ImsEvent,
  recordParts,
} from '@app/hi2';
import { parseSipMessage } from '@app/sip';
import { sdesCall, sipFlow } from '../apps/lab/src/ue';
import { partiesOf } from '../apps/mf/src/interception/target-match';
import { environment, measure, report, secondsOption } from './measure';

/**
 * The IRI events of one SDES call as the MF builds them (interception-pipeline: parties from the
 * SIP identities, the SIP message, CIN correlation, the operator's network identifier), plus the
 * `keys`-mode variants of INVITE and 200 OK and a REPORT with national parameters.
 */
function callEvents(): IriEvent[] {
  const call = sdesCall({
    initiator: 'sip:target-1@ims.example',
    responder: 'sip:peer-1@ims.example',
  });
  const { setup, teardown } = sipFlow(call);
  const types = ['BEGIN', 'CONTINUE', 'CONTINUE', 'CONTINUE', 'CONTINUE', 'END'] as const;
  const keys = call.keys
    .slice(0, 2)
    .map((k) => ({ csId: k.cryptoTag ?? 1, masterKey: k.masterKey, masterSalt: k.masterSalt }));
  const events: IriEvent[] = [];
  [...setup, ...teardown].forEach((step, i) => {
    const sip = parseSipMessage(step.message);
    const event: IriEvent = {
      liid: 'LIID-BENCH-0001',
      type: types[i],
      timestamp: new Date(Date.UTC(2025, 4, 6, 7, 8, 9 + i)),
      initiator: 'originating',
      parties: partiesOf(sip),
      imsEvent: ImsEvent.unfilteredSIPmessage,
      sipMessage: sip.raw,
      correlation: { iri: '4242' },
    };
    events.push(event);
    if (step.label === 'INVITE' || step.label === '200 (INVITE)') events.push({ ...event, keys });
  });
  events.push({
    ...events[0],
    type: 'REPORT',
    nationalParameters: [Buffer.from('NP-B'), Buffer.from('NP-A')],
  });
  return events;
}

/**
 * `npm run bench -- hi2`: the MF's per-record HI2 work (IriBuilder.build + DER encoding of one
 * TS 33.108 EpsIRIContent), the encoding alone against asn1-schema's AsnSerializer (the
 * reference encoder of the specs) and the PS-PDU wrapping of a stored record for the TLS LEA,
 * next to a copy of the same record octets, one core.
 */
export function runHi2Benchmark(args: string[]): void {
  const seconds = secondsOption(args, 2);
  const events = callEvents();
  const builder = new IriBuilder({ networkIdentifier: { operatorId: 'OP1' } });
  const records = events.map((e) => builder.build(e));
  const encoded = records.map((r) => encodeEpsIriContent(r));
  const bytes = encoded.reduce((n, r) => n + r.length, 0);
  // Fail loudly before measuring if the two encoders disagree.
  events.forEach((e, i) => {
    if (!encodeWithAsnSerializer(builder.build(e), EpsIRIContent).equals(encoded[i]))
      throw new Error(`record ${i}: the DER writer and AsnSerializer disagree`);
  });
  console.log(`hi2 benchmark — ${environment()}, ${seconds} s per measurement`);
  console.log(
    `${events.length} IRI records of one SDES call (4 with keys), ${bytes} octets (mean ${Math.round(bytes / events.length)})`,
  );
  const n = events.length;
  const baseline = measure('copy of the encoded records (Buffer.from)', seconds, n, bytes, () => {
    let s = 0;
    for (const r of encoded) s += Buffer.from(r).length;
    return s;
  });
  const perRecord = measure(
    'build + encode + LIID/type (the MF per record)',
    seconds,
    n,
    bytes,
    () => {
      let s = 0;
      for (const e of events) {
        const record = builder.build(e);
        const { kind, parameters } = recordParts(record);
        s += encodeEpsIriContent(record).length + kind.length;
        s += parameters.lawfulInterceptionIdentifier.length;
      }
      return s;
    },
  );
  const build = measure('IriBuilder.build', seconds, n, 0, () => {
    let s = 0;
    for (const e of events) s += builder.build(e).iRIBeginRecord ? 1 : 0;
    return s;
  });
  const encode = measure('encodeEpsIriContent (DER writer)', seconds, n, bytes, () => {
    let s = 0;
    for (const r of records) s += encodeEpsIriContent(r).length;
    return s;
  });
  const reference = measure('AsnSerializer + SET OF sort (reference)', seconds, n, bytes, () => {
    let s = 0;
    for (const r of records) s += encodeWithAsnSerializer(r, EpsIRIContent).length;
    return s;
  });
  const writer = new EncodedPsPduWriter({
    operatorIdentifier: 'OP1',
    networkElementIdentifier: 'mf-1',
  });
  const wrap = measure('EncodedPsPduWriter.iri (TLS delivery)', seconds, n, bytes, () => {
    let s = 0;
    encoded.forEach((r, i) => (s += writer.iri(r, { sequenceNumber: i, cin: 4242 }).length));
    return s;
  });
  report('HI2 IRI records (records per second)', baseline, [
    perRecord,
    build,
    encode,
    reference,
    wrap,
  ]);
  const times = (encode.opsPerSecond / reference.opsPerSecond).toFixed(1);
  console.log(`DER writer: ${times}x the records per second of AsnSerializer`);
}
