import { detached } from './detached-string';

describe('detached', () => {
  it('returns an equal string, including non-ASCII text', () => {
    const message = 'INVITE sip:b@x SIP/2.0\r\nCall-ID: 8f2ä@host.example\r\n';
    const callId = message.slice(message.indexOf('8f2'), message.lastIndexOf('\r\n'));
    expect(detached(callId)).toBe('8f2ä@host.example');
    expect(detached('')).toBe('');
  });
});
