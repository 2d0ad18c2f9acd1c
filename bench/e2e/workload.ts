import { randomUUID } from 'node:crypto';
import {
  encodeX2Pdu,
  timestampAttribute,
  X2AttributeType,
  X2PayloadDirection,
  X2PayloadFormat,
  X2PduType,
} from '@app/x2';
import { sdesCall, sipFlow, ticketCall, type SimulatedCall } from '../../apps/lab/src/ue';
import type { TicketWorld } from '../../apps/lab/src/ticket-world';
import type { BenchTarget } from './mf-child';

/** One X2 PDU of the workload and the SIP message it carries. */
export interface BenchEvent {
  pdu: Buffer;
  sip: Buffer;
  /** Index of the event's call: a call's events go on one connection, in order. */
  call: number;
}

/** Calls whose messages are interleaved, as a P-CSCF with many concurrent calls reports them. */
const INTERLEAVE = 50;
const TICKET_INITIATOR = 'sip:alice@ims.example';
const TICKET_RESPONDER = 'sip:bob@ims.example';

/** The warrant targets: `count` SDES callers, plus the MIKEY-TICKET caller when `withTicket`. */
export function benchTargets(count: number, withTicket: boolean): BenchTarget[] {
  const sdes = Array.from({ length: count }, (_, i) => ({
    liid: `BENCH-${i}`,
    uri: `sip:target-${i}@ims.example`,
    xid: randomUUID(),
  }));
  return withTicket
    ? [...sdes, { liid: 'BENCH-TICKET', uri: TICKET_INITIATOR, xid: randomUUID() }]
    : sdes;
}

/** Encodes the X2 PDU of one SIP message of a target (payload format 9, TS 103 221-2 §5). */
export function x2Event(
  xid: string,
  sip: Buffer,
  fromTarget: boolean,
  seq: number,
  call: number,
): BenchEvent {
  return {
    sip,
    call,
    pdu: encodeX2Pdu({
      pduType: X2PduType.X2,
      payloadFormat: X2PayloadFormat.SipMessage,
      payloadDirection: fromTarget ? X2PayloadDirection.FromTarget : X2PayloadDirection.ToTarget,
      xid,
      correlationId: BigInt(seq),
      attributes: [
        { kind: 'sequenceNumber', type: X2AttributeType.SequenceNumber, sequenceNumber: seq },
        timestampAttribute(),
        { kind: 'text', type: X2AttributeType.NetworkFunctionId, text: 'pcscf-1.ims.example' },
      ],
      payload: sip,
    }),
  };
}

/** The six messages of a call in order, each marked from-target (the target is the initiator). */
function callFlow(call: SimulatedCall): Array<{ message: Buffer; fromTarget: boolean }> {
  const { setup, teardown } = sipFlow(call);
  return [...setup, ...teardown].map((s) => ({
    message: s.message,
    fromTarget: s.sender === 'initiator',
  }));
}

/** The events of `calls` (each with its target's XID), INTERLEAVE calls at a time. */
function interleave(calls: Array<{ call: SimulatedCall; xid: string }>): BenchEvent[] {
  const out: BenchEvent[] = [];
  let seq = 0;
  for (let g = 0; g < calls.length; g += INTERLEAVE) {
    const group = calls
      .slice(g, g + INTERLEAVE)
      .map((c, k) => ({ ...c, index: g + k, flow: callFlow(c.call) }));
    for (let m = 0; m < 6; m++)
      for (const c of group) {
        const step = c.flow[m];
        out.push(x2Event(c.xid, step.message, step.fromTarget, seq++, c.index));
      }
  }
  return out;
}

export interface CallWorkload {
  events: BenchEvent[];
  calls: number;
  ticketCalls: number;
  /** IRI records the LEA must receive: one per event, one more (keys) per MIKEY-TICKET call. */
  expectedRecords: number;
}

/**
 * `events` SIP events (rounded up to whole calls of 6 messages, INVITE/180/200/ACK/BYE/200 with
 * SDP offer and answer) spread over the SDES targets; `ticketCalls` of them are real
 * MIKEY-TICKET calls made through the lab KMS (`world`), whose keys the MF fetches over Xk.
 */
export async function callWorkload(
  events: number,
  targets: BenchTarget[],
  ticketCalls: number,
  world?: TicketWorld,
): Promise<CallWorkload> {
  const sdesTargets = targets.filter((t) => t.uri !== TICKET_INITIATOR);
  const ticketTarget = targets.find((t) => t.uri === TICKET_INITIATOR);
  const total = Math.ceil(events / 6);
  const tickets = world && ticketTarget ? Math.min(ticketCalls, total) : 0;
  const calls: Array<{ call: SimulatedCall; xid: string }> = [];
  const ticketEvery = tickets ? Math.floor(total / tickets) : Infinity;
  for (let i = 0; i < total; i++) {
    if (world && ticketTarget && i % ticketEvery === 0 && i / ticketEvery < tickets) {
      const call = await ticketCall({
        initiator: world.ue(TICKET_INITIATOR),
        responder: world.ue(TICKET_RESPONDER),
      });
      calls.push({ call, xid: ticketTarget.xid });
    } else {
      const t = sdesTargets[i % sdesTargets.length];
      calls.push({
        call: sdesCall({ initiator: t.uri, responder: `sip:peer-${i}@ims.example` }),
        xid: t.xid,
      });
    }
  }
  return {
    events: interleave(calls),
    calls: total,
    ticketCalls: tickets,
    expectedRecords: total * 6 + tickets,
  };
}

/** `count` INVITEs of distinct calls (each opens a session that stays open). */
export function inviteWorkload(count: number, targets: BenchTarget[], from = 0): BenchEvent[] {
  const sdesTargets = targets.filter((t) => t.uri !== TICKET_INITIATOR);
  return Array.from({ length: count }, (_, i) => {
    const t = sdesTargets[(from + i) % sdesTargets.length];
    const call = sdesCall({ initiator: t.uri, responder: `sip:peer-${from + i}@ims.example` });
    return x2Event(t.xid, call.inviteAtLi, true, from + i, from + i);
  });
}
