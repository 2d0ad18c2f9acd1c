import { UnitOfWork } from '../persistence/unit-of-work';

/**
 * Hands out unique numbers from a named row of the `counter` table, reserving a block at a
 * time with one atomic `UPDATE … RETURNING` (SQLite ≥ 3.35 and PostgreSQL), so that several
 * MF instances never hand out the same number and allocation costs no round trip per call.
 * Numbers left in a block when the process stops are skipped, never reused. The reservation
 * is its own UnitOfWork transaction: on SQLite's single connection a bare query could land
 * inside another caller's open transaction and vanish with its rollback. Used for CINs
 * (TS 102 232-1 communicationIdentityNumber, 0..4294967295).
 */
export class CounterBlock {
  private next = 0;
  private end = 0;
  private refill: Promise<void> | undefined;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly name: string,
    private readonly blockSize = 1000,
    private readonly max = 0xffffffff,
  ) {}

  async take(): Promise<number> {
    while (this.next >= this.end) {
      this.refill ??= this.reserve().finally(() => (this.refill = undefined));
      await this.refill;
    }
    return this.next++;
  }

  private async reserve(): Promise<void> {
    const pg = this.uow.isPostgres;
    const rows: unknown = await this.uow.run(async (em) => {
      await em.query(
        `INSERT INTO counter (name, value) VALUES (${pg ? '$1' : '?'}, 1) ON CONFLICT (name) DO NOTHING`,
        [this.name],
      );
      return em.query<unknown>(
        `UPDATE counter SET value = value + ${pg ? '$1' : '?'} WHERE name = ${pg ? '$2' : '?'} RETURNING value`,
        [this.blockSize, this.name],
      );
    });
    const end = Number(firstValue(rows));
    if (!Number.isSafeInteger(end) || end - this.blockSize > this.max) {
      throw new Error(`counter ${this.name} exhausted`);
    }
    this.next = end - this.blockSize;
    this.end = Math.min(end, this.max + 1);
  }
}

/** The `value` of the first row, whichever shape the driver returns for UPDATE … RETURNING. */
function firstValue(rows: unknown): unknown {
  const list = Array.isArray(rows) && Array.isArray(rows[0]) ? (rows[0] as unknown[]) : rows;
  const row = Array.isArray(list) ? (list[0] as { value?: unknown } | undefined) : undefined;
  return row?.value;
}
