import { identityKeyOfText, parseSipMessage } from '@app/sip';
import { partiesOf, targetRole } from './target-match';

const ALICE = 'sip:alice@ims.example';
const BOB = 'sip:bob@ims.example';

function sip(startLine: string, pai: string): ReturnType<typeof parseSipMessage> {
  return parseSipMessage(
    Buffer.from(
      [
        startLine,
        'Via: SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bK1',
        `From: <${ALICE}>;tag=a1`,
        `To: <${BOB}>${startLine.startsWith('SIP/') ? ';tag=b1' : ''}`,
        'Call-ID: c1@test',
        'CSeq: 1 INVITE',
        `P-Asserted-Identity: <${pai}>`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    ),
  );
}

describe('target role and parties of a SIP message', () => {
  const invite = sip(`INVITE ${BOB} SIP/2.0`, ALICE);
  const ok = sip('SIP/2.0 200 OK', BOB);
  const key = (uri: string) => identityKeyOfText(uri)!;

  it('in a request, the caller (From / P-Asserted-Identity) is originating', () => {
    expect(targetRole(invite, key(ALICE))).toBe('originating');
    expect(targetRole(invite, key(BOB))).toBe('terminating');
    expect(partiesOf(invite)).toEqual([
      { role: 'originating', sipUri: ALICE },
      { role: 'terminating', sipUri: BOB },
    ]);
  });

  it("in a response, the P-Asserted-Identity is the answering user's (RFC 3325 §9.1)", () => {
    expect(targetRole(ok, key(BOB))).toBe('terminating');
    expect(targetRole(ok, key(ALICE))).toBe('originating');
    expect(partiesOf(ok)).toEqual([
      { role: 'originating', sipUri: ALICE },
      { role: 'terminating', sipUri: BOB },
    ]);
  });

  it('a response asserting another answering identity names it as terminating party', () => {
    const forwarded = sip('SIP/2.0 200 OK', 'sip:carol@ims.example');
    expect(partiesOf(forwarded)[1]).toEqual({
      role: 'terminating',
      sipUri: 'sip:carol@ims.example',
    });
    expect(targetRole(forwarded, key('sip:carol@ims.example'))).toBe('terminating');
    expect(targetRole(forwarded, key('sip:dave@ims.example'))).toBe('unknown');
  });
});
