import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { EntityManager } from 'typeorm';
import { UnitOfWork } from '../persistence/unit-of-work';
import { AuditRecord, chainHash, GENESIS_HASH } from './audit-chain';
import { AuditEntryEntity } from './audit-entry.entity';

/** Arbitrary constant naming the PostgreSQL advisory lock that serialises chain appends. */
const AUDIT_CHAIN_LOCK = 0x4c49_4155; // "LIAU"

const auditEntries = new Counter({
  name: 'mf_audit_entries_total',
  help: 'Audit entries appended, by outcome',
  labelNames: ['outcome'] as const,
});

/**
 * Appends entries to the hash-chained audit log (ARCHITECTURE.md §8). Pass the caller's
 * EntityManager to commit the entry with the caller's own changes. One chain across all
 * instances: on PostgreSQL a transaction-scoped advisory lock orders appends; on SQLite the
 * UnitOfWork queue does, and the primary key on `seq` refuses any fork.
 */
@Injectable()
export class AuditService {
  constructor(private readonly uow: UnitOfWork) {}

  append(record: AuditRecord, em?: EntityManager): Promise<AuditEntryEntity> {
    return em ? this.appendIn(em, record) : this.uow.run((tx) => this.appendIn(tx, record));
  }

  private async appendIn(em: EntityManager, r: AuditRecord): Promise<AuditEntryEntity> {
    if (this.uow.isPostgres) await em.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
    const last = await em
      .getRepository(AuditEntryEntity)
      .createQueryBuilder('a')
      .select(['a.seq', 'a.hash'])
      .orderBy('a.seq', 'DESC')
      .limit(1)
      .getOne();
    const entry = {
      seq: (last?.seq ?? 0) + 1,
      at: new Date().toISOString(),
      actor: r.actor,
      action: r.action,
      object: r.object ?? null,
      liid: r.liid ?? null,
      outcome: r.outcome,
      details: r.details ? JSON.stringify(r.details) : null,
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    const row = em
      .getRepository(AuditEntryEntity)
      .create({ ...entry, prevHash, hash: chainHash(prevHash, entry) });
    await em.getRepository(AuditEntryEntity).insert(row);
    auditEntries.inc({ outcome: r.outcome });
    return row;
  }
}
