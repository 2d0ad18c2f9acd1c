import { Column, Entity, PrimaryColumn } from 'typeorm';

const bigintNumber = { to: (v: number) => v, from: (v: string | number) => Number(v) };

/** Row of `call_session` (migration CallSessions1732300090000). */
@Entity('call_session')
export class CallSessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 25 })
  liid!: string;

  @PrimaryColumn({ name: 'call_id', type: 'varchar', length: 255 })
  callId!: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  cin!: number;

  @Column({ type: 'varchar', length: 10 })
  phase!: string;

  @Column({ name: 'open_dialogs', type: 'text' })
  openDialogs!: string;

  @Column({ type: 'varchar', length: 12 })
  initiator!: string;

  @Column({ type: 'varchar', length: 36 })
  xid!: string;

  @Column({ name: 'started_at', type: 'varchar', length: 32 })
  startedAt!: string;

  @Column({ name: 'last_event_at', type: 'varchar', length: 32 })
  lastEventAt!: string;

  @Column({ name: 'ended_at', type: 'varchar', length: 32, nullable: true })
  endedAt!: string | null;
}
