import { X2AttributeType, X2StreamFramer, encodeX2Pdu } from '@app/x2';
import { parseSipMessage } from '@app/sip';
import { sdesCall, sipFlow } from '../apps/lab/src/ue';
import { imsInvite } from '../libs/sip/test/ims-messages';
import { environment, measure, report, secondsOption } from './measure';

const PDUS_PER_ROUND = 2000;
const TLS_CHUNK = 16 * 1024; // a TLS record's worth of plaintext per socket read
const ABSENT = Buffer.from('\u0000NEEDLE-NOT-PRESENT\u0000');

function sipMessages(): Buffer[] {
  const okBody =
    'v=0\r\no=bob 1 1 IN IP6 2001:db8::20\r\ns=-\r\nc=IN IP6 2001:db8::20\r\nt=0 0\r\n' +
    'm=audio 50000 RTP/SAVP 97\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 ' +
    'inline:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNk|2^31\r\n';
  const ok = Buffer.from(
    [
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bK-pcscf-1;rport=5060',
      'Record-Route: <sip:pcscf.ims.example;lr>',
      'From: "Alice" <sip:alice@ims.example>;tag=4fa3',
      'To: <sip:+49-30-123456@ims.example;user=phone>;tag=77b2',
      'P-Asserted-Identity: <tel:+4930123456>',
      'Call-ID: f81d4fae-7dec-11d0-a765-00a0c91e6bf6@ue.ims.example',
      'CSeq: 1 INVITE',
      'Contact: <sip:bob@[2001:db8::20]:5060>',
      'Content-Type: application/sdp',
      `Content-Length: ${okBody.length}`,
      '',
      okBody,
    ].join('\r\n'),
  );
  const bye = Buffer.from(
    [
      'BYE sip:bob@[2001:db8::20]:5060 SIP/2.0',
      'Via: SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bK-pcscf-2',
      'Max-Forwards: 70',
      'From: "Alice" <sip:alice@ims.example>;tag=4fa3',
      'To: <sip:+49-30-123456@ims.example;user=phone>;tag=77b2',
      'Call-ID: f81d4fae-7dec-11d0-a765-00a0c91e6bf6@ue.ims.example',
      'CSeq: 2 BYE',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  const messages = [imsInvite(), ok, bye];
  // Fail loudly before measuring if a sample is not what the benchmark claims to parse.
  for (const m of messages) {
    const parsed = parseSipMessage(m);
    if (parsed.body.length > 0 && !parsed.sdp)
      throw new Error('benchmark SDP sample does not parse');
  }
  return messages;
}

/** The six messages of each of four SDES calls (INVITE, 180, 200, ACK, BYE, 200) as LI sees them. */
function callFlowMessages(): Buffer[] {
  return [1, 2, 3, 4].flatMap((n) => {
    const flow = sipFlow(
      sdesCall({
        initiator: `sip:target-${n}@ims.example`,
        responder: `sip:peer-${n}@ims.example`,
      }),
    );
    return [...flow.setup, ...flow.teardown].map((step) => step.message);
  });
}

function x2Stream(payloads: Buffer[]): Buffer {
  const pdus: Buffer[] = [];
  for (let i = 0; i < PDUS_PER_ROUND; i++) {
    pdus.push(
      encodeX2Pdu({
        pduType: 1,
        payloadFormat: 9,
        payloadDirection: 1 + (i % 2),
        xid: `6f1c2a4e-93b7-4d21-8c55-${String(i % 1000).padStart(12, '0')}`,
        correlationId: BigInt(i),
        attributes: [
          { kind: 'sequenceNumber', type: X2AttributeType.SequenceNumber, sequenceNumber: i },
          {
            kind: 'timestamp',
            type: X2AttributeType.Timestamp,
            seconds: 1_763_900_000 + i,
            nanoseconds: 0,
          },
          { kind: 'text', type: X2AttributeType.NetworkFunctionId, text: 'pcscf-1.ims.example' },
          { kind: 'text', type: X2AttributeType.InterceptionPointId, text: 'gm' },
        ],
        payload: payloads[i % payloads.length],
      }),
    );
  }
  return Buffer.concat(pdus);
}

function chunks(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < stream.length; i += TLS_CHUNK) out.push(stream.subarray(i, i + TLS_CHUNK));
  return out;
}

/** `npm run bench -- parse`: X2 framing/decoding and SIP parsing rates, one core. */
export function runParseBenchmark(args: string[]): void {
  const seconds = secondsOption(args, 2);
  const messages = sipMessages();
  const stream = x2Stream(messages);
  const streamChunks = chunks(stream);
  const sipBytes = messages.reduce((n, m) => n + m.length, 0);
  console.log(`parse benchmark — ${environment()}, ${seconds} s per measurement`);
  console.log(
    `X2 stream: ${PDUS_PER_ROUND} PDUs, ${stream.length} octets in ${TLS_CHUNK}-octet chunks; ` +
      `SIP messages: ${messages.map((m) => m.length).join(' / ')} octets (INVITE+multipart SDP, 200 OK+SDES, BYE)`,
  );

  const x2Baseline = measure(
    'Buffer.indexOf scan of the same octets',
    seconds,
    PDUS_PER_ROUND,
    stream.length,
    () => {
      let found = 0;
      for (const c of streamChunks) found += c.indexOf(ABSENT);
      return found;
    },
  );
  const x2Decode = measure(
    'X2 framing + decode (XID, sequence number, payload)',
    seconds,
    PDUS_PER_ROUND,
    stream.length,
    () => {
      const framer = new X2StreamFramer();
      let n = 0;
      for (const c of streamChunks) {
        for (const pdu of framer.feed(c).pdus)
          n += pdu.xid.length + (pdu.sequenceNumber() ?? 0) + pdu.payload.length;
      }
      return n;
    },
  );
  const ingest = measure(
    'X2 decode + SIP parse of every payload',
    seconds,
    PDUS_PER_ROUND,
    stream.length,
    () => {
      const framer = new X2StreamFramer();
      let n = 0;
      for (const c of streamChunks) {
        for (const pdu of framer.feed(c).pdus) n += parseSipMessage(pdu.payload).headers.length;
      }
      return n;
    },
  );
  report('X2 (PDUs per second)', x2Baseline, [x2Decode, ingest]);

  const sipBaseline = measure(
    'Buffer.indexOf: header end + full scan',
    seconds,
    messages.length,
    sipBytes,
    () => {
      let n = 0;
      for (const m of messages) n += m.indexOf('\r\n\r\n') + m.indexOf(ABSENT);
      return n;
    },
  );
  const sipParse = measure(
    'parseSipMessage (3-message mix)',
    seconds,
    messages.length,
    sipBytes,
    () => {
      let n = 0;
      for (const m of messages) n += parseSipMessage(m).headers.length;
      return n;
    },
  );
  const inviteOnly = measure(
    'parseSipMessage (IMS INVITE, multipart, SDES+MIKEY)',
    seconds,
    1,
    messages[0].length,
    () => parseSipMessage(messages[0]).sdp?.media.length,
  );
  const flow = callFlowMessages();
  const callFlow = measure(
    `parseSipMessage (SDES call flows, ${flow.length} messages)`,
    seconds,
    flow.length,
    flow.reduce((n, m) => n + m.length, 0),
    () => {
      let n = 0;
      for (const m of flow) n += parseSipMessage(m).headers.length;
      return n;
    },
  );
  report('SIP (messages per second)', sipBaseline, [sipParse, inviteOnly, callFlow]);
}
