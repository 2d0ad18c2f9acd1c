import { Column, Entity, PrimaryColumn } from 'typeorm';

const bigintNumber = { to: (v: number) => v, from: (v: string | number) => Number(v) };

/** Row of `xk_key_job` (migration XkKeyJobs1732300100000): an Xk request not yet answered. */
@Entity('xk_key_job')
export class XkKeyJobEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  xid!: string;

  @Column({ type: 'varchar', length: 25 })
  liid!: string;

  @Column({ name: 'call_id', type: 'varchar', length: 255 })
  callId!: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  cin!: number;

  @Column({ type: 'varchar', length: 10 })
  role!: 'initiator' | 'responder';

  /** The TRANSFER_INIT, base64. */
  @Column({ type: 'text' })
  mikey!: string;

  /** JSON array of the SDP media line indexes the message covers. */
  @Column({ name: 'media_indexes', type: 'text' })
  mediaIndexes!: string;

  @Column({ name: 'initiator_uri', type: 'text' })
  initiatorUri!: string;

  @Column({ name: 'responder_uri', type: 'text' })
  responderUri!: string;

  @Column({ name: 'observed_at', type: 'varchar', length: 32 })
  observedAt!: string;

  @Column({ name: 'deadline_at', type: 'varchar', length: 32 })
  deadlineAt!: string;
}
