import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { UsersModule } from '../auth/auth.module';
import { MfConfigModule } from '../config/config.module';
import { MfConfig } from '../config/mf-config';
import { PersistenceModule } from '../persistence/persistence.module';
import { UserCommand } from './user.command';

/** A small application context for the CLI: config, database, audit log and users; no HTTP. */
@Module({})
export class CliModule {
  static register(config: MfConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        MfConfigModule.register(config),
        PersistenceModule.register(config),
        AuditModule,
        UsersModule,
      ],
      providers: [...UserCommand.registerWithSubCommands()],
    };
  }
}
