import {
  Column,
  Entity,
  JoinColumn,
  JoinTable,
  ManyToMany,
  ManyToOne,
  OneToMany,
  PrimaryColumn,
  VersionColumn,
} from 'typeorm';
import { LeaDestinationEntity } from '../handover/lea-destination.entity';

/** Warrant lifecycle: draft → pending_approval → active ⇄ suspended → ended. */
export type WarrantState = 'draft' | 'pending_approval' | 'active' | 'suspended' | 'ended';
/** `keys`: keys on HI2 (mediaDecryption-info); `decrypted`: clear CC, no key leaves the MF. */
export type DeliveryMode = 'keys' | 'decrypted';
/** Target identity kinds a warrant may name. */
export type TargetKind = 'sip' | 'tel' | 'impu' | 'impi';

/** A lawful-interception authorisation (table `warrant`). Times are UTC ISO-8601 strings. */
@Entity('warrant')
export class WarrantEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Lawful Interception Identifier, 1..25 octets (TS 101 671 LawfulInterceptionIdentifier). */
  @Column({ type: 'varchar', length: 25, unique: true })
  liid!: string;

  @Column({ name: 'authority_ref', type: 'varchar', length: 200 })
  authorityRef!: string;

  @Column({ type: 'varchar', length: 20 })
  state!: WarrantState;

  @Column({ name: 'valid_from', type: 'varchar', length: 32 })
  validFrom!: string;

  @Column({ name: 'valid_until', type: 'varchar', length: 32 })
  validUntil!: string;

  @Column({ name: 'delivery_mode', type: 'varchar', length: 10 })
  deliveryMode!: DeliveryMode;

  /** JSON of the national parameters carried in IRI national-Parameters [16]. */
  @Column({ name: 'national_parameters', type: 'text', nullable: true })
  nationalParameters!: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy!: string;

  @Column({ name: 'activation_requested_by', type: 'varchar', length: 100, nullable: true })
  activationRequestedBy!: string | null;

  @Column({ name: 'approved_by', type: 'varchar', length: 100, nullable: true })
  approvedBy!: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 32 })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 32 })
  updatedAt!: string;

  @VersionColumn()
  version!: number;

  @OneToMany(() => WarrantTargetEntity, (t) => t.warrant, { cascade: true })
  targets!: WarrantTargetEntity[];

  @ManyToMany(() => LeaDestinationEntity)
  @JoinTable({
    name: 'warrant_destination',
    joinColumn: { name: 'warrant_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'destination_id', referencedColumnName: 'id' },
  })
  destinations!: LeaDestinationEntity[];
}

/** A target identity of a warrant and the XID the NE reports it with on X2 (table `warrant_target`). */
@Entity('warrant_target')
export class WarrantTargetEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'warrant_id', type: 'varchar', length: 36 })
  warrantId!: string;

  @ManyToOne(() => WarrantEntity, (w) => w.targets, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'warrant_id' })
  warrant!: WarrantEntity;

  @Column({ type: 'varchar', length: 10 })
  kind!: TargetKind;

  /** The identity as provisioned. */
  @Column({ type: 'varchar', length: 300 })
  value!: string;

  /** The identity normalised like libs/sip does, for matching signalling. */
  @Column({ type: 'varchar', length: 300 })
  normalized!: string;

  /**
   * XID (an RFC 4122 UUID; the 16-octet XID of the TS 103 221-2 PDU header) the NE uses for this target;
   * null in a draft until the MF assigns one (UUID v4) at approval.
   */
  @Column({ type: 'varchar', length: 36, unique: true, nullable: true })
  xid!: string | null;
}
