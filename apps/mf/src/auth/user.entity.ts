import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from './roles';

/** An API user (table `app_user`, migration Users1732300060000). */
@Entity('app_user')
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  name!: string;

  @Column({ type: 'varchar', length: 20 })
  role!: Role;

  /** `scrypt$…` string from PasswordHasher; null for users who log in by certificate only. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash!: string | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ name: 'created_at', type: 'varchar', length: 32 })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 32 })
  updatedAt!: string;
}
