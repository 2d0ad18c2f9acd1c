import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull, LessThan, Not } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { UnitOfWork } from '../../persistence/unit-of-work';
import { OutboxRow } from './outbox.entity';
import { engineOf, execSql, isoNow, rowChunks, SqlParams, toNumber } from '../../persistence/sql';

/** Audit actor of everything the delivery side records. */
export const DELIVERY_ACTOR = 'mf:hi2-delivery';

/**
 * A TS 102 232-1 PS-PDU sequence: one per destination, LIID and CIN (-1: no CIN), and separate for
 * IRI and CC (`cc`): the CC of a session has its own sequence numbers (counter scope `cc`).
 */
export interface StreamKey {
  liid: string;
  cin: number;
  cc?: boolean;
}

export function streamId(k: StreamKey): string {
  return `${k.cc ? 'cc:' : ''}${k.cin}:${k.liid}`;
}

/** The `hi2_counter` scope of a PS-PDU sequence. */
const counterScope = (k: StreamKey): 'pdu' | 'cc' => (k.cc ? 'cc' : 'pdu');

/** Which rows a confirmation covers. */
export type RowSelection = { seqs: readonly number[] } | { fileName: string };

/** A row that went to the dead-letter state. */
export interface DeadRow {
  seq: number;
  liid: string;
  attempts: number;
}

/** Per-destination backlog, for the gauges and the alarm. */
export interface Backlog {
  destinationId: string;
  pending: number;
  oldestCreatedAt: string | null;
}

const IN_CHUNK = 500;
/** Delivery confirmations: committed without waiting for the disk (see markDelivered). */
const NOT_SYNCED = { syncCommit: false } as const;

/** A `pending` row read by `pending` as an OutboxRow (the same values the entity mapping gives). */
function pendingRow(destinationId: string, row: Record<string, unknown>): OutboxRow {
  return Object.assign(new OutboxRow(), {
    destinationId,
    seq: toNumber(row.seq),
    liid: String(row.liid),
    iriType: row.iri_type as OutboxRow['iriType'],
    cin: row.cin === null ? null : toNumber(row.cin),
    createdAt: String(row.created_at),
    payload: row.payload as Buffer,
    state: 'pending' as const,
    attempts: toNumber(row.attempts),
    lastError: row.last_error as string | null,
    fileName: row.file_name as string | null,
    deliveredAt: null,
  });
}

/** `seqs` as runs of consecutive numbers [first, last], ascending. */
export function seqRuns(seqs: readonly number[]): Array<[number, number]> {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const runs: Array<[number, number]> = [];
  for (const n of sorted) {
    const last = runs.at(-1);
    if (last && n === last[1] + 1) last[1] = n;
    else runs.push([n, n]);
  }
  return runs;
}

function chunks<T>(em: EntityManager, items: readonly T[]): T[][] {
  return rowChunks(engineOf(em), items, IN_CHUNK);
}

/**
 * The delivery side's access to the outbox: destination leases, reading rows in order, FTPS
 * file plans, confirmations, rejections (dead-letter with audit), backlog and retention.
 * Every call is one `UnitOfWork.run` transaction.
 *
 * Order with several MF instances: each destination is drained by the one instance that holds
 * its lease row in `hi2_delivery_lease` (owner, lease_until). Claiming it uses
 * `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (a contended claim returns at once instead of
 * queueing) and `UPDATE … WHERE lease is free or ours … RETURNING` on SQLite. The holder renews
 * it well before it ends and stops sending when a renewal fails; `epoch` counts take-overs.
 * Instances compare lease times with their own clocks: keep them NTP-synchronised.
 */
