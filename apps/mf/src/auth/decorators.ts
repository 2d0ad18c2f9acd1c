import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { ApiRequest } from '../http/api-request';
import type { Principal, Role } from './roles';

export const IS_PUBLIC = 'mf:public';
export const ROLES_KEY = 'mf:roles';

/** Opens a route to unauthenticated callers (health, metrics, login). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The roles allowed on a route or controller; a route with no roles is open to nobody. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** The authenticated caller (set by ApiAuthGuard). */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const user = ctx.switchToHttp().getRequest<ApiRequest>().user;
  if (!user) throw new Error('CurrentUser on a route without authentication');
  return user;
});
