import type { Database } from 'better-sqlite3';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { AbstractSqliteDriver } from 'typeorm/driver/sqlite-abstract/AbstractSqliteDriver';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';

/** PostgreSQL channel on which a transaction that enqueued outbox rows notifies at its commit. */
export const OUTBOX_CHANNEL = 'hi2_outbox';

/** Wait before listening again after the LISTEN connection was lost. */
const RELISTEN_MS = 1000;

/**
 * Tells an MF process that ANOTHER process committed outbox rows, so that HI2 delivery starts at
 * once rather than at its next poll (HI2_POLL_INTERVAL_MS) when ingest and delivery run as
 * separate processes (MF_ROLES). Commits of this process wake the workers through
 * `OutboxWriter.onCommitted`; this covers the others.
 * - PostgreSQL: `LISTEN hi2_outbox` on a connection of its own; OutboxWriter's `NOTIFY` in the
 *   enqueuing transaction is delivered at commit, never for a rolled-back one (PostgreSQL
 *   manual, NOTIFY). A lost connection is listened again after RELISTEN_MS; meanwhile the
 *   poll covers.
 * - SQLite: `PRAGMA data_version` every `sqlitePollMs`: its value changes when another
 *   connection committed to the file (SQLite, pragma data_version), read from the WAL index
 *   without a statement on any table. Any commit counts, not only outbox rows: a spurious wake
 *   costs one empty outbox read.
 */
export class OutboxCommitWatch {
  private timer?: NodeJS.Timeout;
  private client?: Client;
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private readonly sqlitePollMs: number,
  ) {}

  start(listener: () => void): void {
    this.stopped = false;
    if (this.ds.options.type === 'postgres') {
      void this.listen(listener);
      return;
    }
    const db = (this.ds.driver as AbstractSqliteDriver).databaseConnection as Database;
    let seen = db.pragma('data_version', { simple: true });
    this.timer = setInterval(() => {
      const now = db.pragma('data_version', { simple: true });
      if (now === seen) return;
      seen = now;
      listener();
    }, this.sqlitePollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async listen(listener: () => void): Promise<void> {
    const options = this.ds.options as PostgresDataSourceOptions;
    const client = new Client({ connectionString: options.url });
    const again = (): void => {
      if (this.client !== client || this.stopped) return;
      this.client = undefined;
      void client.end().catch(() => undefined);
      this.timer = setTimeout(() => void this.listen(listener), RELISTEN_MS);
      this.timer.unref();
    };
    this.client = client;
    client.on('notification', () => listener());
    client.on('error', again);
    client.on('end', again);
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      // Rows committed while not listening: one wake so the workers look.
      listener();
    } catch {
      again();
    }
  }
}
