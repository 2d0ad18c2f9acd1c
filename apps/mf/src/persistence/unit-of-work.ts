import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SQLITE_SYNCHRONOUS } from './data-source';

/**
 * Runs a function in one database transaction. Every write path of the MF goes through it so
 * that an event, its outbox rows and its audit entries commit together (ARCHITECTURE.md §3.7).
 *
 * SQLite (better-sqlite3) has one connection per process: TypeORM cannot run two
 * transactions on it at once, so here they are queued in process. PostgreSQL transactions
 * run concurrently on the pool.
 */
@Injectable()
export class UnitOfWork {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly serialise: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.serialise = dataSource.options.type === 'better-sqlite3';
  }

  get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /**
   * `opts.syncCommit: false` — for bookkeeping whose loss is harmless (HI2 delivery
   * confirmations: unconfirmed rows are sent again under the same numbers): the commit does
   * not wait for the disk. PostgreSQL: `SET LOCAL synchronous_commit = off`; SQLite:
   * `synchronous = NORMAL` for this transaction (WAL: written without fsync). A crash of the MF
   * process loses nothing; a power loss (SQLite) or database server crash (PostgreSQL) may
   * lose such transactions at the end of the log, never one before a synced commit — both
   * logs are sequential (SQLite §pragma synchronous; PostgreSQL manual §30.4 Asynchronous Commit).
   */
  run<T>(work: (em: EntityManager) => Promise<T>, opts?: { syncCommit?: boolean }): Promise<T> {
    const lazy = opts?.syncCommit === false;
    if (!this.serialise) {
      return this.dataSource.transaction(async (em) => {
        if (lazy) await em.query('SET LOCAL synchronous_commit = off');
        return work(em);
      });
    }
    const result = this.tail.then(async () => {
      if (!lazy) return this.dataSource.transaction(work);
      await this.dataSource.query('PRAGMA synchronous = NORMAL');
      try {
        return await this.dataSource.transaction(work);
      } finally {
        await this.dataSource.query(`PRAGMA synchronous = ${SQLITE_SYNCHRONOUS}`);
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
