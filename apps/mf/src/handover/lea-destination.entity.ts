import { Column, Entity, PrimaryColumn } from 'typeorm';

/** HI2 transports: files over FTPS, or a TS 102 232-1 PS-PDU stream over TLS. */
export type LeaTransport = 'ftps' | 'tls';

/**
 * Non-secret transport settings (JSON in `settings`): file paths of the CA that verifies
 * the LEA server and of our client certificate/key, and for FTPS the user and directory.
 */
export interface LeaDestinationSettings {
  caFile: string;
  certFile?: string;
  keyFile?: string;
  user?: string;
  directory?: string;
}

/** An LEA (LEMF) endpoint, provisioned once and referenced by warrants (table `lea_destination`). */
@Entity('lea_destination')
export class LeaDestinationEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100, unique: true })
  name!: string;

  @Column({ type: 'varchar', length: 10 })
  transport!: LeaTransport;

  @Column({ type: 'varchar', length: 255 })
  host!: string;

  @Column({ type: 'integer' })
  port!: number;

  @Column({
    type: 'text',
    transformer: {
      to: (v: LeaDestinationSettings) => JSON.stringify(v),
      from: (v: string) => JSON.parse(v) as LeaDestinationSettings,
    },
  })
  settings!: LeaDestinationSettings;

  /** FTPS password, AES-256-GCM encrypted with KEY_ENCRYPTION_KEY; null when a client cert is used. */
  @Column({ type: 'text', nullable: true })
  secret!: string | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ name: 'created_at', type: 'varchar', length: 32 })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 32 })
  updatedAt!: string;
}
