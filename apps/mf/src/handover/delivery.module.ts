import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MfConfig } from '../config/mf-config';
import { DELIVERY_SETTINGS, DeliveryService } from './delivery/delivery.service';
import { deliverySettings } from './delivery/delivery-settings';
import { LeaDestinationEntity } from './lea-destination.entity';
import { OutboxRow } from './outbox/outbox.entity';
import { OutboxStore } from './outbox/outbox-store';

/**
 * HI2 delivery (ARCHITECTURE.md §3.8): drains the outbox to the LEA destinations over FTPS and
 * TLS. Loaded only on instances whose MF_ROLES include `delivery`; with several such instances
 * (PostgreSQL), each destination is drained by one of them at a time (destination leases).
 */
@Module({})
export class DeliveryModule {
  static register(config: MfConfig): DynamicModule {
    return {
      module: DeliveryModule,
      imports: [TypeOrmModule.forFeature([LeaDestinationEntity, OutboxRow])],
      providers: [
        { provide: DELIVERY_SETTINGS, useValue: deliverySettings(config) },
        OutboxStore,
        DeliveryService,
      ],
      exports: [DeliveryService, OutboxStore],
    };
  }
}
