import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Xk key requests not yet answered (ARCHITECTURE.md §3.6): written in the transaction of the X2
 * event that carried the TRANSFER_INIT, deleted in the transaction of the IRI that records the
 * outcome, so that a restart resumes them instead of losing them.
 */
export class XkKeyJobs1732300100000 implements MigrationInterface {
  name = 'XkKeyJobs1732300100000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'xk_key_job',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'xid', type: 'varchar', length: '36' },
          { name: 'liid', type: 'varchar', length: '25' },
          { name: 'call_id', type: 'varchar', length: '255' },
          { name: 'cin', type: 'bigint' },
          { name: 'role', type: 'varchar', length: '10' },
          { name: 'mikey', type: 'text' },
          { name: 'media_indexes', type: 'text' },
          { name: 'initiator_uri', type: 'text' },
          { name: 'responder_uri', type: 'text' },
          { name: 'observed_at', type: 'varchar', length: '32' },
          { name: 'deadline_at', type: 'varchar', length: '32' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('xk_key_job');
  }
}
