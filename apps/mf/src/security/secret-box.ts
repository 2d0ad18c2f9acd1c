import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * Encrypts secrets at rest (key material, FTPS passwords) with AES-256-GCM
 * (ARCHITECTURE.md §7). Sealed form: `v1.<iv b64>.<tag b64>.<ciphertext b64>`, 12-octet
 * random IV, 16-octet tag; `context` is bound as additional authenticated data so that a
 * sealed value cannot be moved to another row or column unnoticed.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-octet key');
    this.key = Buffer.from(key);
  }

  seal(plain: Buffer, context: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([c.update(plain), c.final()]);
    return [
      VERSION,
      iv.toString('base64'),
      c.getAuthTag().toString('base64'),
      ct.toString('base64'),
    ].join('.');
  }

  /** Throws (without revealing content) when the value was altered, moved or sealed under another key. */
  open(sealed: string, context: string): Buffer {
    const [v, iv, tag, ct] = sealed.split('.');
    if (v !== VERSION || iv === undefined || tag === undefined || ct === undefined) {
      throw new Error('sealed value has an unknown format');
    }
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    d.setAAD(Buffer.from(context, 'utf8'));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    try {
      return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]);
    } catch {
      throw new Error('sealed value failed authentication');
    }
  }
}
