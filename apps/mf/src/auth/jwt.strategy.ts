import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { Principal } from './roles';
import { TOKEN_AUDIENCE, TOKEN_ISSUER, TokenService } from './token.service';
import { UsersService } from './users.service';

/**
 * Passport strategy for `Authorization: Bearer <JWT>`. The user is re-read on every
 * request, so disabling a user or changing the role takes effect before the token expires.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    tokens: TokenService,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: tokens.secret,
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  async validate(payload: { sub?: unknown }): Promise<Principal | false> {
    if (typeof payload.sub !== 'string') return false;
    const u = await this.users.findEnabledById(payload.sub);
    return u ? { userId: u.id, name: u.name, role: u.role, via: 'password' } : false;
  }
}
