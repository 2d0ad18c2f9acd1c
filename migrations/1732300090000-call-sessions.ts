import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Intercepted call sessions keyed by (LIID, Call-ID) with their CIN and IRI state
 * (ARCHITECTURE.md §3.4), and named counters from which CINs are allocated in blocks.
 */
export class CallSessions1732300090000 implements MigrationInterface {
  name = 'CallSessions1732300090000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'call_session',
        columns: [
          { name: 'liid', type: 'varchar', length: '25', isPrimary: true },
          { name: 'call_id', type: 'varchar', length: '255', isPrimary: true },
          { name: 'cin', type: 'bigint' },
          { name: 'phase', type: 'varchar', length: '10' },
          { name: 'open_dialogs', type: 'text' },
          { name: 'initiator', type: 'varchar', length: '12' },
          { name: 'xid', type: 'varchar', length: '36' },
          { name: 'started_at', type: 'varchar', length: '32' },
          { name: 'last_event_at', type: 'varchar', length: '32' },
          { name: 'ended_at', type: 'varchar', length: '32', isNullable: true },
        ],
      }),
    );
    await q.createIndex(
      'call_session',
      new TableIndex({ name: 'ix_call_session_open', columnNames: ['phase', 'last_event_at'] }),
    );
    await q.createTable(
      new Table({
        name: 'counter',
        columns: [
          { name: 'name', type: 'varchar', length: '50', isPrimary: true },
          { name: 'value', type: 'bigint' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('counter');
    await q.dropTable('call_session');
  }
}
