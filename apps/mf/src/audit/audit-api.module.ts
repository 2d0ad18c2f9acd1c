import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEntryEntity } from './audit-entry.entity';
import { AuditQueryService } from './audit-query.service';
import { AuditController } from './audit.controller';

/** The auditor REST routes (MF_ROLES includes `api`). */
@Module({
  imports: [TypeOrmModule.forFeature([AuditEntryEntity])],
  providers: [AuditQueryService],
  controllers: [AuditController],
})
export class AuditApiModule {}
