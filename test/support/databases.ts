import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createDataSource, DataSourceSettings } from '../../apps/mf/src/persistence/data-source';

/** A throw-away database for one test file: its URL, and how to remove it. */
export interface TempDatabase {
  engine: 'sqlite' | 'postgres';
  url: string;
  drop(): Promise<void>;
}

/** A fresh SQLite file in its own temporary directory. */
export function tempSqlite(): TempDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'mf-db-'));
  return {
    engine: 'sqlite',
    url: join(dir, 'mf.sqlite'),
    drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

/** A fresh schema in the PostgreSQL database at `pgUrl`, selected through `search_path`. */
export async function tempPgSchema(pgUrl: string): Promise<TempDatabase> {
  const schema = `t_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = createDataSource({ url: pgUrl });
  await admin.initialize();
  await admin.query(`CREATE SCHEMA ${schema}`);
  return {
    engine: 'postgres',
    url: `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`,
    drop: async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.destroy();
    },
  };
}

/** The engines to run a database test on: SQLite always, PostgreSQL when PG_URL is set. */
export const ENGINES: Array<{ name: string; make: () => Promise<TempDatabase> }> = [
  { name: 'SQLite', make: () => Promise.resolve(tempSqlite()) },
  ...(process.env.PG_URL
    ? [{ name: 'PostgreSQL', make: () => tempPgSchema(process.env.PG_URL!) }]
    : []),
];

/** Announces, as a skipped test, that the PostgreSQL variant did not run. */
export function notePgSkipped(): void {
  if (!process.env.PG_URL) it.skip('PostgreSQL variant (skipped: PG_URL not set)', () => undefined);
}

/** Opens a data source on a temp database with all migrations applied. */
export async function migratedDataSource(
  db: TempDatabase,
  entities: DataSourceSettings['entities'] = [],
): Promise<DataSource> {
  const ds = createDataSource({ url: db.url, entities });
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}
