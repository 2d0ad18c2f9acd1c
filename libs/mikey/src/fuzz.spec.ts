import { dhInit, everyPayloadMessage, pskInit } from '../fixtures/sample-messages';
import {
  MikeyCryptoError,
  MikeyDecodeError,
  classifyKeyManagement,
  decodeKeyDataList,
  decodeMikey,
  encodeMikey,
  mikeyFromKeyMgmt,
} from './index';

/** Seeded, bounded fuzzing: FUZZ_ITERATIONS (default 2000 per corpus entry) mutated inputs. */
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 2000);

/** mulberry32: small deterministic PRNG so that failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(input: Buffer, rnd: () => number): Buffer {
  const b = Buffer.from(input);
  const r = rnd();
  if (r < 0.15) return b.subarray(0, Math.floor(rnd() * b.length));
  if (r < 0.25) return Buffer.concat([b, Buffer.from([Math.floor(rnd() * 256)])]);
  if (r < 0.3)
    return Buffer.from(
      Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)),
    );
  const flips = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < flips && b.length > 0; i++) {
    const at = Math.floor(rnd() * b.length);
    b[at] = rnd() < 0.5 ? b[at] ^ (1 << Math.floor(rnd() * 8)) : Math.floor(rnd() * 256);
  }
  return b;
}

const corpus: [string, Buffer][] = [
  ['PSK I_MESSAGE', pskInit()],
  ['DH I_MESSAGE', dhInit()],
  ['every payload', encodeMikey(everyPayloadMessage()).bytes],
];

describe(`MIKEY decoder fuzzing (${ITERATIONS} mutations per input)`, () => {
  it.each(corpus)('%s: mutations decode or fail with a typed error', (_name, seed) => {
    const rnd = rng(0xc0ffee ^ seed.length);
    let decoded = 0;
    let rejected = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const input = mutate(seed, rnd);
      try {
        const out = decodeMikey(input);
        classifyKeyManagement(out.message);
        // Whatever decodes re-encodes to a message that decodes the same (reserved bits, such as
        // the DH Reserv field, are ignored on receipt and sent as zero).
        const canonical = encodeMikey(out.message).bytes;
        if (!encodeMikey(decodeMikey(canonical).message).bytes.equals(canonical)) {
          throw new Error(`re-encoding is not stable for input ${input.toString('hex')}`);
        }
        decoded++;
      } catch (e) {
        if (!(e instanceof MikeyDecodeError) && !(e instanceof MikeyCryptoError)) throw e;
        rejected++;
      }
    }
    expect(decoded + rejected).toBe(ITERATIONS);
    expect(rejected).toBeGreaterThan(0);
  });

  it('key data lists and key-mgmt values never throw untyped errors', () => {
    const rnd = rng(42);
    for (let i = 0; i < ITERATIONS; i++) {
      const bytes = Buffer.from(
        Array.from({ length: Math.floor(rnd() * 48) }, () => Math.floor(rnd() * 256)),
      );
      for (const f of [
        () => decodeKeyDataList(bytes, rnd() < 0.5),
        () => mikeyFromKeyMgmt(`mikey ${bytes.toString('latin1')}`),
      ]) {
        try {
          f();
        } catch (e) {
          if (!(e instanceof MikeyDecodeError)) throw e;
        }
      }
    }
  });
});
