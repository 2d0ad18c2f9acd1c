import { Logger } from '@nestjs/common';
import { runInNewContext } from 'node:vm';
import Database from 'better-sqlite3';
import { QueryFailedError, type EntityManager } from 'typeorm';
import { tempSqlite } from '../../../../test/support/databases';
import { DbOutageError, DbOutageRetry, isTransientDbError } from './db-outage';
import type { UnitOfWork } from './unit-of-work';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('isTransientDbError', () => {
  it.each([
    ['SQLite busy', coded('SQLITE_BUSY')],
    ['SQLite busy (snapshot)', coded('SQLITE_BUSY_SNAPSHOT')],
    ['SQLite locked', coded('SQLITE_LOCKED')],
    ['SQLite I/O error', coded('SQLITE_IOERR_WRITE')],
    ['connection refused', coded('ECONNREFUSED')],
    ['connection reset', coded('ECONNRESET')],
    ['PostgreSQL connection failure (class 08)', coded('08006')],
    ['PostgreSQL shutting down', coded('57P01')],
    ['PostgreSQL out of connection slots', coded('53300')],
    ['PostgreSQL deadlock victim', coded('40P01')],
    ['node-postgres connection lost', new Error('Connection terminated unexpectedly')],
    ['TypeORM around a lost connection', new QueryFailedError('COMMIT', [], coded('ECONNRESET'))],
    [
      'TypeORM runner released with its connection',
      Object.assign(new Error('x'), {
        name: 'QueryRunnerAlreadyReleasedError',
      }),
    ],
    ['a cause', new Error('outer', { cause: coded('SQLITE_BUSY') })],
    [
      'an error of another realm (Node sockets under jest)',
      runInNewContext('Object.assign(new Error("connect"), { code: "ECONNREFUSED" })') as unknown,
    ],
  ])('%s is transient', (_, e) => expect(isTransientDbError(e)).toBe(true));

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], coded('23505', 'duplicate key'))],
    ['a SQLite constraint', coded('SQLITE_CONSTRAINT_PRIMARYKEY')],
    ['a syntax error', coded('42601')],
    ['a plain error', new Error('counter cin exhausted')],
    ['not an error', 'SQLITE_BUSY'],
  ])('%s is not', (_, e) => expect(isTransientDbError(e)).toBe(false));

  it('knows the error better-sqlite3 really throws for a database another connection locked', async () => {
    const db = tempSqlite();
    const holder = new Database(db.url);
    const other = new Database(db.url, { timeout: 0 });
    try {
      holder.exec('CREATE TABLE t (x INTEGER)');
      holder.exec('BEGIN EXCLUSIVE');
      let error: unknown;
      try {
        other.exec('INSERT INTO t VALUES (1)');
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'SQLITE_BUSY' });
      expect(isTransientDbError(error)).toBe(true);
    } finally {
      holder.close();
      other.close();
      await db.drop();
    }
  });
});

/** A clock that only moves when the guard sleeps. */
function fakeTime() {
  const t = { now: 0, slept: [] as number[] };
  return {
    t,
    sleep: (ms: number) => {
      t.slept.push(ms);
      t.now += ms;
      return Promise.resolve();
    },
    now: () => t.now,
  };
}

/** A SQLite UnitOfWork whose transactions run `work` on a fake EntityManager. */
const noDb = {
  isPostgres: false,
  run: (work: (e: EntityManager) => unknown) => work({} as EntityManager),
} as unknown as UnitOfWork;

