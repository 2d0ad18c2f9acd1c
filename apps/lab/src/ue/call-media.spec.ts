import { randomBytes } from 'node:crypto';
import { SrtpReceiver } from '@app/srtp';
import { linearToUlaw, streamMedia, ulawTone } from './call-media';
import { SRTP_SUITE } from './simulated-call';

/** µ-law → linear (ITU-T G.711 §3.2 decoding: the segment's step midpoint, bias removed). */
function ulawToLinear(octet: number): number {
  const u = ~octet & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 0x07)) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

describe('UE call media', () => {
  it('encodes G.711 µ-law: the code points of zero and of the extremes', () => {
    expect(linearToUlaw(0)).toBe(0xff);
    expect(linearToUlaw(-1)).toBe(0x7f);
    expect(linearToUlaw(32_767)).toBe(0x80);
    expect(linearToUlaw(-32_768)).toBe(0x00);
    // Step edges: a negative sample's magnitude is its ones' complement (G.191 reference).
    expect([linearToUlaw(4), linearToUlaw(-4), linearToUlaw(-5)]).toEqual([0xfe, 0x7f, 0x7e]);
  });

  it('encodes within the segment step of G.711 µ-law (decoded back, error ≤ half a step)', () => {
    for (let x = -32_000; x <= 32_000; x += 97) {
      const back = ulawToLinear(linearToUlaw(x));
      const step = 8 << ((~linearToUlaw(x) >> 4) & 0x07);
      expect(Math.abs(back - x)).toBeLessThanOrEqual(step / 2 + 1);
    }
  });

  it('packs a tone into 20 ms PCMU packets protected with the stream keys', () => {
    const keys = {
      mediaIndex: 0,
      direction: 'initiator-to-responder' as const,
      csId: 1,
      ssrc: 0x01020304,
      masterKey: randomBytes(16),
      masterSalt: randomBytes(14),
    };
    const audio = ulawTone(440, 1000);
    expect(audio).toHaveLength(8000);
    const m = streamMedia(keys, audio);
    expect(m.clear).toHaveLength(50);
    const r = new SrtpReceiver({
      suite: SRTP_SUITE,
      masterKeys: [{ key: keys.masterKey, salt: keys.masterSalt }],
    });
    const opened = m.srtp.map((p) => r.unprotectRtp(p));
    expect(opened.map((o) => (o.authenticated ? o.packet : undefined))).toEqual(m.clear);
    expect(Buffer.concat(m.clear.map((p) => p.subarray(12)))).toEqual(audio);
    const seqs = m.clear.map((p) => p.readUInt16BE(2));
    expect(seqs.map((s) => (s - seqs[0]) & 0xffff)).toEqual(seqs.map((_, i) => i));
    const ts = m.clear.map((p) => p.readUInt32BE(4));
    expect(ts.map((t) => (t - ts[0]) >>> 0)).toEqual(ts.map((_, i) => 160 * i));
    expect(m.clear.every((p) => p[1] === 0 && p.readUInt32BE(8) === 0x01020304)).toBe(true);
  });
});
