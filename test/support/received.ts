import { ReceivedSnapshot } from '../../apps/lab/src/lea/received-log';

export const b64 = (b: Buffer): string => b.toString('base64');

/** Records of a lab LEA snapshot in arrival order, per LIID (base64 BER). */
export function perLiid(s: ReceivedSnapshot): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of s.records) out.set(r.liid, [...(out.get(r.liid) ?? []), r.ber]);
  return out;
}

/** TLS: every (LIID, CIN) stream numbered 0, 1, 2 … without gap. */
export function expectContinuousStreams(s: ReceivedSnapshot): void {
  expect(s.gaps).toEqual([]);
  const streams = new Map<string, number[]>();
  for (const r of s.records) {
    const k = `${r.liid}/${r.cin ?? '-'}`;
    streams.set(k, [...(streams.get(k) ?? []), r.seq!]);
  }
  for (const seqs of streams.values()) expect(seqs).toEqual(seqs.map((_, i) => i));
}
