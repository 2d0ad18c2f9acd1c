import { Column, Entity, PrimaryColumn, ValueTransformer } from 'typeorm';
import type { OutboxRecordKind } from './outbox-writer';

/** pending: waits for delivery; delivered: the LEA has it; dead: the LEA refused it repeatedly. */
export type OutboxState = 'pending' | 'delivered' | 'dead';

const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null ? null : Number(v)),
};

/**
 * The BER is binary in the database (BLOB / bytea, migration Hi2OutboxBinaryPayload1732300110000)
 * and both drivers return it as a Buffer. The column is declared `text` here only because
 * TypeORM validates declared types per driver and has no binary type both accept; the MF never
 * lets TypeORM create or synchronise the schema (migrations do), and `text` makes TypeORM pass
 * a Buffer through unchanged in both directions.
 */
const binary: ValueTransformer = {
  to: (v: Buffer | undefined) => v,
  from: (v: Buffer) => v,
};

/** One row of `hi2_outbox`: one IRI record for one LEA destination (migration Hi2Outbox1732300000500). */
@Entity('hi2_outbox')
export class OutboxRow {
  @PrimaryColumn({ name: 'destination_id', type: 'varchar', length: 36 })
  destinationId!: string;

  /** Per-destination sequence number, assigned at insert in commit order (1, 2, 3 …). */
  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  seq!: number;

  @Column({ type: 'varchar', length: 25 })
  liid!: string;

  /** BEGIN/CONTINUE/END/REPORT, or CC: a media packet (HI3) whose payload is one CCPayload. */
  @Column({ name: 'iri_type', type: 'varchar', length: 10 })
  iriType!: OutboxRecordKind;

  /** Communication Identity Number of the session; null for records outside a session. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  cin!: number | null;

  @Column({ name: 'created_at', type: 'varchar', length: 32 })
  createdAt!: string;

  /** BER of one EpsIRIContent (TS 33.108 B.9), or of one CCPayload (kind CC). */
  @Column({ type: 'text', transformer: binary })
  payload!: Buffer;

  @Column({ type: 'varchar', length: 10, default: 'pending' })
  state!: OutboxState;

  /** Deliveries the LEA refused (FTPS 5xx on STOR/RENAME, TLS connection ended on it). */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  /** FTPS: the file this row was planned into; set before the upload, kept after it. */
  @Column({ name: 'file_name', type: 'varchar', length: 120, nullable: true })
  fileName!: string | null;

  @Column({ name: 'delivered_at', type: 'varchar', length: 32, nullable: true })
  deliveredAt!: string | null;
}
