import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AuditOutcome } from './audit-chain';

/** Row of the append-only `audit_log` table (migration AuditLog1732300000000). */
@Entity('audit_log')
export class AuditEntryEntity {
  @PrimaryColumn({
    type: 'bigint',
    transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) },
  })
  seq!: number;

  @Column({ type: 'varchar', length: 32 })
  at!: string;

  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  @Column({ type: 'varchar', length: 100 })
  action!: string;

  @Column({ type: 'varchar', length: 300, nullable: true })
  object!: string | null;

  @Column({ type: 'varchar', length: 25, nullable: true })
  liid!: string | null;

  @Column({ type: 'varchar', length: 20 })
  outcome!: AuditOutcome;

  @Column({ type: 'text', nullable: true })
  details!: string | null;

  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash!: string;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;
}
