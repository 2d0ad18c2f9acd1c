import { parseSipMessage } from './sip-message';
import { redactSdesKeys } from './sdes-redaction';

const KEY = 'WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVzcwo='.slice(0, 40);

function invite(body: string, contentType = 'application/sdp'): Buffer {
  return Buffer.from(
    [
      'INVITE sip:bob@ims.example SIP/2.0',
      'Via: SIP/2.0/TCP pc.ims.example;branch=z9hG4bK776asdhds',
      'Max-Forwards: 70',
      'To: <sip:bob@ims.example>',
      'From: <sip:alice@ims.example>;tag=1928301774',
      'Call-ID: a84b4c76e66710@pc.ims.example',
      'CSeq: 314159 INVITE',
      'Contact: <sip:alice@192.0.2.4>',
      `Content-Type: ${contentType}`,
      `l: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}

const SDP = [
  'v=0',
  'o=- 1 1 IN IP4 192.0.2.4',
  's=-',
  'c=IN IP4 192.0.2.4',
  't=0 0',
  'm=audio 49170 RTP/SAVP 0',
  `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`,
  `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${KEY}`,
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

describe('redactSdesKeys', () => {
  it('removes every a=crypto line and fixes Content-Length, leaving the rest byte for byte', () => {
    const out = redactSdesKeys(parseSipMessage(invite(SDP)));
    const text = out.toString('latin1');
    expect(text).not.toContain('a=crypto');
    expect(text).not.toContain(KEY);
    const again = parseSipMessage(out);
    expect(again.sdp?.media[0].crypto).toEqual([]);
    const strippedSdp = SDP.replace(/a=crypto:[^\r]*\r\n/g, '');
    expect(again.body.toString()).toBe(strippedSdp);
    expect(text).toContain(`\r\nl: ${strippedSdp.length}\r\n`);
    expect(text.slice(0, text.indexOf('\r\nl: '))).toBe(
      invite(SDP).toString('latin1').slice(0, text.indexOf('\r\nl: ')),
    );
    expect(again.callId).toBe('a84b4c76e66710@pc.ims.example');
  });

  it('returns the original bytes when there is nothing to remove', () => {
    const raw = invite(SDP.replace(/a=crypto:[^\r]*\r\n/g, ''));
    const msg = parseSipMessage(raw);
    expect(redactSdesKeys(msg)).toBe(msg.raw);
  });

  it('handles an SDP part inside multipart/mixed', () => {
    const body = ['--b1', 'Content-Type: application/sdp', '', SDP, '--b1--', ''].join('\r\n');
    const out = redactSdesKeys(parseSipMessage(invite(body, 'multipart/mixed;boundary=b1')));
    const again = parseSipMessage(out);
    expect(out.toString('latin1')).not.toContain('a=crypto');
    expect(again.sdp?.media[0].formats).toEqual(['0']);
  });
});
