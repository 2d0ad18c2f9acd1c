import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Rows converted per statement round on SQLite. */
const CHUNK = 500;

/**
 * `hi2_outbox.payload` holds the record's BER as binary (SQLite BLOB, PostgreSQL bytea) instead
 * of base64 text: a third fewer octets to write (twice per record: insert and delivery) and no
 * encoding on the hot path. Existing rows are converted: PostgreSQL with `decode(…, 'base64')`
 * in the type change; SQLite has no base64 function, so its rows are converted here in chunks
 * after the column's table is rebuilt with the new type (TypeORM's SQLite column change).
 */
export class Hi2OutboxBinaryPayload1732300110000 implements MigrationInterface {
  name = 'Hi2OutboxBinaryPayload1732300110000';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'postgres') {
      await q.query(
        "ALTER TABLE hi2_outbox ALTER COLUMN payload TYPE bytea USING decode(payload, 'base64')",
      );
      return;
    }
    await q.changeColumn(
      'hi2_outbox',
      'payload',
      new TableColumn({ name: 'payload', type: 'blob' }),
    );
    await convertSqlite(q, 'text', (v) => Buffer.from(String(v), 'base64'));
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'postgres') {
      await q.query(
        "ALTER TABLE hi2_outbox ALTER COLUMN payload TYPE text USING translate(encode(payload, 'base64'), E'\\n', '')",
      );
      return;
    }
    await q.changeColumn(
      'hi2_outbox',
      'payload',
      new TableColumn({ name: 'payload', type: 'text' }),
    );
    await convertSqlite(q, 'blob', (v) => (v as Buffer).toString('base64'));
  }
}

/** Rewrites every SQLite payload of storage class `from` with `convert`, in chunks. */
async function convertSqlite(
  q: QueryRunner,
  from: 'text' | 'blob',
  convert: (v: unknown) => Buffer | string,
): Promise<void> {
  for (;;) {
    const rows = (await q.query(
      `SELECT destination_id, seq, payload FROM hi2_outbox WHERE typeof(payload) = '${from}' LIMIT ${CHUNK}`,
    )) as Array<{ destination_id: string; seq: number; payload: unknown }>;
    if (!rows.length) return;
    for (const r of rows)
      await q.query('UPDATE hi2_outbox SET payload = ? WHERE destination_id = ? AND seq = ?', [
        convert(r.payload),
        r.destination_id,
        r.seq,
      ]);
  }
}
