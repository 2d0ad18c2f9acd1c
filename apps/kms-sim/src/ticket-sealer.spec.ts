import { randomBytes } from 'node:crypto';
import {
  MAX_TICKET_DATA,
  TicketSealer,
  ticketDigest,
  ticketIssuer,
  type TicketContent,
} from './ticket-sealer';

describe('TicketSealer (AES-256-GCM Ticket Data)', () => {
  const key = randomBytes(32);
  const sealer = new TicketSealer('kms.ims.example', key);
  const content: TicketContent = {
    id: TicketSealer.newId(),
    issuer: 'kms.ims.example',
    initiator: 'sip:alice@ims.example',
    responder: 'sip:bob@ims.example',
    issuedAt: 1_700_000_000_000,
    notBefore: 1_700_000_000_000,
    notAfter: 1_700_003_600_000,
    tgk: randomBytes(32),
    mpk: randomBytes(32),
  };

  it('opens what it sealed; the issuer is readable; the keys are not in the clear', () => {
    const data = sealer.seal(content);
    expect(sealer.open(data)).toEqual({ kind: 'ok', content });
    expect(ticketIssuer(data)).toBe('kms.ims.example');
    expect(data.includes(content.tgk)).toBe(false);
    expect(data.includes(Buffer.from(content.initiator))).toBe(false);
    expect(ticketDigest(data)).toMatch(/^[0-9a-f]{64}$/);
    expect(sealer.seal(content)).not.toEqual(data); // fresh nonce
  });

  it('refuses any altered octet, another key, truncation and oversize', () => {
    const data = sealer.seal(content);
    for (let i = 0; i < data.length; i++) {
      const bad = Buffer.from(data);
      bad[i] ^= 0x01;
      expect(sealer.open(bad).kind).not.toBe('ok');
    }
    expect(new TicketSealer('kms.ims.example', randomBytes(32)).open(data)).toEqual({
      kind: 'invalid',
    });
    expect(sealer.open(data.subarray(0, 20))).toEqual({ kind: 'invalid' });
    expect(sealer.open(Buffer.alloc(MAX_TICKET_DATA + 1))).toEqual({ kind: 'invalid' });
    expect(sealer.open(Buffer.alloc(0))).toEqual({ kind: 'invalid' });
  });

  it('reports tickets of another KMS as foreign', () => {
    const peer = new TicketSealer('kms.peer.example', randomBytes(32));
    const data = peer.seal({ ...content, issuer: 'kms.peer.example' });
    expect(sealer.open(data)).toEqual({ kind: 'foreign', issuer: 'kms.peer.example' });
    expect(() => sealer.seal({ ...content, issuer: 'kms.peer.example' })).toThrow();
  });
});
