import { DataSource, DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { migrations } from '../../../../migrations';

/** Engine chosen by DATABASE_URL: PostgreSQL for postgres:// URLs, else a SQLite file path. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** SQLite `synchronous` of every commit but those UnitOfWork runs with `syncCommit: false`. */
export const SQLITE_SYNCHRONOUS = 'FULL';

export interface DataSourceSettings {
  url: string;
  busyTimeoutMs?: number;
  poolSize?: number;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
}

/**
 * TypeORM options for the MF store (ARCHITECTURE.md §7).
 * SQLite: better-sqlite3 with WAL, a busy timeout and `synchronous = FULL`: WAL's usual NORMAL
 * survives a process crash but may lose the last commits on power loss, and X2 data is
 * accepted (and HI2 rows confirmed) only once committed, so every commit is fsynced (SQLite
 * §pragma synchronous). TypeORM turns `foreign_keys` on for every connection. PostgreSQL: a pool of `poolSize`. Timestamps are stored in UTC by the
 * entities themselves; migrations are the explicit list in `migrations/index.ts`, never a glob.
 */
export function dataSourceOptions(s: DataSourceSettings): DataSourceOptions {
  const common = {
    entities: s.entities ?? [],
    migrations,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
  } as const;
  if (isPostgresUrl(s.url)) {
    return { ...common, type: 'postgres', url: s.url, poolSize: s.poolSize ?? 10 };
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: s.url,
    enableWAL: true,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma(`synchronous = ${SQLITE_SYNCHRONOUS}`);
    },
    timeout: s.busyTimeoutMs ?? 5000,
  };
}

export function createDataSource(s: DataSourceSettings): DataSource {
  return new DataSource(dataSourceOptions(s));
}
