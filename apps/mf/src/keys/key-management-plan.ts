import type { CryptoSessionKeys } from '@app/hi2';
import {
  classifyKeyManagement,
  DataType,
  decodeMikey,
  KeyManagementClassification,
  MikeyDecodeError,
} from '@app/mikey';
import { isMikey, SessionDescription } from '@app/sip';

/**
 * What the MF can do about the media keys of one SDP (ARCHITECTURE.md §3.5; seed 003):
 * - `sdes`: the keys are in the signalling (RFC 4568 a=crypto inline); CS ID = crypto tag.
 * - `ticket`: a MIKEY-TICKET TRANSFER_INIT (RFC 6043 §5.3): ask the KMS over Xk.
 * - `undecryptable`: end-to-end key management the CSP has no keys for (MIKEY PSK/PK/DH/…),
 *   or key-management data that cannot be decoded: the IRI carries mediaSecFailureIndication.
 * Media lines without any key management (plain RTP) need nothing.
 * A session-level a=key-mgmt applies to every m= line (RFC 4567 §3.1): the same MIKEY
 * message is planned once, with all the media lines it covers.
 */
export type KeyManagementStep =
  | { kind: 'sdes'; mediaIndexes: number[]; keys: CryptoSessionKeys[] }
  | {
      kind: 'ticket';
      mediaIndexes: number[];
      mikey: Buffer;
      classification: KeyManagementClassification;
    }
  | { kind: 'undecryptable'; mediaIndexes: number[]; scheme: string; reason: string };

/** Steps for the key management of `sdp`, in m= line order. */
export function planKeyManagement(sdp: SessionDescription): KeyManagementStep[] {
  const steps: KeyManagementStep[] = [];
  const mikeySteps = new Map<string, KeyManagementStep | undefined>();
  for (const m of sdp.media) {
    const keys = m.crypto.flatMap((c) =>
      c.keys
        .filter((k) => k.masterKey)
        .map((k) => ({
          csId: c.tag,
          masterKey: k.masterKey!,
          ...(k.masterSalt ? { masterSalt: k.masterSalt } : {}),
        })),
    );
    if (keys.length) steps.push({ kind: 'sdes', mediaIndexes: [m.index], keys });
    else if (m.crypto.length) {
      steps.push({
        kind: 'undecryptable',
        mediaIndexes: [m.index],
        scheme: 'sdes',
        reason: 'a=crypto without an inline key of a known suite (RFC 4568 §6.1)',
      });
    }
    for (const km of m.keyMgmt) {
      if (!isMikey(km)) {
        steps.push({
          kind: 'undecryptable',
          mediaIndexes: [m.index],
          scheme: km.protocol,
          reason: `key management protocol ${km.protocol} is not supported (RFC 4567 §3)`,
        });
        continue;
      }
      const id = km.data.toString('base64');
      if (mikeySteps.has(id)) {
        mikeySteps.get(id)?.mediaIndexes.push(m.index);
        continue;
      }
      const step = mikeyStep(km.data, m.index);
      mikeySteps.set(id, step);
      if (step) steps.push(step);
    }
  }
  return steps;
}

/** The step for one MIKEY message; none for a TRANSFER_RESP (nothing to do). */
function mikeyStep(data: Buffer, mediaIndex: number): KeyManagementStep | undefined {
  let classification: KeyManagementClassification;
  try {
    classification = classifyKeyManagement(decodeMikey(data).message);
  } catch (e) {
    const reason =
      e instanceof MikeyDecodeError
        ? `malformed MIKEY: ${e.code} at offset ${e.offset}`
        : 'malformed MIKEY';
    return { kind: 'undecryptable', mediaIndexes: [mediaIndex], scheme: 'mikey', reason };
  }
  const dataType = classification.dataType as DataType;
  if (dataType === DataType.TRANSFER_INIT) {
    return { kind: 'ticket', mediaIndexes: [mediaIndex], mikey: data, classification };
  }
  if (dataType === DataType.TRANSFER_RESP) {
    return undefined; // the session's keys are those of the TRANSFER_INIT's ticket (RFC 6043 §5.4)
  }
  return {
    kind: 'undecryptable',
    mediaIndexes: [mediaIndex],
    scheme: classification.scheme,
    reason: classification.reason,
  };
}
