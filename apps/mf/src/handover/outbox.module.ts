import { Global, Module } from '@nestjs/common';
import { OutboxWriter } from './outbox/outbox-writer';

/**
 * The HI2 outbox writer, available to every MF role: the ingest pipeline enqueues IRI records
 * with `OutboxWriter.enqueue(em, …)` inside its UnitOfWork transaction (ARCHITECTURE.md §3.7).
 */
@Global()
@Module({
  providers: [OutboxWriter],
  exports: [OutboxWriter],
})
export class OutboxModule {}
