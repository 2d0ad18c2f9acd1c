import RECORDED from '../test/parse-golden-digests.json';
import { goldenFamilies, outcomeDigest } from '../test/parse-golden';
import { parseSipMessage, redactSdesKeys } from './index';

/** Everything a caller gets from the parser: the message and its SDES-redacted octets. */
const parse = (bytes: Buffer): unknown => {
  const message = parseSipMessage(bytes);
  return { message, redacted: redactSdesKeys(message) };
};

describe('parseSipMessage gives the results recorded before its speed-up (test/parse-golden.ts)', () => {
  const families = goldenFamilies();
  const recorded: Record<string, string> = RECORDED;

  it('covers the RFC 4475 and IMS corpora and the handmade messages, each with its variants', () => {
    expect(families.map((f) => f.name)).toEqual(Object.keys(recorded));
    expect(families.reduce((n, f) => n + f.variants.length, 0)).toBeGreaterThan(2000);
  });

  it.each(families.map((f): [string, (typeof families)[number]] => [f.name, f]))(
    '%s: every variant parses to, or is rejected with, exactly what was recorded',
    (name, family) => {
      expect(outcomeDigest(parse, family)).toBe(recorded[name]);
    },
  );
});
