import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MfConfig } from '../config/mf-config';
import { dataSourceOptions } from './data-source';
import { UnitOfWork } from './unit-of-work';

/**
 * TypeORM wiring for the MF. Migrations run at start-up only when DB_RUN_MIGRATIONS is set
 * (single-instance deployments); with several instances run `npm run migrate` instead.
 * Exports the UnitOfWork that every write path uses.
 */
@Module({})
export class PersistenceModule {
  static register(config: MfConfig): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      providers: [UnitOfWork],
      exports: [UnitOfWork],
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