describe('DbOutageRetry', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('retries a transient failure with a growing, capped wait until it succeeds', async () => {
    const time = fakeTime();
    const retry = new DbOutageRetry(noDb, { maxMs: 60_000, ...time });
    let calls = 0;
    const result = await retry.retry('op', () => {
      calls++;
      return calls < 8 ? Promise.reject(coded('SQLITE_BUSY')) : Promise.resolve('done');
    });
    expect(result).toBe('done');
    expect(calls).toBe(8);
    expect(time.t.slept).toHaveLength(7);
    expect(time.t.slept[0]).toBeLessThanOrEqual(100);
    expect(Math.max(...time.t.slept)).toBeLessThanOrEqual(1_000);
    expect(time.t.slept.slice(-2).every((ms) => ms >= 500)).toBe(true);
    expect(retry.state).toEqual({ retrying: 0 });
  });

  it('fails at once on an error that is not transient', async () => {
    const retry = new DbOutageRetry(noDb, { maxMs: 60_000, ...fakeTime() });
    let calls = 0;
    const unique = coded('23505', 'duplicate key');
    await expect(
      retry.retry('op', () => {
        calls++;
        return Promise.reject(unique);
      }),
    ).rejects.toBe(unique);
    expect(calls).toBe(1);
  });

  it('gives up after maxMs, then fails at once until a transaction commits again', async () => {
    const time = fakeTime();
    const retry = new DbOutageRetry(noDb, { maxMs: 5_000, ...time });
    const down = () => Promise.reject(coded('ECONNREFUSED'));
    const failure = await retry.retry('first', down).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DbOutageError);
    expect(failure).toMatchObject({ op: 'first', elapsedMs: 5_000 });
    expect((failure as Error).message).toMatch(/first given up after 5000 ms.*ECONNREFUSED/);

    const sleeps = time.t.slept.length;
    await expect(retry.retry('queued', down)).rejects.toMatchObject({ op: 'queued', early: true });
    expect(time.t.slept).toHaveLength(sleeps); // no wait: the outage is known to be long

    let audits = 0; // nothing waits for a background write: it keeps trying
    await retry.retry('audit', () => (++audits < 3 ? down() : Promise.resolve()), true);
    expect(audits).toBe(3);

    await retry.transaction('back', () => Promise.resolve());
    let calls = 0;
    await retry.retry('later', () => (++calls < 3 ? down() : Promise.resolve()));
    expect(calls).toBe(3);
  });

  it('reports the writes waiting for the database while they wait', async () => {
    const time = fakeTime();
    let seen: unknown;
    const retry = new DbOutageRetry(noDb, {
      maxMs: 60_000,
      now: time.now,
      sleep: (ms) => {
        seen ??= retry.state;
        return time.sleep(ms);
      },
    });
    let calls = 0;
    await retry.retry('op', () =>
      ++calls < 3 ? Promise.reject(coded('SQLITE_BUSY')) : Promise.resolve(),
    );
    expect(seen).toEqual({ retrying: 1, forMs: 0 });
    expect(retry.state).toEqual({ retrying: 0 });
  });

  describe('on PostgreSQL, a connection lost during COMMIT', () => {
    /** Transactions whose first COMMIT is lost; pg_xact_status then answers `status`. */
    function lostCommit(status: string) {
      const log: string[] = [];
      let commits = 0;
      const uow = {
        isPostgres: true,
        run: async (work: (em: EntityManager) => Promise<unknown>) => {
          const em = {
            query: (sql: string) => {
              log.push(sql.split(' ')[1]);
              return Promise.resolve(sql.includes('status') ? [{ s: status }] : [{ x: '771' }]);
            },
          } as unknown as EntityManager;
          const result = await work(em);
          if (log.includes('pg_current_xact_id()::text') && commits++ === 0)
            throw new Error('Connection terminated unexpectedly');
          return result;
        },
      } as unknown as UnitOfWork;
      return { uow, log };
    }

    it('is not written again when PostgreSQL says it committed', async () => {
      const { uow, log } = lostCommit('committed');
      let runs = 0;
      const retry = new DbOutageRetry(uow, { maxMs: 60_000, ...fakeTime() });
      expect(await retry.transaction('op', () => Promise.resolve(++runs))).toBe(1);
      expect(runs).toBe(1);
      expect(log).toEqual(['pg_current_xact_id()::text', 'pg_xact_status($1::xid8)']);
    });

    it('is written again when PostgreSQL says it aborted', async () => {
      const { uow } = lostCommit('aborted');
      let runs = 0;
      const retry = new DbOutageRetry(uow, { maxMs: 60_000, ...fakeTime() });
      expect(await retry.transaction('op', () => Promise.resolve(++runs))).toBe(2);
    });
  });
});
