import { Injectable } from '@nestjs/common';
import { randomBytes, scrypt, ScryptOptions, timingSafeEqual } from 'node:crypto';

/** scrypt cost: N = 2^15, r = 8, p = 1 (RFC 7914 §2; 32 MiB per hash). */
const LOG_N = 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** Refuse stored hashes whose parameters would need more than this (hostile DB content). */
const MAX_MEM = 128 * 1024 * 1024;

function derive(
  password: string,
  salt: Buffer,
  logN: number,
  r: number,
  p: number,
): Promise<Buffer> {
  const opts: ScryptOptions = { N: 2 ** logN, r, p, maxmem: MAX_MEM };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, opts, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/**
 * Password hashing with scrypt (node:crypto). Stored form:
 * `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>`, so that the cost can be raised later
 * without invalidating existing hashes.
 */
@Injectable()
export class PasswordHasher {
  /** A hash of a random password, verified against when the user does not exist (same timing). */
  private readonly decoy: Promise<string> = this.hash(randomBytes(16).toString('hex'));

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_LENGTH);
    const key = await derive(password, salt, LOG_N, R, P);
    return ['scrypt', LOG_N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
  }

  /** True when `password` matches `stored`; a null or malformed `stored` never matches. */
  async verify(password: string, stored: string | null): Promise<boolean> {
    const parts = (stored ?? (await this.decoy)).split('$');
    const [scheme, logN, r, p, salt, hash] = parts;
    const nums = [logN, r, p].map(Number);
    if (
      scheme !== 'scrypt' ||
      parts.length !== 6 ||
      !nums.every((n) => Number.isInteger(n) && n > 0)
    ) {
      return false;
    }
    const expected = Buffer.from(hash, 'base64');
    if (expected.length !== KEY_LENGTH) return false;
    try {
      const key = await derive(password, Buffer.from(salt, 'base64'), nums[0], nums[1], nums[2]);
      return timingSafeEqual(key, expected) && stored !== null;
    } catch {
      return false;
    }
  }
}
