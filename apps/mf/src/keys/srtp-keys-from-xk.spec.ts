import { createHmac } from 'node:crypto';
import { PrfFunc } from '@app/mikey';
import type { XkResolved } from '@app/xk';
import { srtpKeysFromXk } from './srtp-keys-from-xk';

/**
 * RFC 3830 §4.1.2 P-function written out independently for a 16-octet TGK (one 256-bit chunk,
 * so PRF = P(tgk, label, m)), and the §4.1.3 label: constant ‖ cs_id ‖ csb_id ‖ RAND.
 */
function referencePrf(
  tgk: Buffer,
  constant: number,
  csId: number,
  csbId: number,
  rand: Buffer,
  len: number,
): Buffer {
  const label = Buffer.alloc(9 + rand.length);
  label.writeUInt32BE(constant, 0);
  label.writeUInt8(csId, 4);
  label.writeUInt32BE(csbId, 5);
  rand.copy(label, 9);
  const out: Buffer[] = [];
  let a = label;
  while (Buffer.concat(out).length < len) {
    a = createHmac('sha1', tgk).update(a).digest();
    out.push(
      createHmac('sha1', tgk)
        .update(Buffer.concat([a, label]))
        .digest(),
    );
  }
  return Buffer.concat(out).subarray(0, len);
}

describe('srtpKeysFromXk', () => {
  const tgk = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
  const rand = Buffer.from('f0e1d2c3b4a5968778695a4b3c2d1e0f', 'hex');
  const answer: XkResolved = {
    requestId: '7d4c1e2a-9b3f-4a5e-8c6d-0e1f2a3b4c5d',
    status: 'resolved',
    source: 'terminal-resolve',
    signallingIntact: true,
    csbId: 0x01020304,
    rand: rand.toString('base64'),
    keys: [
      { csId: 1, kind: 'TGK', key: tgk.toString('base64') },
      {
        csId: 2,
        kind: 'TEK',
        key: Buffer.alloc(16, 9).toString('base64'),
        salt: Buffer.alloc(14, 8).toString('base64'),
      },
    ],
    validity: { notBefore: '2026-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z' },
  };

  it('derives the SRTP master key and salt of a TGK per RFC 3830 §4.1.3', () => {
    const [k1] = srtpKeysFromXk(answer, PrfFunc.MIKEY_1);
    expect(k1.csId).toBe(1);
    expect(k1.masterKey).toEqual(referencePrf(tgk, 0x2ad01c64, 1, 0x01020304, rand, 16));
    expect(k1.masterSalt).toEqual(referencePrf(tgk, 0x39a2c14b, 1, 0x01020304, rand, 14));
  });

  it('passes a TEK and its salt through unchanged', () => {
    const [, k2] = srtpKeysFromXk(answer, PrfFunc.MIKEY_1);
    expect(k2).toEqual({
      csId: 2,
      masterKey: Buffer.alloc(16, 9),
      masterSalt: Buffer.alloc(14, 8),
    });
  });

  it('gives different keys under the SHA-256 PRF of RFC 6043', () => {
    const [a] = srtpKeysFromXk(answer, PrfFunc.MIKEY_1);
    const [b] = srtpKeysFromXk(answer, PrfFunc.PRF_HMAC_SHA_256);
    expect(b.masterKey).toHaveLength(16);
    expect(b.masterKey).not.toEqual(a.masterKey);
  });
});
