import { Logger } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { EntityManager } from 'typeorm';
import { Backoff } from '../handover/delivery/backoff';
import { UnitOfWork } from './unit-of-work';

/** First wait after a transient failure; it doubles up to RETRY_CAP_MS (equal jitter). */
const RETRY_BASE_MS = 100;
/** Longest wait between attempts: how late, at worst, work resumes once the database is back. */
const RETRY_CAP_MS = 1_000;

const metrics = {
  retries: new Counter({
    name: 'mf_db_commit_retries_total',
    help: 'Database writes attempted again after a transient failure (database briefly unavailable), by operation',
    labelNames: ['op'] as const,
  }),
  exceeded: new Counter({
    name: 'mf_db_outage_exceeded_total',
    help: 'Database writes given up after DB_OUTAGE_MAX_MS of unavailability (their X2 connections close), by operation',
    labelNames: ['op'] as const,
  }),
  retrying: new Gauge({
    name: 'mf_db_retrying_operations',
    help: 'Database writes currently waiting for the database to come back',
  }),
};

/** PostgreSQL SQLSTATEs of an unavailable or overloaded server, or of a lost race worth rerunning. */
const PG_TRANSIENT_STATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovery)
  '53000', // insufficient_resources
  '53100', // disk_full
  '53200', // out_of_memory
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);
/** Socket errors of a connection to the database server. */
const NET_TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** node-postgres errors without a code: the connection died or could not be had from the pool. */
const PG_CONNECTION_LOST =
  /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect)/;

/** The connection died while PostgreSQL was committing: ask again whether it committed. */
class CommitOutcomeUnknown extends Error {}

/**
 * Whether `e` says the database is unavailable for a while rather than that the statement is
 * wrong: PostgreSQL connection refused, reset or terminated (class 08 SQLSTATEs, server
 * shutdown, no free connection slot, serialization failure or deadlock), SQLite busy, locked,
 * I/O error or disk full. TypeORM's QueryFailedError is judged by its driver error; a query
 * runner TypeORM released because its connection died counts as a lost connection.
 * Constraint violations, syntax errors and the like are not transient: rerunning cannot help.
 */
