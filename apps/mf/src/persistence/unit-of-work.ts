import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

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

  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialise) return this.dataSource.transaction(work);
    const result = this.tail.then(() => this.dataSource.transaction(work));
    this.tail = result.catch(() => undefined);
    return result;
  }
}
