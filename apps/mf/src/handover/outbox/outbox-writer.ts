import {
  EpsIRIContent,
  encodeEpsIriContent,
  IriRecordType,
  LIID_MAX_OCTETS,
  recordParts,
  viewEncodedRecord,
} from '@app/hi2';
import { Injectable } from '@nestjs/common';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  TransactionCommitEvent,
} from 'typeorm';
import { engineOf, execSql, isoNow, rowChunks, SqlParams, toNumber } from '../../persistence/sql';
import { OUTBOX_CHANNEL } from './outbox-commit-watch';

/** One IRI record to deliver to every LEA destination of its warrant. */
export interface OutboxItem {
  /**
   * The record (encoded here; its LIID and type are read from the object) or its BER (one
   * EpsIRIContent, e.g. from `encodeEpsIriContent`; LIID and type are located in the octets).
   */
  record: EpsIRIContent | Buffer;
  /** Ids of the warrant's LEA destinations (`lea_destination.id`); at least one. */
  destinations: readonly string[];
  /** The session's Communication Identity Number (0..2^32-1); omit for records outside a session. */
  cin?: number;
  /** When the record was built; default now. */
  createdAt?: Date;
}

/**
 * One media packet (HI3 CC) to deliver to the TLS destinations of its warrant: the BER of one
 * TS 102 232-1 CCPayload (`encodeCcPayload`), with the session's LIID and CIN. Stored in
 * `hi2_outbox` with record kind `CC`; the TLS worker adds the PSHeader with the CC stream's own
 * sequence number.
 */
export interface CcOutboxItem {
  liid: string;
  cin: number;
  ccPayload: Buffer;
  /** Ids of TLS destinations only: FTPS carries no CC. At least one. */
  destinations: readonly string[];
  createdAt?: Date;
}

/** Where one record went: the destination and the sequence number it got there. */
export interface EnqueuedRow {
  destinationId: string;
  seq: number;
  liid: string;
  iriType: OutboxRecordKind;
}

/** The `iri_type` column: the IRI record type, or `CC` for a media packet. */
export type OutboxRecordKind = IriRecordType | 'CC';

export class OutboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboxError';
  }
}

/** Rows per INSERT statement: 9 parameters each stays below SQLite's 32766-variable limit. */
const INSERT_CHUNK = 500;
/** Marker on the transaction's query runner: this transaction enqueued outbox rows. */
const ENQUEUED = 'hi2OutboxEnqueued';

interface Prepared {
  liid: string;
  iriType: OutboxRecordKind;
  cin: number | null;
  createdAt: string;
  payload: Buffer;
  destinations: string[];
}

/**
 * Writes IRI records into `hi2_outbox` inside the caller's transaction (ARCHITECTURE.md §3.7):
 * the pipeline calls `enqueue(em, …)` in the same `UnitOfWork.run` as the session update and the
 * audit entry, so a record exists exactly when the event that caused it is committed.
 *
 * Sequence numbers: per destination, 1, 2, 3 … without gaps, reserved with one
 * `UPDATE hi2_counter SET value = value + n … RETURNING value` per destination and call. On
 * PostgreSQL that row stays locked until the caller commits, so concurrent transactions (other
 * MF instances included) take their numbers in commit order and a drainer never sees seq n+1
 * committed before seq n. Destinations are locked in id order so two transactions cannot
 * deadlock on them. Call `enqueue` once per transaction, as its last write, to keep that lock
 * short. On SQLite the UnitOfWork queue already serialises writers.
 *
 * Cost per call: one counter statement per destination and one multi-row INSERT per 500 rows;
 * batch the records of one transaction into one call.
 */
@Injectable()
export class OutboxWriter implements EntitySubscriberInterface {
  private readonly listeners = new Set<() => void>();

  constructor(dataSource: DataSource) {
    dataSource.subscribers.push(this);
  }

