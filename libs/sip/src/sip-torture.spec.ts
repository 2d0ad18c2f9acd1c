import { RFC4475_MESSAGES } from '../test/rfc4475-messages';
import { SipMessage, SipParseError, parseSipMessage, headersNamed } from './index';

function parseError(bytes: Buffer): SipParseError {
  try {
    parseSipMessage(bytes);
  } catch (e) {
    if (e instanceof SipParseError) return e;
    throw e;
  }
  throw new Error('parsed without error');
}

const byName = (name: string): Buffer => RFC4475_MESSAGES.find((m) => m.name === name)!.bytes;

describe('RFC 4475 torture messages', () => {
  const valid = RFC4475_MESSAGES.filter((m) => !m.error);
  const invalid = RFC4475_MESSAGES.filter((m) => m.error);

  it('covers the parser, transaction and application test messages of RFC 4475 §3', () => {
    expect(RFC4475_MESSAGES).toHaveLength(49);
    expect(invalid).toHaveLength(22);
  });

  it.each(valid)('§$section $name is well formed', ({ bytes }) => {
    const msg = parseSipMessage(bytes);
    expect(msg.raw).toBe(bytes);
    expect(msg.body.length + msg.trailingOctets).toBe(bytes.length - bytes.indexOf('\r\n\r\n') - 4);
  });

  it.each(invalid)('§$section $name is rejected with $error', ({ bytes, error }) => {
    expect(parseError(bytes).code).toBe(error);
  });

  describe('details RFC 4475 calls out', () => {
    let wsinv: SipMessage;
    beforeAll(() => {
      wsinv = parseSipMessage(byName('wsinv'));
    });

    it('§3.1.1.1 unfolds, expands compact forms and reads quoted-pairs', () => {
      expect(wsinv.method).toBe('INVITE');
      expect(wsinv.to.parameters).toEqual([{ name: 'tag', value: '1918181833n' }]);
      expect(wsinv.from.displayName).toBe('J Rosenberg \\"');
      expect(wsinv.identity.from.tag).toBe('98asjd8');
      expect(wsinv.maxForwards).toBe(68);
      expect(wsinv.cseq).toEqual({ sequence: 9, method: 'INVITE' });
      expect(wsinv.via.map((v) => [v.transport, v.host, v.branch])).toEqual([
        ['UDP', '192.0.2.2', '390skdjuw'],
        ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
        ['UDP', '192.168.255.111', 'z9hG4bK30239'],
      ]);
      expect(headersNamed(wsinv, 'subject')[0].value).toBe('');
      expect(headersNamed(wsinv, 'NewFangledHeader')[0].value).toBe(
        'newfangled value continued newfangled value',
      );
      const contact = wsinv.contact as Exclude<SipMessage['contact'], '*'>;
      expect(contact[0].displayName).toBe('Quoted string ""');
      expect(contact[0].parameters).toEqual([
        { name: 'newparam', value: 'newvalue' },
        { name: 'secondparam' },
        { name: 'q', value: '0.33' },
      ]);
      expect(wsinv.sdp?.media.map((m) => [m.media, m.port])).toEqual([
        ['audio', 49217],
        ['video', 3227],
      ]);
    });

    it('§3.1.1.2 keeps unusual token characters, NUL in quoted-pairs and UTF-8 values', () => {
      const m = parseSipMessage(byName('intmeth'));
      expect(m.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
      expect(m.to.displayName).toBe('BEL:\x07 NUL:\x00 DEL:\x7f');
      expect(m.from.parameters[0]).toEqual({
        name: "fromParam''~+*_!.-%",
        value: 'работающий',
        quoted: true,
      });
      expect(m.callId).toBe('intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
      const uri = m.requestUri;
      expect(uri?.kind === 'sip' && [uri.user, uri.password]).toEqual([
        "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*",
        "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)",
      ]);
      expect(headersNamed(m, "extensionHeader-!.%*+_`'~")[0].value).toBe('\ufeff大停電');
    });

    it('§3.1.1.5 does not treat % in a header name or method as an escape', () => {
      const m = parseSipMessage(byName('esc02'));
      expect(m.method).toBe('RE%47IST%45R');
      expect(m.contact).toHaveLength(2);
      expect(headersNamed(m, 'C%6Fntact')).toHaveLength(1);
    });

    it('§3.1.1.8 takes Content-Length octets and counts the rest as trailing', () => {
      const m = parseSipMessage(byName('dblreq'));
      expect(m.method).toBe('REGISTER');
      expect(m.body.length).toBe(0);
      expect(m.trailingOctets).toBeGreaterThan(300);
    });

    it('§3.1.1.9 keeps a semicolon inside the user part', () => {
      const uri = parseSipMessage(byName('semiuri')).requestUri;
      expect(uri?.kind === 'sip' && uri.user).toBe('user;par=u%40example.net');
    });

    it('§3.1.1.11 frames a multipart body with binary content by Content-Length', () => {
      const m = parseSipMessage(byName('mpart01'));
      expect(m.bodyParts.map((p) => [p.contentType.essence, p.body.length])).toEqual([
        ['text/plain', 5],
        ['application/octet-stream', 342],
      ]);
      expect(m.bodyParts[1].body.includes(0)).toBe(true);
    });

    it('§3.1.1.12 / 3.1.1.13 accept UTF-8 and empty reason phrases', () => {
      expect(parseSipMessage(byName('unreason')).reasonPhrase).toBe(
        '= 2**3 * 5**2 но сто девяносто девять - простое',
      );
      expect(parseSipMessage(byName('noreason')).reasonPhrase).toBe('');
    });

    it('§3.4.1 takes the rest of the message as body when Content-Length is absent', () => {
      const m = parseSipMessage(byName('inv2543'));
      expect(m.contentLength).toBeUndefined();
      expect(m.sdp?.media[0].formats).toEqual(['0']);
      // Without <>, ";user=phone" is a To header parameter, not a URI parameter (§20).
      expect(m.identity.to.key).toBe('sip:+16505552222@ss1.example.net');
      expect(m.identity.from.key).toBe('tel:+13035551111');
    });

    it('names the offending header, never its value', () => {
      const e = parseError(byName('baddate'));
      expect(e.header).toBe('Date');
      expect(e.message).not.toContain('EST');
    });
  });
});
