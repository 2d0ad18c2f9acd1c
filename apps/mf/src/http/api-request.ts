import type { Request } from 'express';
import type { Principal } from '../auth/roles';

const AUDITED = Symbol('mf:audited');

/** An Express request as seen by the API: the caller once authenticated. */
export type ApiRequest = Request & { user?: Principal; [AUDITED]?: true };

/** Records that the handler already wrote the audit entry for this request's outcome. */
export function markAudited(req: ApiRequest): void {
  req[AUDITED] = true;
}

export function isAudited(req: ApiRequest): boolean {
  return req[AUDITED] === true;
}

/** Client address for audit details. */
export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
