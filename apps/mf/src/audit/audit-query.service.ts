import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, SelectQueryBuilder } from 'typeorm';
import { ChainedAuditEntry, GENESIS_HASH, verifyChain } from './audit-chain';
import { AuditEntryEntity } from './audit-entry.entity';
import type {
  AuditEntryView,
  AuditFilterDto,
  AuditPage,
  AuditQueryDto,
  VerifyResult,
} from './audit-query.dto';

/** Rows read per database round trip when exporting or verifying. */
export const AUDIT_BATCH = 1000;

/** API form of an entry; `details` parsed from its stored JSON. */
export function auditEntryView(e: ChainedAuditEntry): AuditEntryView {
  return { ...e, details: e.details === null ? null : (JSON.parse(e.details) as unknown) };
}

/**
 * Reading the audit log: filtered keyset-paged queries, batched export, and chain
 * verification. All of them page by `seq` (the primary key), so memory stays bounded
 * however large the log is, and each reads up to the last entry that existed when it
 * started, so concurrent appends do not disturb it.
 */
@Injectable()
export class AuditQueryService {
  constructor(
    @InjectRepository(AuditEntryEntity) private readonly entries: Repository<AuditEntryEntity>,
  ) {}

  async query(q: AuditQueryDto): Promise<AuditPage> {
    const limit = q.limit ?? 100;
    const desc = (q.order ?? 'desc') === 'desc';
    const qb = this.filtered(q)
      .orderBy('a.seq', desc ? 'DESC' : 'ASC')
      .limit(limit + 1);
    if (q.cursor !== undefined) qb.andWhere(desc ? 'a.seq < :c' : 'a.seq > :c', { c: q.cursor });
    const rows = await qb.getMany();
    const items = rows.slice(0, limit);
    return {
      items: items.map(auditEntryView),
      nextCursor: rows.length > limit ? items[items.length - 1].seq : null,
    };
  }

  /** The matching entries in seq order, AUDIT_BATCH at a time, up to the head at call time. */
  async *batches(f: AuditFilterDto): AsyncGenerator<AuditEntryEntity[]> {
    const head = await this.headSeq();
    let after = 0;
    for (;;) {
      const rows = await this.filtered(f)
        .andWhere('a.seq > :after AND a.seq <= :head', { after, head })
        .orderBy('a.seq', 'ASC')
        .limit(AUDIT_BATCH)
        .getMany();
      if (!rows.length) return;
      yield rows;
      after = rows[rows.length - 1].seq;
    }
  }

  /**
   * Recomputes the chain from the genesis hash through the current head, a batch at a
   * time, and names the first broken entry: altered content (hash-mismatch), a re-linked
   * entry (prev-hash-mismatch), or a missing one (sequence-gap). Truncation of the newest
   * entries cannot show in the chain itself: compare lastSeq/lastHash with an anchor kept
   * outside the MF.
   */
  async verify(): Promise<VerifyResult> {
    const head = await this.headSeq();
    let prevHash = GENESIS_HASH;
    let prevSeq = 0;
    let checked = 0;
    for (;;) {
      const rows = await this.entries
        .createQueryBuilder('a')
        .where('a.seq > :after AND a.seq <= :head', { after: prevSeq, head })
        .orderBy('a.seq', 'ASC')
        .limit(AUDIT_BATCH)
        .getMany();
      if (!rows.length) break;
      const broken = verifyChain(rows, prevHash, prevSeq);
      if (broken) {
        const i = rows.findIndex((r) => r.seq === broken.seq);
        const e = rows[i];
        return {
          ok: false,
          checked: checked + i,
          lastSeq: i > 0 ? rows[i - 1].seq : prevSeq,
          lastHash: i > 0 ? rows[i - 1].hash : prevHash,
          firstBreak: {
            ...broken,
            entry: { at: e.at, actor: e.actor, action: e.action, object: e.object },
          },
        };
      }
      checked += rows.length;
      prevSeq = rows[rows.length - 1].seq;
      prevHash = rows[rows.length - 1].hash;
    }
    return { ok: true, checked, lastSeq: prevSeq, lastHash: prevHash, firstBreak: null };
  }

  private async headSeq(): Promise<number> {
    const r = await this.entries
      .createQueryBuilder('a')
      .select('MAX(a.seq)', 'head')
      .getRawOne<{ head: string | number | null }>();
    return Number(r?.head ?? 0);
  }

  private filtered(f: AuditFilterDto): SelectQueryBuilder<AuditEntryEntity> {
    const qb = this.entries.createQueryBuilder('a').where('1 = 1');
    if (f.from) qb.andWhere('a.at >= :from', { from: new Date(f.from).toISOString() });
    if (f.to) qb.andWhere('a.at < :to', { to: new Date(f.to).toISOString() });
    if (f.liid) qb.andWhere('a.liid = :liid', { liid: f.liid });
    if (f.actor) qb.andWhere('a.actor = :actor', { actor: f.actor });
    if (f.outcome) qb.andWhere('a.outcome = :outcome', { outcome: f.outcome });
    if (f.action?.endsWith('*')) {
      const prefix = f.action.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`);
      qb.andWhere("a.action LIKE :action ESCAPE '\\'", { action: `${prefix}%` });
    } else if (f.action) {
      qb.andWhere('a.action = :action', { action: f.action });
    }
    return qb;
  }
}
