import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { EntityManager } from 'typeorm';
import { engineOf, execSql, rowChunks, SqlParams, toNumber } from '../persistence/sql';
import { UnitOfWork } from '../persistence/unit-of-work';
import { AuditRecord, chainHash, GENESIS_HASH } from './audit-chain';
import { AuditEntryEntity } from './audit-entry.entity';

/** Arbitrary constant naming the PostgreSQL advisory lock that serialises chain appends. */
const AUDIT_CHAIN_LOCK = 0x4c49_4155; // "LIAU"

/** Entries per INSERT statement: 10 parameters each stays below SQLite's variable limit. */
const INSERT_CHUNK = 500;

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
    return this.appendMany([record], em).then(([row]) => row);
  }

  /**
   * Appends `records` in order as consecutive chain entries: one lock, one read of the chain
   * head and multi-row INSERTs, however many records (a pipeline batch's entries).
   */
  appendMany(records: readonly AuditRecord[], em?: EntityManager): Promise<AuditEntryEntity[]> {
    if (!records.length) return Promise.resolve([]);
    return em ? this.appendIn(em, records) : this.uow.run((tx) => this.appendIn(tx, records));
  }

  private async appendIn(
    em: EntityManager,
    records: readonly AuditRecord[],
  ): Promise<AuditEntryEntity[]> {
    if (this.uow.isPostgres) await em.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
    const repo = em.getRepository(AuditEntryEntity);
    const head = await execSql(
      em,
      'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
      new SqlParams(engineOf(em)),
    );
    let seq = head.records.length ? toNumber(head.records[0].seq) : 0;
    let prevHash = head.records.length ? (head.records[0].hash as string) : GENESIS_HASH;
    const at = new Date().toISOString();
    const rows = records.map((r) => {
      const entry = {
        seq: ++seq,
        at,
        actor: r.actor,
        action: r.action,
        object: r.object ?? null,
        liid: r.liid ?? null,
        outcome: r.outcome,
        details: r.details ? JSON.stringify(r.details) : null,
      };
      const row = repo.create({ ...entry, prevHash, hash: chainHash(prevHash, entry) });
      prevHash = row.hash;
      return row;
    });
    for (const chunk of rowChunks(engineOf(em), rows, INSERT_CHUNK)) {
      const q = new SqlParams(engineOf(em));
      const values = chunk.map(
        (r) =>
          `(${q.list([r.seq, r.at, r.actor, r.action, r.object, r.liid, r.outcome, r.details, r.prevHash, r.hash])})`,
      );
      await execSql(
        em,
        'INSERT INTO audit_log (seq, at, actor, action, object, liid, outcome, details, prev_hash, hash) ' +
          `VALUES ${values.join(', ')}`,
        q,
      );
    }
    for (const r of records) auditEntries.inc({ outcome: r.outcome });
    return rows;
  }
}
