import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MfConfig } from '../config/mf-config';
import { dataSourceOptions } from './data-source';
import { DbOutageRetry } from './db-outage';
import { UnitOfWork } from './unit-of-work';

/**
 * TypeORM wiring for the MF. Migrations run at start-up only when DB_RUN_MIGRATIONS is set
 * (single-instance deployments); with several instances run `npm run migrate` instead.
 * Exports the UnitOfWork that every write path uses, and the DbOutageRetry of the writes that
 * must outlast a brief database outage (DB_OUTAGE_MAX_MS).
 */
@Module({})
export class PersistenceModule {
  static register(config: MfConfig): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      providers: [
        UnitOfWork,
        {
          provide: DbOutageRetry,
          inject: [UnitOfWork],
          useFactory: (uow: UnitOfWork) =>
            new DbOutageRetry(uow, { maxMs: config.DB_OUTAGE_MAX_MS }),
        },
      ],
      exports: [UnitOfWork, DbOutageRetry],
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions({
            url: config.DATABASE_URL,
            busyTimeoutMs: config.DB_BUSY_TIMEOUT_MS,
            poolSize: config.DB_POOL_SIZE,
          }),
          autoLoadEntities: true,
          migrationsRun: config.DB_RUN_MIGRATIONS,
          migrationsTransactionMode: 'each',
          retryAttempts: 3,
        }),
      ],
    };
  }
}
