import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * HI2 delivery state (ARCHITECTURE.md §3.7–3.8):
 * - `hi2_outbox`: one row per (IRI record, LEA destination), keyed by the destination and its
 *   sequence number; the BER of one EpsIRIContent; delivery state, attempts, FTPS file plan.
 * - `hi2_counter`: per-destination counters — the outbox sequence (`record`), the TS 102 232-1
 *   PS-PDU sequence per LIID and CIN (`pdu`), the FTPS file sequence per LIID (`file`).
 * - `hi2_delivery_lease`: which MF instance drains a destination, until when (one drainer per
 *   destination keeps the delivery order with several instances).
 * The payload is the record's BER in base64 text here; binary since Hi2OutboxBinaryPayload1732300110000.
 */
export class Hi2Outbox1732300000500 implements MigrationInterface {
  name = 'Hi2Outbox1732300000500';

  async up(q: QueryRunner): Promise<void> {
    const destinationFk = (onDelete: 'RESTRICT' | 'CASCADE'): TableForeignKey =>
      new TableForeignKey({
        columnNames: ['destination_id'],
        referencedTableName: 'lea_destination',
        referencedColumnNames: ['id'],
        onDelete,
      });
    await q.createTable(
      new Table({
        name: 'hi2_outbox',
        columns: [
          { name: 'destination_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'seq', type: 'bigint', isPrimary: true },
          { name: 'liid', type: 'varchar', length: '25' },
          { name: 'iri_type', type: 'varchar', length: '10' },
          { name: 'cin', type: 'bigint', isNullable: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'payload', type: 'text' },
          { name: 'state', type: 'varchar', length: '10', default: "'pending'" },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'last_error', type: 'varchar', length: '500', isNullable: true },
          { name: 'file_name', type: 'varchar', length: '120', isNullable: true },
          { name: 'delivered_at', type: 'varchar', length: '32', isNullable: true },
        ],
        foreignKeys: [destinationFk('RESTRICT')],
      }),
    );
    await q.createIndex(
      'hi2_outbox',
      new TableIndex({
        name: 'ix_hi2_outbox_drain',
        columnNames: ['destination_id', 'state', 'seq'],
      }),
    );
    await q.createIndex(
      'hi2_outbox',
      new TableIndex({ name: 'ix_hi2_outbox_purge', columnNames: ['state', 'delivered_at'] }),
    );
    await q.createTable(
      new Table({
        name: 'hi2_counter',
        columns: [
          { name: 'destination_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'scope', type: 'varchar', length: '8', isPrimary: true },
          { name: 'liid', type: 'varchar', length: '25', isPrimary: true },
          { name: 'cin', type: 'bigint', isPrimary: true },
          { name: 'value', type: 'bigint' },
          { name: 'updated_at', type: 'varchar', length: '32' },
        ],
        foreignKeys: [destinationFk('CASCADE')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'hi2_delivery_lease',
        columns: [
          { name: 'destination_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'owner', type: 'varchar', length: '100', isNullable: true },
          { name: 'lease_until', type: 'varchar', length: '32', isNullable: true },
          { name: 'epoch', type: 'integer', default: 0 },
        ],
        foreignKeys: [destinationFk('CASCADE')],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('hi2_delivery_lease');
    await q.dropTable('hi2_counter');
    await q.dropTable('hi2_outbox');
  }
}
