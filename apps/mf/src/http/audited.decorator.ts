import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { mergeMap, Observable } from 'rxjs';
import { AuditOutcome } from '../audit/audit-chain';
import { AuditService } from '../audit/audit.service';
import { actorOf } from '../auth/roles';
import { ApiRequest, clientIp, markAudited } from './api-request';

/** What a read route records about its call, from the request and its result. */
export interface ReadAuditDescription {
  /** Default `success`; e.g. `alarm` when a verification found the chain broken. */
  outcome?: AuditOutcome;
  object?: string | null;
  liid?: string | null;
  details?: Record<string, unknown>;
}

interface ReadAuditSpec {
  action: string;
  describe?: (req: ApiRequest, result: unknown) => ReadAuditDescription;
}

const AUDIT_READ = 'mf:audit-read';

/**
 * Audits a successful read-only call (who looked at what). Changing routes do not use it:
 * their services write the audit entry in the same transaction as the change.
 */
export const AuditRead = (
  action: string,
  describe?: (req: ApiRequest, result: unknown) => ReadAuditDescription,
) => SetMetadata(AUDIT_READ, { action, describe } satisfies ReadAuditSpec);

/** Writes the @AuditRead entry after the handler succeeded, before the response is sent. */
@Injectable()
export class AuditReadInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<ReadAuditSpec | undefined>(AUDIT_READ, ctx.getHandler());
    if (!spec) return next.handle();
    const req = ctx.switchToHttp().getRequest<ApiRequest>();
    return next.handle().pipe(
      mergeMap(async (result: unknown) => {
        const d = spec.describe?.(req, result) ?? {};
        await this.audit.append({
          actor: req.user ? actorOf(req.user) : 'anonymous',
          action: spec.action,
          object: d.object ?? null,
          liid: d.liid ?? null,
          outcome: d.outcome ?? 'success',
          details: { ...d.details, ip: clientIp(req) },
        });
        markAudited(req);
        return result;
      }),
    );
  }
}
