import { Inject, Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MF_CONFIG } from '../config/config.module';
import { ConfigError, MfConfig } from '../config/mf-config';
import type { Role } from './roles';

export const TOKEN_ISSUER = 'li-mf';
export const TOKEN_AUDIENCE = 'li-mf-api';

/**
 * The HS256 token secret: AUTH_JWT_SECRET, else the content of AUTH_JWT_SECRET_FILE, else
 * (demo) a random secret for this process only — tokens then do not survive a restart and
 * are not accepted by other instances. Throws ConfigError for an unreadable or short file.
 */
export function resolveJwtSecret(config: MfConfig): { secret: Buffer; ephemeral: boolean } {
  if (config.AUTH_JWT_SECRET)
    return { secret: Buffer.from(config.AUTH_JWT_SECRET), ephemeral: false };
  if (config.AUTH_JWT_SECRET_FILE) {
    let text: string;
    try {
      text = readFileSync(config.AUTH_JWT_SECRET_FILE, 'utf8').trim();
    } catch {
      throw new ConfigError([`AUTH_JWT_SECRET_FILE: cannot read ${config.AUTH_JWT_SECRET_FILE}`]);
    }
    if (text.length < 32)
      throw new ConfigError(['AUTH_JWT_SECRET_FILE: the secret must be at least 32 characters']);
    return { secret: Buffer.from(text), ephemeral: false };
  }
  return { secret: randomBytes(32), ephemeral: true };
}

/** Claims of an API access token. */
export interface AccessClaims {
  sub: string;
  name: string;
  role: Role;
}

/** Issues and verifies API bearer tokens (JWT, HS256, issuer/audience bound, short-lived). */
@Injectable()
export class TokenService {
  private readonly jwt: JwtService;
  readonly secret: Buffer;
  readonly ttlSeconds: number;

  constructor(@Inject(MF_CONFIG) config: MfConfig) {
    const { secret, ephemeral } = resolveJwtSecret(config);
    if (ephemeral) {
      new Logger('TokenService').warn(
        'no AUTH_JWT_SECRET(_FILE): using a random token secret for this process only',
      );
    }
    this.secret = secret;
    this.ttlSeconds = config.AUTH_TOKEN_TTL_SECONDS;
    this.jwt = new JwtService({
      secret,
      signOptions: {
        algorithm: 'HS256',
        expiresIn: this.ttlSeconds,
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
      },
    });
  }

  issue(claims: AccessClaims): string {
    return this.jwt.sign({ ...claims });
  }
}
