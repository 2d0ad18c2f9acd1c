import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { once } from 'node:events';
import { CurrentUser, Roles } from '../auth/decorators';
import { actorOf, Principal } from '../auth/roles';
import { ApiRequest, clientIp } from '../http/api-request';
import { AuditRead } from '../http/audited.decorator';
import { AUDIT_CSV_COLUMNS, csvRecord } from './audit-csv';
import { AuditExportDto, AuditPage, AuditQueryDto, VerifyResult } from './audit-query.dto';
import { AuditQueryService } from './audit-query.service';
import { AuditService } from './audit.service';

/** Writes a chunk, waiting for the socket to drain when it is full. False when the client left. */
async function write(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  return !res.destroyed;
}

/** The auditor API: query, export and verification of the audit log (auditors only). */
@ApiTags('audit')
@ApiBearerAuth()
@Roles('auditor')
@Controller('api/v1/audit')
export class AuditController {
  constructor(
    private readonly query: AuditQueryService,
    private readonly audit: AuditService,
  ) {}

  /** Newest first by default; page on with `cursor` = the previous page's nextCursor. */
  @Get()
  @ApiOkResponse({ type: AuditPage })
  @AuditRead('audit.query', (req, r) => ({
    details: { query: req.query, returned: (r as AuditPage).items.length },
  }))
  find(@Query() q: AuditQueryDto): Promise<AuditPage> {
    return this.query.query(q);
  }

  /**
   * Streams every matching entry in seq order as CSV or as a JSON array. Entries carry
   * prev_hash and hash; in JSON, `details` is the stored string, exactly as hashed, so the
   * chain can be recomputed offline (audit-chain.ts canonicalEntry).
   */
  @Get('export')
  @ApiProduces('text/csv', 'application/json')
  async export(
    @Query() q: AuditExportDto,
    @CurrentUser() me: Principal,
    @Req() req: ApiRequest,
    @Res() res: Response,
  ): Promise<void> {
    const { format, ...filter } = q;
    await this.audit.append({
      actor: actorOf(me),
      action: 'audit.export',
      outcome: 'success',
      details: { format, filter, ip: clientIp(req) },
    });
    const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
    res.status(200);
    res.setHeader('Content-Disposition', `attachment; filename="audit-${stamp}Z.${format}"`);
    res.setHeader(
      'Content-Type',
      format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json',
    );
    let first = true;
    if (!(await write(res, format === 'csv' ? csvRecord(AUDIT_CSV_COLUMNS) : '['))) return;
    for await (const rows of this.query.batches(filter)) {
      const chunk = rows
        .map((e) => {
          if (format === 'csv') {
            return csvRecord([
              e.seq,
              e.at,
              e.actor,
              e.action,
              e.object,
              e.liid,
              e.outcome,
              e.details,
              e.prevHash,
              e.hash,
            ]);
          }
          const json = JSON.stringify({ ...e });
          const sep = first ? '\n' : ',\n';
          first = false;
          return sep + json;
        })
        .join('');
      if (!(await write(res, chunk))) return;
    }
    res.end(format === 'csv' ? '' : '\n]\n');
  }

  /** Recomputes the whole chain (paged) and reports the first broken entry. */
  @Get('verify')
  @ApiOkResponse({ type: VerifyResult })
  @AuditRead('audit.verify', (_, r) => {
    const v = r as VerifyResult;
    return {
      outcome: v.ok ? 'success' : 'alarm',
      details: { ok: v.ok, checked: v.checked, lastSeq: v.lastSeq, firstBreak: v.firstBreak },
    };
  })
  verify(): Promise<VerifyResult> {
    return this.query.verify();
  }
}