@Injectable()
export class OutboxStore {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
  ) {}

  /** Takes or renews the drain lease of a destination; false when another instance holds it. */
  acquireLease(
    destinationId: string,
    owner: string,
    ttlMs: number,
    now = new Date(),
  ): Promise<boolean> {
    const until = new Date(now.getTime() + ttlMs).toISOString();
    return this.uow.run(async (em) => {
      const engine = engineOf(em);
      const ins = new SqlParams(engine);
      await execSql(
        em,
        `INSERT INTO hi2_delivery_lease (destination_id, owner, lease_until, epoch) VALUES (${ins.list([destinationId, null, null, 0])}) ON CONFLICT DO NOTHING`,
        ins,
      );
      if (engine === 'postgres') {
        const row = await em
          .createQueryBuilder()
          .select(['l.owner AS owner', 'l.lease_until AS lease_until'])
          .from('hi2_delivery_lease', 'l')
          .where('l.destination_id = :d', { d: destinationId })
          .setLock('pessimistic_write')
          .setOnLocked('skip_locked')
          .getRawOne<{ owner: string | null; lease_until: string | null }>();
        if (!row) return false; // another instance is claiming it right now
        if (
          row.owner !== owner &&
          row.owner !== null &&
          (row.lease_until ?? '') > now.toISOString()
        )
          return false;
      }
      const q = new SqlParams(engine);
      const r = await execSql(
        em,
        `UPDATE hi2_delivery_lease SET epoch = CASE WHEN owner = ${q.add(owner)} THEN epoch ELSE epoch + 1 END, ` +
          `owner = ${q.add(owner)}, lease_until = ${q.add(until)} ` +
          `WHERE destination_id = ${q.add(destinationId)} AND ` +
          `(owner IS NULL OR owner = ${q.add(owner)} OR lease_until < ${q.add(now.toISOString())}) RETURNING epoch`,
        q,
      );
      return r.records.length === 1;
    });
  }

  /** Gives the lease up (clean shutdown), so that another instance can take over at once. */
  async releaseLease(destinationId: string, owner: string): Promise<void> {
    await this.uow.run(async (em) => {
      const q = new SqlParams(engineOf(em));
      await execSql(
        em,
        `UPDATE hi2_delivery_lease SET owner = NULL, lease_until = NULL WHERE destination_id = ${q.add(destinationId)} AND owner = ${q.add(owner)}`,
        q,
      );
    });
  }

  /**
   * Pending rows after `afterSeq`, in sequence order; `unplanned` skips rows already in an FTPS
   * file plan. Hand-written (the delivery loop's hot read): the columns a worker needs.
   */
  pending(
    destinationId: string,
    opts: { afterSeq?: number; limit: number; unplanned?: boolean },
  ): Promise<OutboxRow[]> {
    return this.uow.run(async (em) => {
      const q = new SqlParams(engineOf(em));
      const r = await execSql(
        em,
        'SELECT seq, liid, iri_type, cin, created_at, payload, attempts, last_error, file_name ' +
          'FROM hi2_outbox ' +
          `WHERE destination_id = ${q.add(destinationId)} AND state = 'pending'` +
          (opts.afterSeq !== undefined ? ` AND seq > ${q.add(opts.afterSeq)}` : '') +
          (opts.unplanned ? ' AND file_name IS NULL' : '') +
          ` ORDER BY seq ASC LIMIT ${q.add(opts.limit)}`,
        q,
      );
      return r.records.map((row) => pendingRow(destinationId, row));
    });
  }

  /** Pending rows that already belong to an FTPS file plan (a file to upload again), in order. */
  planned(destinationId: string): Promise<OutboxRow[]> {
    return this.uow.run((em) =>
      this.repo(em).find({
        where: { destinationId, state: 'pending', fileName: Not(IsNull()) },
        order: { seq: 'ASC' },
      }),
    );
  }

  /**
   * Fixes FTPS files before their upload: each plan gets the next file number of its
   * (destination, LIID) and a name from `nameFor`; its rows get that name. A retry after any
   * failure or restart uploads exactly the same file under the same name.
   */
  planFiles(
    destinationId: string,
    plans: ReadonlyArray<{ liid: string; seqs: readonly number[] }>,
    nameFor: (liid: string, fileSeq: number) => string,
  ): Promise<string[]> {
    return this.uow.run(async (em) => {
      const names: string[] = [];
      for (const plan of plans) {
        const fileSeq = await this.bump(em, destinationId, 'file', { liid: plan.liid, cin: -1 });
        const name = nameFor(plan.liid, fileSeq);
        for (const part of chunks(em, plan.seqs)) {
          await this.repo(em).update(
            { destinationId, seq: In(part), state: 'pending', fileName: IsNull() },
            { fileName: name },
          );
        }
        names.push(name);
      }
      return names;
    });
  }

  /** Takes rows out of a file plan (to re-plan them one record per file). */
  async unplan(destinationId: string, fileName: string): Promise<void> {
    await this.uow.run((em) =>
      this.repo(em).update({ destinationId, fileName, state: 'pending' }, { fileName: null }),
    );
  }

  /** Current next values of PS-PDU sequences (absent: the stream starts at 0). */
  pduCounters(destinationId: string, keys: readonly StreamKey[]): Promise<Map<string, number>> {
    return this.uow.run(async (em) => {
      const out = new Map<string, number>();
      // By the (LIID, CIN) pairs asked for: a LIID alone selects every stream (call) it ever
      // had, so the read grew with the calls delivered (found at 100 000 sessions). Each engine
      // gets the form its planner turns into index probes without statistics: SQLite probes the
      // primary key per VALUES row (LIID IN … AND CIN IN … probed every LIID × CIN pair, ≈ 2 ms
      // for 500 streams of 100 LIIDs); PostgreSQL plans a join with VALUES by statistics, and
      // on a fresh table chose to scan every counter of the destination (seconds at 44 000),
      // while two `= ANY` arrays stay an index scan; rows of pairs not asked for are left out.
      for (const part of chunks(em, keys)) {
        const q = new SqlParams(engineOf(em));
        const pairs = new Map(part.map((k) => [`${k.liid}\u0000${k.cin}`, [k.liid, k.cin]]));
        const destination = q.add(destinationId); // SQLite: placeholders in text order
        const streams =
          engineOf(em) === 'postgres'
            ? `liid = ANY(${q.add([...new Set(part.map((k) => k.liid))])}) ` +
              `AND cin = ANY(${q.add([...new Set(part.map((k) => k.cin))])})`
            : `(liid, cin) IN (VALUES ${q.valuesRows([...pairs.values()])})`;
        const r = await execSql(
          em,
          `SELECT scope, liid, cin, value FROM hi2_counter WHERE destination_id = ${destination} ` +
            `AND scope IN ('pdu', 'cc') AND ${streams}`,
          q,
        );
        for (const row of r.records.filter((x) =>
          pairs.has(`${String(x.liid)}\u0000${toNumber(x.cin)}`),
        ))
          out.set(
            streamId({ liid: String(row.liid), cin: toNumber(row.cin), cc: row.scope === 'cc' }),
            toNumber(row.value),
          );
      }
      return out;
    });
  }

  /**
   * Marks rows delivered (state `pending` only) and, for TLS, stores the next PS-PDU sequence
   * numbers of the streams they advanced — in one transaction. Returns the rows changed.
   * Committed without waiting for the disk (UnitOfWork `syncCommit: false`): a confirmation lost
   * in a power failure only means its rows are sent again — under the same PS-PDU numbers,
   * since the counters are in the same transaction — or their FTPS file uploaded again.
   */
  markDelivered(
    destinationId: string,
    selection: RowSelection,
    pduNext?: ReadonlyMap<string, { key: StreamKey; next: number }>,
    now = new Date(),
  ): Promise<number> {
    return this.uow.run(async (em) => {
      const set = { state: 'delivered' as const, deliveredAt: isoNow(now) };
      let changed = 0;
      if ('fileName' in selection) {
        const r = await this.repo(em).update(
          { destinationId, fileName: selection.fileName, state: 'pending' },
          set,
        );
        changed = r.affected ?? 0;
      } else {
        // By runs of consecutive numbers: TLS confirms in outbox order, so usually one range.
        for (const [first, last] of seqRuns(selection.seqs)) {
          const q = new SqlParams(engineOf(em));
          const r = await execSql(
            em,
            `UPDATE hi2_outbox SET state = 'delivered', delivered_at = ${q.add(set.deliveredAt)} ` +
              `WHERE destination_id = ${q.add(destinationId)} AND seq BETWEEN ${q.add(first)} AND ${q.add(last)} ` +
              "AND state = 'pending'",
            q,
          );
          changed += r.affected;
        }
      }
      if (pduNext) await this.setCounters(em, destinationId, [...pduNext.values()], now);
      return changed;
    }, NOT_SYNCED);
  }

  /**
   * Counts a refusal by the LEA for each row; a row refused `maxAttempts` times becomes `dead`
   * (kept, never deleted) with an audit entry in the same transaction. Returns the rows that died.
   */
  reject(
    destinationId: string,
    seqs: readonly number[],
    error: string,
    maxAttempts: number,
    skipPduSeq?: ReadonlyMap<number, { key: StreamKey; next: number }>,
  ): Promise<DeadRow[]> {
    return this.uow.run(async (em) => {
      const reason = error.slice(0, 500);
      const dead: DeadRow[] = [];
      for (const part of chunks(em, seqs)) {
        const q = new SqlParams(engineOf(em));
        const r = await execSql(
          em,
          `UPDATE hi2_outbox SET attempts = attempts + 1, last_error = ${q.add(reason)}, ` +
            `state = CASE WHEN attempts + 1 >= ${q.add(maxAttempts)} THEN 'dead' ELSE state END ` +
            `WHERE destination_id = ${q.add(destinationId)} AND seq IN (${q.list(part)}) AND state = 'pending' ` +
            'RETURNING seq, liid, attempts, state',
          q,
        );
        for (const row of r.records.filter((x) => x.state === 'dead')) {
          const seq = toNumber(row.seq);
          dead.push({ seq, liid: String(row.liid), attempts: toNumber(row.attempts) });
          // A dead PS-PDU keeps its sequence number: later records of the stream do not reuse it.
          const skip = skipPduSeq?.get(seq);
          if (skip) await this.setCounters(em, destinationId, [skip]);
          await this.audit.append(
            {
              actor: DELIVERY_ACTOR,
              action: 'hi2.record.dead-letter',
              object: `lea_destination:${destinationId}`,
              liid: String(row.liid),
              outcome: 'failure',
              details: { seq, attempts: toNumber(row.attempts), lastError: reason },
            },
            em,
          );
        }
      }
      return dead;
    });
  }

  /** Pending rows and the oldest pending creation time, per destination that has any. */
  backlog(): Promise<Backlog[]> {
    return this.uow.run(async (em) => {
      const q = new SqlParams(engineOf(em));
      const r = await execSql(
        em,
        "SELECT destination_id, COUNT(*) AS pending, MIN(created_at) AS oldest FROM hi2_outbox WHERE state = 'pending' GROUP BY destination_id",
        q,
      );
      return r.records.map((x) => ({
        destinationId: String(x.destination_id),
        pending: toNumber(x.pending),
        oldestCreatedAt: typeof x.oldest === 'string' ? x.oldest : null,
      }));
    });
  }

  /**
   * Retention: deletes rows delivered before `before` and PS-PDU counters of streams unused
   * since then (a session idle that long restarts at 0). Dead and pending rows are never purged.
   * Audited with the counts.
   */
  purge(before: Date): Promise<{ rows: number; counters: number }> {
    return this.uow.run(async (em) => {
      const cut = isoNow(before);
      const rows = await this.repo(em).delete({ state: 'delivered', deliveredAt: LessThan(cut) });
      const q = new SqlParams(engineOf(em));
      const counters = await execSql(
        em,
        `DELETE FROM hi2_counter WHERE scope IN ('pdu', 'cc') AND updated_at < ${q.add(cut)}`,
        q,
      );
      const result = { rows: rows.affected ?? 0, counters: counters.affected };
      await this.audit.append(
        {
          actor: DELIVERY_ACTOR,
          action: 'hi2.outbox.purge',
          outcome: 'success',
          details: { deliveredBefore: cut, ...result },
        },
        em,
      );
      return result;
    });
  }

  /** Appends an audit entry (alarms of the delivery side). */
  async alarm(
    action: string,
    destinationId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.append({
      actor: DELIVERY_ACTOR,
      action,
      object: `lea_destination:${destinationId}`,
      outcome: 'alarm',
      details,
    });
  }

  private repo(em: EntityManager) {
    return em.getRepository(OutboxRow);
  }

  /** Increments a counter (creating it at 1); returns the new value. */
  private async bump(
    em: EntityManager,
    destinationId: string,
    scope: 'file',
    key: StreamKey,
  ): Promise<number> {
    const engine = engineOf(em);
    const q = new SqlParams(engine);
    const r = await execSql(
      em,
      'INSERT INTO hi2_counter (destination_id, scope, liid, cin, value, updated_at) ' +
        `VALUES (${q.list([destinationId, scope, key.liid, key.cin, 1, isoNow()])}) ` +
        'ON CONFLICT (destination_id, scope, liid, cin) DO UPDATE SET value = hi2_counter.value + 1, updated_at = excluded.updated_at RETURNING value',
      q,
    );
    return toNumber(r.records[0].value);
  }

  /** Stores the next PS-PDU numbers of streams: one multi-row upsert per `IN_CHUNK` streams. */
  private async setCounters(
    em: EntityManager,
    destinationId: string,
    streams: ReadonlyArray<{ key: StreamKey; next: number }>,
    now = new Date(),
  ): Promise<void> {
    const at = isoNow(now);
    for (const part of chunks(em, streams)) {
      const q = new SqlParams(engineOf(em));
      const rows = part.map(
        ({ key, next }) =>
          `(${q.list([destinationId, counterScope(key), key.liid, key.cin, next, at])})`,
      );
      await execSql(
        em,
        'INSERT INTO hi2_counter (destination_id, scope, liid, cin, value, updated_at) ' +
          `VALUES ${rows.join(', ')} ` +
          'ON CONFLICT (destination_id, scope, liid, cin) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
        q,
      );
    }
  }
}