  /** Calls `listener` after each commit of a transaction that enqueued rows (wakes the drainers). */
  onCommitted(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async enqueue(
    em: EntityManager,
    input: OutboxItem | readonly OutboxItem[],
  ): Promise<EnqueuedRow[]> {
    const items = (Array.isArray(input) ? input : [input]) as readonly OutboxItem[];
    return this.insert(em, items.map(prepare));
  }

  /** Enqueues media packets (HI3 CC) in the caller's transaction, with the same guarantees. */
  enqueueCc(em: EntityManager, items: readonly CcOutboxItem[]): Promise<EnqueuedRow[]> {
    return this.insert(em, items.map(prepareCc));
  }

  private async insert(em: EntityManager, prepared: readonly Prepared[]): Promise<EnqueuedRow[]> {
    const perDestination = new Map<string, number>();
    for (const p of prepared)
      for (const d of p.destinations) perDestination.set(d, (perDestination.get(d) ?? 0) + 1);
    const next = new Map<string, number>();
    for (const d of [...perDestination.keys()].sort()) {
      const n = perDestination.get(d)!;
      next.set(d, (await this.reserve(em, d, n)) - n + 1);
    }
    const rows: Array<[Prepared, string, number]> = [];
    for (const p of prepared)
      for (const d of p.destinations) {
        const seq = next.get(d)!;
        next.set(d, seq + 1);
        rows.push([p, d, seq]);
      }
    const engine = engineOf(em);
    for (const chunk of rowChunks(engine, rows, INSERT_CHUNK)) {
      const q = new SqlParams(engine);
      const values = chunk.map(
        ([p, d, seq]) =>
          `(${q.list([d, seq, p.liid, p.iriType, p.cin, p.createdAt, p.payload])}, 'pending', 0)`,
      );
      await execSql(
        em,
        'INSERT INTO hi2_outbox (destination_id, seq, liid, iri_type, cin, created_at, payload, state, attempts) ' +
          `VALUES ${values.join(', ')}`,
        q,
      );
    }
    if (rows.length && !em.queryRunner!.data[ENQUEUED]) {
      em.queryRunner!.data[ENQUEUED] = true;
      // Delivery in other processes (OutboxCommitWatch): PostgreSQL delivers it at commit.
      if (engine === 'postgres')
        await execSql(em, `NOTIFY ${OUTBOX_CHANNEL}`, new SqlParams(engine));
    }
    return rows.map(([p, d, seq]) => ({ destinationId: d, seq, liid: p.liid, iriType: p.iriType }));
  }

  /** Reserves `n` numbers for `destination`; returns the last one. */
  private async reserve(em: EntityManager, destination: string, n: number): Promise<number> {
    const engine = engineOf(em);
    const update = async (): Promise<number | undefined> => {
      const q = new SqlParams(engine);
      const r = await execSql(
        em,
        `UPDATE hi2_counter SET value = value + ${q.add(n)}, updated_at = ${q.add(isoNow())} ` +
          `WHERE destination_id = ${q.add(destination)} AND scope = 'record' AND liid = '' AND cin = -1 ` +
          'RETURNING value',
        q,
      );
      return r.records.length ? toNumber(r.records[0].value) : undefined;
    };
    const last = await update();
    if (last !== undefined) return last;
    const q = new SqlParams(engine);
    await execSql(
      em,
      'INSERT INTO hi2_counter (destination_id, scope, liid, cin, value, updated_at) ' +
        `VALUES (${q.list([destination, 'record', '', -1, 0, isoNow()])}) ON CONFLICT DO NOTHING`,
      q,
    );
    const created = await update();
    if (created === undefined) throw new OutboxError('outbox counter row missing after insert');
    return created;
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (!event.queryRunner.data[ENQUEUED]) return;
    delete event.queryRunner.data[ENQUEUED];
    for (const l of this.listeners) l();
  }

  afterTransactionRollback(event: TransactionCommitEvent): void {
    delete event.queryRunner.data[ENQUEUED];
  }
}

function checkCin(cin: number | undefined): void {
  if (cin !== undefined && (!Number.isInteger(cin) || cin < 0 || cin > 0xffffffff))
    throw new OutboxError('cin must be an integer in 0..4294967295');
}

function prepareCc(item: CcOutboxItem): Prepared {
  const destinations = [...new Set(item.destinations)];
  if (!destinations.length) throw new OutboxError('a CC packet needs at least one destination');
  checkCin(item.cin);
  return {
    liid: item.liid,
    iriType: 'CC',
    cin: item.cin,
    createdAt: isoNow(item.createdAt),
    payload: item.ccPayload,
    destinations,
  };
}

/** The BER of an item's record, with the LIID and record type the outbox row is keyed by. */
function encoded(record: EpsIRIContent | Buffer): {
  payload: Buffer;
  liid: Buffer;
  kind: IriRecordType;
} {
  if (Buffer.isBuffer(record)) {
    const view = viewEncodedRecord(record);
    return { payload: record, liid: view.liid, kind: view.kind };
  }
  const payload = encodeEpsIriContent(record);
  const { kind, parameters } = recordParts(record);
  const liid = parameters.lawfulInterceptionIdentifier;
  // The same check as viewEncodedRecord makes on octets (LawfulInterceptionIdentifier SIZE (1..25)).
  if (liid.length < 1 || liid.length > LIID_MAX_OCTETS)
    throw new OutboxError('lawfulInterceptionIdentifier missing or out of size');
  return { payload, liid, kind };
}

function prepare(item: OutboxItem): Prepared {
  const { payload, liid, kind } = encoded(item.record);
  const destinations = [...new Set(item.destinations)];
  if (!destinations.length) throw new OutboxError('an IRI record needs at least one destination');
  checkCin(item.cin);
  return {
    liid: liid.toString('utf8'),
    iriType: kind,
    cin: item.cin ?? null,
    createdAt: isoNow(item.createdAt),
    payload,
    destinations,
  };
}
