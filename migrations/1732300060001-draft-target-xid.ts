import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * A draft warrant's targets may have no XID yet: the MF assigns one (UUID v4) per target
 * when the warrant is approved (issue 6). Still unique where set.
 */
export class DraftTargetXid1732300060001 implements MigrationInterface {
  name = 'DraftTargetXid1732300060001';

  async up(q: QueryRunner): Promise<void> {
    await q.changeColumn('warrant_target', 'xid', xid(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.changeColumn('warrant_target', 'xid', xid(false));
  }
}

function xid(nullable: boolean): TableColumn {
  return new TableColumn({
    name: 'xid',
    type: 'varchar',
    length: '36',
    isUnique: true,
    isNullable: nullable,
  });
}
