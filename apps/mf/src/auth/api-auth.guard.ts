import {
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { MF_CONFIG } from '../config/config.module';
import { MfConfig } from '../config/mf-config';
import type { ApiRequest } from '../http/api-request';
import { userForCertificate, verifiedClientCertificate } from './client-certificate';
import { IS_PUBLIC, ROLES_KEY } from './decorators';
import type { Principal, Role } from './roles';
import { UsersService } from './users.service';

/**
 * The global guard: deny by default. A route is reachable only when marked @Public() or
 * when the caller is authenticated — by bearer token, or else by a verified client
 * certificate mapped in HTTP_TLS_CERT_USERS — and holds one of the route's @Roles().
 * 401 and 403 are audited by the exception filter.
 */
@Injectable()
export class ApiAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly users: UsersService,
    @Inject(MF_CONFIG) private readonly config: MfConfig,
  ) {
    super();
  }

  override async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<ApiRequest>();
    if (req.headers.authorization) {
      await super.canActivate(ctx);
    } else {
      req.user = await this.certificateUser(req);
    }
    const user = req.user;
    if (!user) throw new UnauthorizedException('authentication required');
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    if (!roles.includes(user.role)) {
      throw new ForbiddenException(`role ${user.role} is not allowed here`);
    }
    return true;
  }

  /** passport-jwt reports token problems as "no user"; `err` is a fault (e.g. the database). */
  override handleRequest<T = Principal>(err: unknown, user: T | false): T {
    if (err) throw err instanceof Error ? err : new Error('authentication failed');
    if (!user) throw new UnauthorizedException('invalid or expired token');
    return user;
  }

  private async certificateUser(req: ApiRequest): Promise<Principal> {
    const cert = verifiedClientCertificate(req.socket);
    if (!cert) throw new UnauthorizedException('authentication required');
    const name = userForCertificate(cert, this.config.HTTP_TLS_CERT_USERS);
    const u = name ? await this.users.findEnabledByName(name) : null;
    if (!u) throw new UnauthorizedException('client certificate is not mapped to an enabled user');
    return { userId: u.id, name: u.name, role: u.role, via: 'client-certificate' };
  }
}
