import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * REST API users (issue 6): one role each (operator, supervisor, auditor, admin); the
 * password as a scrypt hash string (null for certificate-only users). Users are disabled,
 * never deleted, so that audit entries keep naming a known account.
 */
export class Users1732300060000 implements MigrationInterface {
  name = 'Users1732300060000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'app_user',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '64', isUnique: true },
          { name: 'role', type: 'varchar', length: '20' },
          { name: 'password_hash', type: 'varchar', length: '255', isNullable: true },
          { name: 'enabled', type: 'boolean', default: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'updated_at', type: 'varchar', length: '32' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('app_user');
  }
}
