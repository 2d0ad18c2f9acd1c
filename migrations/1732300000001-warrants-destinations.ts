import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Warrants, their targets (each with the XID the NE uses on X2) and LEA destinations
 * (LEMF endpoints, provisioned once and referenced by warrants, like OpenLI's agencies).
 * Times are UTC ISO-8601 strings (fixed width, so they sort) on both engines.
 */
export class WarrantsDestinations1732300000001 implements MigrationInterface {
  name = 'WarrantsDestinations1732300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'lea_destination',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100', isUnique: true },
          { name: 'transport', type: 'varchar', length: '10' },
          { name: 'host', type: 'varchar', length: '255' },
          { name: 'port', type: 'integer' },
          { name: 'settings', type: 'text' },
          { name: 'secret', type: 'text', isNullable: true },
          { name: 'enabled', type: 'boolean', default: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'updated_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'warrant',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'liid', type: 'varchar', length: '25', isUnique: true },
          { name: 'authority_ref', type: 'varchar', length: '200' },
          { name: 'state', type: 'varchar', length: '20' },
          { name: 'valid_from', type: 'varchar', length: '32' },
          { name: 'valid_until', type: 'varchar', length: '32' },
          { name: 'delivery_mode', type: 'varchar', length: '10' },
          { name: 'national_parameters', type: 'text', isNullable: true },
          { name: 'created_by', type: 'varchar', length: '100' },
          { name: 'activation_requested_by', type: 'varchar', length: '100', isNullable: true },
          { name: 'approved_by', type: 'varchar', length: '100', isNullable: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'updated_at', type: 'varchar', length: '32' },
          { name: 'version', type: 'integer', default: 1 },
        ],
      }),
    );
    await q.createIndex(
      'warrant',
      new TableIndex({ name: 'ix_warrant_state', columnNames: ['state'] }),
    );
    await q.createTable(
      new Table({
        name: 'warrant_target',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'warrant_id', type: 'varchar', length: '36' },
          { name: 'kind', type: 'varchar', length: '10' },
          { name: 'value', type: 'varchar', length: '300' },
          { name: 'normalized', type: 'varchar', length: '300' },
          { name: 'xid', type: 'varchar', length: '36', isUnique: true },
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['warrant_id'],
            referencedTableName: 'warrant',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await q.createIndex(
      'warrant_target',
      new TableIndex({ name: 'ix_target_normalized', columnNames: ['normalized'] }),
    );
    await q.createTable(
      new Table({
        name: 'warrant_destination',
        columns: [
          { name: 'warrant_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'destination_id', type: 'varchar', length: '36', isPrimary: true },
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['warrant_id'],
            referencedTableName: 'warrant',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
          new TableForeignKey({
            columnNames: ['destination_id'],
            referencedTableName: 'lea_destination',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
          }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('warrant_destination');
    await q.dropTable('warrant_target');
    await q.dropTable('warrant');
    await q.dropTable('lea_destination');
  }
}