export function isTransientDbError(e: unknown): boolean {
  // Not `instanceof Error`: errors made by Node's own sockets may come from another realm.
  for (let x = e, depth = 0; typeof x === 'object' && x !== null && depth < 4; depth++) {
    const err = x as { code?: unknown; name?: unknown; message?: unknown; driverError?: unknown };
    if (x instanceof CommitOutcomeUnknown) return true;
    const code = typeof err.code === 'string' ? err.code : '';
    if (/^SQLITE_(BUSY|LOCKED|IOERR|FULL)/.test(code)) return true;
    if (code.startsWith('08') || PG_TRANSIENT_STATES.has(code) || NET_TRANSIENT_CODES.has(code))
      return true;
    if (err.name === 'QueryRunnerAlreadyReleasedError') return true;
    if (typeof err.message === 'string' && PG_CONNECTION_LOST.test(err.message)) return true;
    x = err.driverError ?? (x as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * A write given up after DB_OUTAGE_MAX_MS of database unavailability, or at once because an
 * earlier write gave up and nothing committed since (`early`).
 */
export class DbOutageError extends Error {
  constructor(
    readonly op: string,
    readonly elapsedMs: number,
    readonly lastError: unknown,
    readonly early = false,
  ) {
    super(
      `database unavailable, ${op} given up ` +
        (early
          ? 'at once (an earlier write gave up after DB_OUTAGE_MAX_MS, nothing committed since): '
          : `after ${elapsedMs} ms (DB_OUTAGE_MAX_MS): `) +
        describe(lastError),
    );
    this.name = 'DbOutageError';
  }
}

export interface DbOutageOptions {
  /** DB_OUTAGE_MAX_MS: how long one operation keeps retrying. */
  maxMs: number;
  /** Waits between attempts (tests). */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Rides out a brief database outage (issue 8) for the writes that hold X2 data unacknowledged:
 * a transient failure (see isTransientDbError) is retried with exponential back-off
 * (100 ms doubling to 1 s, jitter) for at most `maxMs` per operation; any other error fails at
 * once. Callers keep their PDUs in flight meanwhile, so the NE's TCP window absorbs the outage.
 *
 * After one operation gave up, the outage counts as long: further transient failures fail at
 * once, as before this guard existed, until a `transaction` commits again; so batches queued
 * behind the failed one do not each wait another `maxMs`.
 *
 * `transaction` reruns a whole UnitOfWork transaction, which is only correct for work that
 * rebuilds its writes from inputs it does not change (the pipeline's BatchOutput). On
 * PostgreSQL a connection lost during COMMIT leaves the outcome unknown; rerunning could then
 * write the batch twice, so the transaction first notes its id (`pg_current_xact_id()`, one
 * statement per transaction, PostgreSQL ≥ 13) and the next attempt asks `pg_xact_status` whether
 * it committed after all (PostgreSQL §9.27.4: meant for exactly this).
 */
export class DbOutageRetry {
  private readonly log = new Logger('Database');
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  /** Start times of the operations retrying now. */
  private readonly failing = new Set<{ since: number }>();
  /** An operation gave up and none succeeded since. */
  private gaveUp = false;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly opts: DbOutageOptions,
  ) {
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = opts.now ?? Date.now;
  }

  /** For the health check: how many writes wait for the database, and since when (ms). */
  get state(): { retrying: number; forMs?: number } {
    if (!this.failing.size) return { retrying: 0 };
    const since = Math.min(...[...this.failing].map((f) => f.since));
    return { retrying: this.failing.size, forMs: this.now() - since };
  }

  /** Runs `work` in one transaction, again while the database is briefly unavailable. */
  transaction<T>(op: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    /** Id of an attempt whose COMMIT was sent but not confirmed, and that attempt's result. */
    let unknown: { xact: string; result: T } | undefined;
    return this.retry(op, async () => {
      if (unknown) {
        const xact = unknown.xact;
        const status = await this.uow.run((em) => xactStatus(em, xact));
        if (status === 'committed') {
          this.gaveUp = false;
          return unknown.result;
        }
        if (status === 'in progress') throw new CommitOutcomeUnknown(`transaction ${xact}`);
        unknown = undefined;
      }
      let attempt: { xact: string; result: T } | undefined;
      try {
        const result = await this.uow.run(async (em) => {
          const xact = this.uow.isPostgres ? await currentXact(em) : undefined;
          const r = await work(em);
          if (xact !== undefined) attempt = { xact, result: r };
          return r;
        });
        this.gaveUp = false;
        return result;
      } catch (e) {
        unknown = attempt;
        throw e;
      }
    });
  }

  /**
   * Runs `fn` (its own transactions), again while the database is briefly unavailable.
   * `background`: nothing waits for it (an audit entry), so it retries for its whole `maxMs`
   * even after another operation gave up.
   */
  async retry<T>(op: string, fn: () => Promise<T>, background = false): Promise<T> {
    const started = { since: this.now() };
    const backoff = new Backoff(RETRY_BASE_MS, RETRY_CAP_MS);
    try {
      for (;;) {
        try {
          const result = await fn();
          if (backoff.consecutiveFailures) {
            this.log.warn(
              `database back: ${op} succeeded after ${this.now() - started.since} ms and ${backoff.consecutiveFailures} retries`,
            );
          }
          return result;
        } catch (e) {
          if (!isTransientDbError(e)) throw e;
          const elapsed = this.now() - started.since;
          const early = this.gaveUp && !background;
          if (early || elapsed >= this.opts.maxMs) {
            const err = new DbOutageError(op, elapsed, e, early);
            this.gaveUp = true;
            metrics.exceeded.inc({ op });
            this.log.error(
              `${err.message}; nothing of it was committed (X2 PDUs in it: their connections close), ` +
                'later writes fail at once until the database answers again',
            );
            throw err;
          }
          if (!this.failing.has(started)) {
            this.failing.add(started);
            metrics.retrying.set(this.failing.size);
            this.log.warn(`database unavailable, ${op} waits for it: ${describe(e)}`);
          }
          metrics.retries.inc({ op });
          await this.sleep(Math.min(backoff.next(), this.opts.maxMs - elapsed));
        }
      }
    } finally {
      if (this.failing.delete(started)) metrics.retrying.set(this.failing.size);
    }
  }
}

async function currentXact(em: EntityManager): Promise<string> {
  const [row] = await em.query<Array<{ x: string }>>('SELECT pg_current_xact_id()::text AS x');
  return row.x;
}

async function xactStatus(em: EntityManager, xact: string): Promise<string | null> {
  const [row] = await em.query<Array<{ s: string | null }>>(
    'SELECT pg_xact_status($1::xid8) AS s',
    [xact],
  );
  return row.s;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
