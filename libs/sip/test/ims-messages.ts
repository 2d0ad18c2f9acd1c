/**
 * Realistic IMS signalling for tests and benchmarks: an initial INVITE from a P-CSCF with a
 * multipart/mixed body (RFC 5621) whose SDP offers SDES (RFC 4568) audio and MIKEY
 * (RFC 4567) video, as seen on X2. Keys are fixed test values.
 */
export const IMS_AUDIO_KEY = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
export const IMS_AUDIO_SALT = Buffer.from('f0f1f2f3f4f5f6f7f8f9fafbfcfd', 'hex');
export const IMS_MIKEY = Buffer.from('0100010203040506070809', 'hex');

export function imsInvite(callId = 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@ue.ims.example'): Buffer {
  const sdp = [
    'v=0',
    'o=alice 2890844526 2890844526 IN IP6 2001:db8::10',
    's=-',
    'c=IN IP6 2001:db8::10',
    't=0 0',
    `a=key-mgmt:mikey ${IMS_MIKEY.toString('base64')}`,
    'm=audio 49170 RTP/SAVP 97 8',
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${Buffer.concat([IMS_AUDIO_KEY, IMS_AUDIO_SALT]).toString('base64')}|2^31|1:1`,
    'a=rtpmap:97 AMR-WB/16000',
    'a=rtpmap:8 PCMA/8000',
    'm=video 49172 RTP/SAVP 99',
    'a=rtpmap:99 H264/90000',
    '',
  ].join('\r\n');
  const body = [
    '--boundary42',
    'Content-Type: application/sdp',
    '',
    sdp,
    '--boundary42',
    'Content-Type: application/vnd.3gpp.ussd+xml',
    '',
    '<ussd-data><language>en</language></ussd-data>',
    '--boundary42--',
    '',
  ].join('\r\n');
  const headers = [
    'INVITE tel:+4930123456 SIP/2.0',
    'Via: SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bK-pcscf-1;rport',
    'Via: SIP/2.0/TCP [2001:db8::10]:5060;received=2001:db8::10;branch=z9hG4bK-ue-1',
    'Max-Forwards: 69',
    'Route: <sip:scscf.ims.example;lr>',
    'Record-Route: <sip:pcscf.ims.example;lr>',
    'From: "Alice" <sip:alice@ims.example>;tag=4fa3',
    'To: <sip:+49-30-123456@ims.example;user=phone>',
    'P-Asserted-Identity: "Alice" <sip:alice@ims.example>, <tel:+4940123>',
    'P-Preferred-Identity: <sip:alice@ims.example>',
    'P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2620100010001A2B3',
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    'Contact: <sip:alice@[2001:db8::10]:5060;ob>;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"',
    'Allow: INVITE, ACK, CANCEL, BYE, UPDATE, PRACK, OPTIONS, MESSAGE',
    'Supported: 100rel, timer, precondition',
    'Require: sec-agree',
    'Session-Expires: 1800',
    'User-Agent: UE/1.0',
    'Content-Type: multipart/mixed;boundary=boundary42',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    '',
  ].join('\r\n');
  return Buffer.from(headers + body);
}
