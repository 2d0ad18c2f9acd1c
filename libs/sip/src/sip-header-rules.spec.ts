import { SipParseError, canonicalHeaderName, headersNamed, parseSipMessage } from './index';

const message = (...extra: string[]): Buffer =>
  Buffer.from(
    [
      'OPTIONS sip:bob@ims.example SIP/2.0',
      'Via: SIP/2.0/UDP host.ims.example;branch=z9hG4bK1',
      'From: <sip:alice@ims.example>;tag=1',
      'To: <sip:bob@ims.example>',
      'Call-ID: a@b',
      'CSeq: 1 OPTIONS',
      ...extra,
      '',
      '',
    ].join('\r\n'),
    'latin1',
  );

describe('header names', () => {
  it('resolves names that are also Object.prototype members as extension headers', () => {
    // Before, "constructor" and "__proto__" were looked up on plain objects and their
    // canonical name became a function or an object.
    for (const name of ['Constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const m = parseSipMessage(message(`${name}: x`));
      expect(m.headers[5]).toMatchObject({ name, canonicalName: name.toLowerCase(), value: 'x' });
      expect(headersNamed(m, name)).toHaveLength(1);
      expect(canonicalHeaderName(name)).toBe(name.toLowerCase());
    }
  });

  it('expands compact forms and folds case whichever way a name is written', () => {
    const m = parseSipMessage(message('l: 0', 'x: 1800', 'SESSION-expires: 90', 'X-Foo: y'));
    expect(m.headers.slice(5).map((h) => h.canonicalName)).toEqual([
      'content-length',
      'session-expires',
      'session-expires',
      'x-foo',
    ]);
    expect(m.contentLength).toBe(0);
  });

  it('checks a single-valued header once, whatever the spelling of its rows', () => {
    try {
      parseSipMessage(message('Max-Forwards: 70', 'MAX-FORWARDS: 69'));
      throw new Error('parsed');
    } catch (e) {
      expect(e).toBeInstanceOf(SipParseError);
      expect((e as SipParseError).code).toBe('DUPLICATE_HEADER');
      expect((e as SipParseError).header).toBe('MAX-FORWARDS');
    }
  });
});
