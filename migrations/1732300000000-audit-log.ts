import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The append-only, hash-chained audit log (ARCHITECTURE.md §8). Each entry stores the
 * SHA-256 of the previous entry's hash and its own canonical form; `seq` orders the chain.
 */
export class AuditLog1732300000000 implements MigrationInterface {
  name = 'AuditLog1732300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          { name: 'seq', type: 'bigint', isPrimary: true },
          { name: 'at', type: 'varchar', length: '32', isNullable: false },
          { name: 'actor', type: 'varchar', length: '200', isNullable: false },
          { name: 'action', type: 'varchar', length: '100', isNullable: false },
          { name: 'object', type: 'varchar', length: '300', isNullable: true },
          { name: 'liid', type: 'varchar', length: '25', isNullable: true },
          { name: 'outcome', type: 'varchar', length: '20', isNullable: false },
          { name: 'details', type: 'text', isNullable: true },
          { name: 'prev_hash', type: 'varchar', length: '64', isNullable: false },
          { name: 'hash', type: 'varchar', length: '64', isNullable: false },
        ],
      }),
    );
    await q.createIndex('audit_log', new TableIndex({ name: 'ix_audit_at', columnNames: ['at'] }));
    await q.createIndex(
      'audit_log',
      new TableIndex({ name: 'ix_audit_liid', columnNames: ['liid'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('audit_log');
  }
}
