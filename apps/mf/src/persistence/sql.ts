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
