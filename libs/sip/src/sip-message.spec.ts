import { IMS_AUDIO_KEY, IMS_AUDIO_SALT, IMS_MIKEY, imsInvite } from '../test/ims-messages';
import { SipParseError, headersNamed, parseSipMessage } from './index';

const BASE = [
  'OPTIONS sip:bob@ims.example SIP/2.0',
  'Via: SIP/2.0/UDP host.ims.example;branch=z9hG4bK1',
  'From: <sip:alice@ims.example>;tag=1',
  'To: <sip:bob@ims.example>',
  'Call-ID: a@b',
  'CSeq: 1 OPTIONS',
];
const message = (extra: string[], body = '', start = BASE): Buffer =>
  Buffer.from([...start, ...extra, '', body].join('\r\n'), 'latin1');

function code(bytes: Buffer): string {
  try {
    parseSipMessage(bytes);
  } catch (e) {
    if (e instanceof SipParseError) return e.code;
    throw e;
  }
  return 'OK';
}

describe('parseSipMessage', () => {
  it('gives the pipeline an IMS INVITE: raw bytes, headers, parts, SDP keys and identities', () => {
    const raw = imsInvite();
    const m = parseSipMessage(raw);
    expect(m.raw).toBe(raw);
    expect(m.kind).toBe('request');
    expect(m.requestUri?.kind).toBe('tel');
    expect(m.bodyParts.map((p) => [p.contentType.essence, p.path])).toEqual([
      ['application/sdp', [0]],
      ['application/vnd.3gpp.ussd+xml', [1]],
    ]);
    expect(m.sdpPart).toBe(m.bodyParts[0]);
    const [audio, video] = m.sdp!.media;
    expect(audio.connection).toEqual({ netType: 'IN', addrType: 'IP6', address: '2001:db8::10' });
    expect(audio.crypto[0].keys[0].masterKey?.equals(IMS_AUDIO_KEY)).toBe(true);
    expect(audio.crypto[0].keys[0].masterSalt?.equals(IMS_AUDIO_SALT)).toBe(true);
    expect(audio.keyMgmtLevel).toBe('session');
    expect(video.keyMgmt[0].data.equals(IMS_MIKEY)).toBe(true);
    expect(m.identity.to.key).toBe('tel:+4930123456');
    expect(m.identity.requestUri?.key).toBe('tel:+4930123456');
    expect(m.via.map((v) => [v.host, v.port, v.branch])).toEqual([
      ['[2001:db8::1]', 5060, 'z9hG4bK-pcscf-1'],
      ['[2001:db8::10]', 5060, 'z9hG4bK-ue-1'],
    ]);
    expect(m.route[0].uri.text).toBe('sip:scscf.ims.example;lr');
    // header offsets point at the rows in the original bytes
    for (const h of m.headers) {
      expect(raw.toString('latin1', h.offset, h.offset + h.length).startsWith(h.name)).toBe(true);
    }
    expect(headersNamed(m, 'session-expires')[0].value).toBe('1800');
  });

  it('keeps the SIP message when its SDP is malformed, reporting sdpError', () => {
    const m = parseSipMessage(message(['Content-Type: application/sdp'], 'v=0\r\nx=1\r\n'));
    expect(m.sdp).toBeUndefined();
    expect(m.sdpError?.code).toBe('UNKNOWN_TYPE');
  });

  it('treats an encoded body as opaque', () => {
    const m = parseSipMessage(
      message(['Content-Type: application/sdp', 'Content-Encoding: gzip'], 'xyz'),
    );
    expect(m.bodyParts).toHaveLength(1);
    expect(m.sdp).toBeUndefined();
    expect(m.sdpError).toBeUndefined();
  });

  it('accepts a wildcard Contact alone and a response to any method', () => {
    expect(parseSipMessage(message(['Contact: *', 'Expires: 0'])).contact).toBe('*');
    const ok = parseSipMessage(message([], '', ['SIP/2.0 486 Busy Here', ...BASE.slice(1)]));
    expect([ok.kind, ok.statusCode, ok.reasonPhrase]).toEqual(['response', 486, 'Busy Here']);
  });

  it.each([
    ['BAD_LINE_ENDING', message(['X-A: 1\nX-B: 2'])],
    ['BAD_LINE_ENDING', Buffer.from('OPTIONS sip:a@b SIP/2.0\n\r\n\r\n')],
    ['BAD_HEADER_LINE', message([' folded-first: 1'], '', [BASE[0]])],
    ['BAD_HEADER_LINE', message(['NoColon'])],
    ['BAD_HEADER_LINE', message(['Bad Name: 1'])],
    ['MISSING_HEADER_END', Buffer.from(BASE.join('\r\n'))],
    ['EMPTY_MESSAGE', Buffer.alloc(0)],
    ['MISSING_CONTENT_TYPE', message([], 'body')],
    ['CONTENT_LENGTH_MISMATCH', message(['Content-Length: 5'], 'abc')],
    ['BAD_HEADER_VALUE', message(['Content-Length: 1e3'])],
    ['BAD_HEADER_VALUE', message(['Contact: *, <sip:a@b>'])],
    ['BAD_HEADER_VALUE', message(['P-Asserted-Identity: <sip:a@b>;x=1'])],
    ['BAD_HEADER_VALUE', message(['Route: sip:proxy.example'])],
    ['BAD_HEADER_VALUE', message(['Max-Forwards: 256'])],
    ['BAD_HEADER_VALUE', message(['Contact: <sip:a@b>;expires=4294967296'])],
    ['BAD_HEADER_VALUE', message(['Contact: <sip:a@b>;q=1.5'])],
    ['BAD_HEADER_VALUE', message(['Via: SIP/2.0/UDP host;branch="quoted"'])],
    ['BAD_HEADER_VALUE', message(['Via: SIP/2.0/UDP host;received=host.example'])],
    ['BAD_HEADER_VALUE', message(['X-Control: a\x01b'])],
    ['BAD_HEADER_VALUE', message(['X-Utf8: \xc3\x28'])],
    ['BAD_HEADER_VALUE', message(['Accept: application'])],
    ['BAD_HEADER_VALUE', message(['Content-Type: text'], 'x')],
    ['DUPLICATE_HEADER', message(['Content-Type: text/plain', 'c: text/plain'], 'x')],
    ['BAD_STATUS_CODE', message([], '', ['SIP/2.0 700 Odd', ...BASE.slice(1)])],
    ['BAD_STATUS_CODE', message([], '', ['SIP/2.0 99 Odd', ...BASE.slice(1)])],
    ['UNSUPPORTED_VERSION', message([], '', ['SIP/2.1 200 OK', ...BASE.slice(1)])],
    ['BAD_START_LINE', message([], '', ['SIP/2.0 200 OK\x01', ...BASE.slice(1)])],
    [
      'BAD_REQUEST_URI',
      message([], '', ['OPTIONS sip:bob@ims.example:99999 SIP/2.0', ...BASE.slice(1)]),
    ],
    [
      'BAD_REQUEST_URI',
      message([], '', ['OPTIONS sip:bob@-bad-.example SIP/2.0', ...BASE.slice(1)]),
    ],
    [
      'BAD_MULTIPART',
      message(
        ['Content-Type: multipart/mixed;boundary=b'],
        '--b\r\nContent-Type: text/plain\r\n\r\nx\r\n',
      ),
    ],
    ['BAD_MULTIPART', message(['Content-Type: multipart/mixed'], '--b\r\n\r\nx\r\n--b--\r\n')],
    ['LIMIT_EXCEEDED', message(Array.from({ length: 300 }, (_, i) => `X-H${i}: ${i}`))],
  ])('rejects with %s', (expected, bytes) => {
    expect(code(bytes)).toBe(expected);
  });

  it('ignores CRLFs before the start line (RFC 3261 §7.5)', () => {
    const m = parseSipMessage(Buffer.concat([Buffer.from('\r\n\r\n'), message([])]));
    expect(m.method).toBe('OPTIONS');
  });

  it('finds the SDP in nested multiparts', () => {
    const inner =
      '--in\r\nContent-Type: application/sdp\r\n\r\nv=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\n\r\n--in--\r\n';
    const outer = `--out\r\nContent-Type: text/plain\r\n\r\nhi\r\n--out\r\nContent-Type: multipart/alternative; boundary="in"\r\n\r\n${inner}\r\n--out--\r\n`;
    const m = parseSipMessage(message(['Content-Type: multipart/mixed; boundary=out'], outer));
    expect(m.bodyParts.map((p) => p.path)).toEqual([[0], [1, 0]]);
    expect(m.sdp?.origin.address).toBe('h');
  });
});
