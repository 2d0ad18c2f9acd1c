import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LeaDestinationEntity } from '../handover/lea-destination.entity';
import { WarrantsModule } from '../warrants/warrants.module';
import { DestinationsController } from './destinations.controller';
import { DestinationsService } from './destinations.service';

/** LEA destinations; DestinationsService is exported for the HI2 delivery (FTPS password). */
@Module({
  imports: [TypeOrmModule.forFeature([LeaDestinationEntity]), WarrantsModule],
  providers: [DestinationsService],
  exports: [DestinationsService],
})
export class DestinationsModule {}

/** The destination REST routes (MF_ROLES includes `api`). */
@Module({ imports: [DestinationsModule], controllers: [DestinationsController] })
export class DestinationsApiModule {}
