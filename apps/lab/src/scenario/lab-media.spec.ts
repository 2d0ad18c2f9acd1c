import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamMedia, ulawTone } from '../ue';
import type { IriView } from './iri-view';
import { judgeMedia, type SentMedia } from './lab-media';

const keys = (ssrc: number, direction: 'initiator-to-responder' | 'responder-to-initiator') => ({
  mediaIndex: 0,
  direction,
  ssrc,
  masterKey: randomBytes(16),
  masterSalt: randomBytes(14),
});

describe('lab media verdict (TLS LEA, mode decrypted)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-media-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sent: SentMedia = {
    fromTarget: streamMedia(keys(1, 'initiator-to-responder'), ulawTone(440, 200)),
    toTarget: streamMedia(keys(2, 'responder-to-initiator'), ulawTone(660, 200)),
  };
  const asCc = (packets: Buffer[]) =>
    packets.map((p, seq) => ({ liid: 'L', cin: 1, seq, rtp: p.toString('base64') }));
  const iri = (n: number): IriView => ({
    type: 'BEGIN',
    parties: {},
    keys: Array.from({ length: n }, () => ({ csId: 1, masterKey: randomBytes(16) })),
    failureIndication: false,
  });
  const both = [...sent.toTarget.clear, ...sent.fromTarget.clear];

  it('holds when every packet is the clear one sent and no key is on HI2; writes the WAV', () => {
    const v = judgeMedia('call', sent, asCc(both), [iri(0)], dir, 'ok');
    expect(v).toMatchObject({ ok: true, received: 20, sent: 20, clearMatches: true, keysOnHi2: 0 });
    const wav = readFileSync(v.wavFile!);
    const data = wav.subarray(46);
    // Left channel: the target's tone; right: the other party's.
    expect(data.filter((_, i) => i % 2 === 0)).toEqual(sent.fromTarget.audio);
    expect(data.filter((_, i) => i % 2 === 1)).toEqual(sent.toTarget.audio);
  });

  it('fails on encrypted (as received) media, on a missing packet and on keys on HI2', () => {
    const encrypted = judgeMedia('call', sent, asCc(sent.fromTarget.srtp), [iri(0)], dir, 'x');
    expect(encrypted.clearMatches).toBe(false);
    expect(encrypted.ok).toBe(false);
    expect(judgeMedia('call', sent, asCc(both.slice(1)), [iri(0)], dir, 'y').ok).toBe(false);
    const keyed = judgeMedia('call', sent, asCc(both), [iri(2)], dir, 'z');
    expect(keyed).toMatchObject({ ok: false, clearMatches: true, keysOnHi2: 2 });
  });
});
