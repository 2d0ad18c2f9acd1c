import { DataSource, EntityManager } from 'typeorm';

/** The two database engines the MF runs on (ARCHITECTURE.md §7). */
export type Engine = 'sqlite' | 'postgres';

export function engineOf(db: DataSource | EntityManager): Engine {
  const type = 'connection' in db ? db.connection.options.type : db.options.type;
  return type === 'postgres' ? 'postgres' : 'sqlite';
}

/**
 * Positional parameters for hand-written SQL that must run on both engines: `$n` on
 * PostgreSQL, `?` on SQLite. Used where TypeORM's builders cannot express the statement on
 * both engines (UPDATE … RETURNING on SQLite, multi-row inserts without per-row overhead).
 */
export class SqlParams {
  readonly values: unknown[] = [];

  constructor(private readonly engine: Engine) {}

  /**
   * Adds a value and returns its placeholder. Add values in the order their placeholders appear
   * in the statement text: SQLite's `?` is positional.
   */
  add(value: unknown): string {
    this.values.push(value);
    return this.engine === 'postgres' ? `$${this.values.length}` : '?';
  }

  /** Placeholders for a list, e.g. for `IN (…)`. */
  list(values: readonly unknown[]): string {
    return values.map((v) => this.add(v)).join(', ');
  }

  /**
   * Rows for `(a, b) IN (VALUES …)` on SQLite, which wants a subquery on the right of a
   * row-value IN (SQLite, Row Values §2.2). PostgreSQL would type such bare parameters as text.
   */
  valuesRows(rows: ReadonlyArray<readonly unknown[]>): string {
    if (this.engine === 'postgres') throw new Error('valuesRows: SQLite only');
    return rows.map((row) => `(${this.list(row)})`).join(', ');
  }
}

/**
 * `rows` split for multi-row statements of at most `max` rows. SQLite: chunks of power-of-two
 * sizes (binary decomposition of the count), so that a few statement texts recur and hit the
 * prepared-statement cache of TypeORM's better-sqlite3 runner (100 statements): a statement
 * with a row count not seen before is prepared anew, which costs about three times running it
 * (500-row INSERT: 1.1 ms to prepare, 0.4 ms to run). PostgreSQL statements are not prepared
 * here: as few chunks as possible.
 */
export function rowChunks<T>(engine: Engine, rows: readonly T[], max: number): T[][] {
  const out: T[][] = [];
  const largest = engine === 'sqlite' ? 2 ** Math.floor(Math.log2(max)) : max;
  for (let i = 0; i < rows.length;) {
    const left = rows.length - i;
    const size =
      engine === 'sqlite'
        ? Math.min(largest, 2 ** Math.floor(Math.log2(left)))
        : Math.min(max, left);
    out.push(rows.slice(i, i + size));
    i += size;
  }
  return out;
}

/** BIGINT arrives as a string from node-postgres and as a number from better-sqlite3. */
export function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

/** Rows returned and rows affected by one statement, the same way on both engines. */
export interface SqlResult {
  records: Array<Record<string, unknown>>;
  affected: number;
}

/**
 * Runs one statement in the manager's transaction. Every hand-written statement runs inside
 * `UnitOfWork.run`: on SQLite that queue is what keeps a reader from seeing another
 * transaction's uncommitted rows on the shared connection.
 */
export async function execSql(em: EntityManager, sql: string, p: SqlParams): Promise<SqlResult> {
  const runner = em.queryRunner;
  if (!runner?.isTransactionActive)
    throw new Error('hand-written SQL must run inside UnitOfWork.run');
  const r = await runner.query(sql, p.values, true);
  return {
    records: (r.records ?? []) as Array<Record<string, unknown>>,
    affected: r.affected ?? 0,
  };
}

export function isoNow(now = new Date()): string {
  return now.toISOString();
}
