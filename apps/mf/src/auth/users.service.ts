import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { UnitOfWork } from '../persistence/unit-of-work';
import { PasswordHasher } from './password-hasher';
import type { Role } from './roles';
import { UserEntity } from './user.entity';

/** What the API and the CLI show of a user: never the password hash. */
export interface UserView {
  id: string;
  name: string;
  role: Role;
  enabled: boolean;
  hasPassword: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface UserChanges {
  role?: Role;
  enabled?: boolean;
  /** A new password, or null to remove it (certificate-only user). */
  password?: string | null;
}

export function userView(u: UserEntity): UserView {
  return {
    id: u.id,
    name: u.name,
    role: u.role,
    enabled: u.enabled,
    hasPassword: u.passwordHash !== null,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}

/**
 * API users: creation, changes and password checks. Every change is audited in the same
 * transaction. Users are disabled, not deleted, so audit entries keep naming a known account.
 */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly hasher: PasswordHasher,
  ) {}

  async create(
    input: { name: string; role: Role; password: string | null },
    actor: string,
  ): Promise<UserView> {
    const passwordHash = input.password === null ? null : await this.hasher.hash(input.password);
    return this.uow.run(async (em) => {
      const repo = em.getRepository(UserEntity);
      if (await repo.existsBy({ name: input.name })) {
        throw new ConflictException(`user "${input.name}" already exists`);
      }
      const now = new Date().toISOString();
      const user = repo.create({
        id: randomUUID(),
        name: input.name,
        role: input.role,
        passwordHash,
        enabled: true,
        createdAt: now,
        updatedAt: now,
      });
      await repo.insert(user);
      await this.audit.append(
        {
          actor,
          action: 'user.create',
          object: `user/${user.name}`,
          outcome: 'success',
          details: { role: user.role, password: passwordHash !== null ? 'set' : 'none' },
        },
        em,
      );
      return userView(user);
    });
  }

  async update(name: string, changes: UserChanges, actor: string): Promise<UserView> {
    const passwordHash =
      typeof changes.password === 'string' ? await this.hasher.hash(changes.password) : undefined;
    return this.uow.run(async (em) => {
      const repo = em.getRepository(UserEntity);
      const user = await repo.findOneBy({ name });
      if (!user) throw new NotFoundException(`no user "${name}"`);
      const details: Record<string, unknown> = {};
      if (changes.role !== undefined && changes.role !== user.role) {
        details.role = { from: user.role, to: changes.role };
        user.role = changes.role;
      }
      if (changes.enabled !== undefined && changes.enabled !== user.enabled) {
        details.enabled = changes.enabled;
        user.enabled = changes.enabled;
      }
      if (changes.password !== undefined) {
        details.password = changes.password === null ? 'removed' : 'changed';
        user.passwordHash = passwordHash ?? null;
      }
      user.updatedAt = new Date().toISOString();
      await repo.save(user);
      await this.audit.append(
        { actor, action: 'user.update', object: `user/${name}`, outcome: 'success', details },
        em,
      );
      return userView(user);
    });
  }

  async list(): Promise<UserView[]> {
    return (await this.users.find({ order: { name: 'ASC' } })).map(userView);
  }

  async get(name: string): Promise<UserView> {
    const u = await this.users.findOneBy({ name });
    if (!u) throw new NotFoundException(`no user "${name}"`);
    return userView(u);
  }

  findEnabledById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id, enabled: true });
  }

  findEnabledByName(name: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ name, enabled: true });
  }

  /** The enabled user with this name and password, or null (same cost whether or not it exists). */
  async checkPassword(name: string, password: string): Promise<UserEntity | null> {
    const u = await this.users.findOneBy({ name });
    const ok = await this.hasher.verify(password, u?.passwordHash ?? null);
    return ok && u && u.enabled ? u : null;
  }
}
