import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AuditService } from '../audit/audit.service';
import { AuditOutcome } from '../audit/audit-chain';
import { actorOf } from '../auth/roles';
import { ApiRequest, clientIp, isAudited } from './api-request';
import { ErrorBody, toHttpError } from './http-error';

/** Audit action and outcome of a refused or failed API call. */
function auditKind(status: number): { action: string; outcome: AuditOutcome } {
  if (status === 401) return { action: 'api.unauthenticated', outcome: 'denied' };
  if (status === 403) return { action: 'api.forbidden', outcome: 'denied' };
  if (status === 429) return { action: 'api.rate-limited', outcome: 'denied' };
  return { action: 'api.error', outcome: 'failure' };
}

/**
 * The global exception filter: answers with ErrorBody (see toHttpError) and writes an
 * audit entry for every failed call under /api — including failed authentication and
 * authorisation — unless the handler audited the failure itself.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('ApiExceptionFilter');

  constructor(private readonly audit: AuditService) {}

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const req = host.switchToHttp().getRequest<ApiRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    const err = toHttpError(exception);
    if (err.statusCode >= 500) {
      this.log.error(
        `${req.method} ${req.path} failed: ${exception instanceof Error ? exception.message : 'non-error thrown'}`,
      );
    }
    if (req.path.startsWith('/api/') && !isAudited(req)) await this.auditFailure(req, err);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err.statusCode === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="li-mf"');
    res.status(err.statusCode).json(err);
  }

  private async auditFailure(req: ApiRequest, err: ErrorBody): Promise<void> {
    const { action, outcome } = auditKind(err.statusCode);
    try {
      await this.audit.append({
        actor: req.user ? actorOf(req.user) : 'anonymous',
        action,
        object: `${req.method} ${req.path}`.slice(0, 300),
        outcome,
        details: { status: err.statusCode, message: err.message, ip: clientIp(req) },
      });
    } catch (e) {
      this.log.error(
        `audit of a failed API call failed: ${e instanceof Error ? e.message : 'unknown'}`,
      );
    }
  }
}
