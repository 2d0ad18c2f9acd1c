import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LeaDestinationEntity } from '../handover/lea-destination.entity';
import { TaskRegistry } from './task-registry';
import { WarrantExpiryJob } from './warrant-expiry.job';
import { WarrantEntity, WarrantTargetEntity } from './warrant.entity';
import { WarrantService } from './warrant.service';
import { WarrantsController } from './warrants.controller';

/** Warrants, the XID → task table for the pipeline, and the expiry job (every MF role). */
@Module({
  imports: [TypeOrmModule.forFeature([WarrantEntity, WarrantTargetEntity, LeaDestinationEntity])],
  providers: [WarrantService, TaskRegistry, WarrantExpiryJob],
  exports: [WarrantService, TaskRegistry],
})
export class WarrantsModule {}

/** The warrant REST routes (MF_ROLES includes `api`). */
@Module({ imports: [WarrantsModule], controllers: [WarrantsController] })
export class WarrantsApiModule {}
