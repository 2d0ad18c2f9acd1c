import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, Not, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { openDestinationPassword, sealDestinationPassword } from '../handover/destination-secret';
import { LeaDestinationEntity, LeaDestinationSettings } from '../handover/lea-destination.entity';
import type { FieldError } from '../http/validation';
import { UnitOfWork } from '../persistence/unit-of-work';
import { SecretBox } from '../security/secret-box';
import { TaskRegistry } from '../warrants/task-registry';
import type {
  CreateDestinationDto,
  DestinationView,
  UpdateDestinationDto,
} from './destination.dto';

function settingsOf(s: LeaDestinationSettings): LeaDestinationSettings {
  const out: LeaDestinationSettings = { caFile: s.caFile };
  for (const k of ['certFile', 'keyFile', 'user', 'directory'] as const) {
    if (s[k] !== undefined) out[k] = s[k];
  }
  return out;
}

/**
 * LEA destinations (LEMF endpoints) that warrants deliver to. The FTPS password is sealed
 * with the at-rest SecretBox (AES-256-GCM, context `lea_destination:<id>`) and never leaves through the
 * API or the audit log; the HI2 delivery opens it with openDestinationPassword().
 */
@Injectable()
export class DestinationsService {
  constructor(
    @InjectRepository(LeaDestinationEntity)
    private readonly destinations: Repository<LeaDestinationEntity>,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    private readonly registry: TaskRegistry,
  ) {}

  async create(dto: CreateDestinationDto, actor: string): Promise<DestinationView> {
    const settings = settingsOf(dto.settings);
    this.checkTransport(dto.transport, settings, dto.password ?? null);
    const id = randomUUID();
    await this.uow.run(async (em) => {
      await this.checkNameFree(em, dto.name, null);
      const stamp = new Date().toISOString();
      const d = em.getRepository(LeaDestinationEntity).create({
        id,
        name: dto.name,
        transport: dto.transport,
        host: dto.host.toLowerCase(),
        port: dto.port,
        settings,
        secret: dto.password ? this.seal(id, dto.password) : null,
        enabled: dto.enabled ?? true,
        createdAt: stamp,
        updatedAt: stamp,
      });
      await em.getRepository(LeaDestinationEntity).insert(d);
      await this.audit.append(
        {
          actor,
          action: 'destination.create',
          object: `destination/${id}`,
          outcome: 'success',
          details: this.summary(d),
        },
        em,
      );
    });
    return this.get(id);
  }

  async list(): Promise<DestinationView[]> {
    const rows = await this.destinations.find({ order: { name: 'ASC' } });
    const counts = await this.usage();
    return rows.map((d) => this.view(d, counts.get(d.id) ?? 0));
  }

  async get(id: string): Promise<DestinationView> {
    const d = await this.destinations.findOneBy({ id });
    if (!d) throw new NotFoundException(`no destination ${id}`);
    return this.view(d, (await this.usage(id)).get(id) ?? 0);
  }

  async update(id: string, dto: UpdateDestinationDto, actor: string): Promise<DestinationView> {
    await this.uow.run(async (em) => {
      const repo = em.getRepository(LeaDestinationEntity);
      const d = await repo.findOneBy({ id });
      if (!d) throw new NotFoundException(`no destination ${id}`);
      if (dto.name !== undefined) await this.checkNameFree(em, dto.name, id);
      const transport = dto.transport ?? d.transport;
      const settings = dto.settings ? settingsOf(dto.settings) : d.settings;
      const hasPassword = dto.password === undefined ? d.secret !== null : dto.password !== null;
      this.checkTransport(transport, settings, hasPassword ? '(set)' : null);
      Object.assign(d, {
        name: dto.name ?? d.name,
        transport,
        host: dto.host?.toLowerCase() ?? d.host,
        port: dto.port ?? d.port,
        settings,
        enabled: dto.enabled ?? d.enabled,
        updatedAt: new Date().toISOString(),
      });
      if (dto.password !== undefined) d.secret = dto.password && this.seal(id, dto.password);
      await repo.save(d);
      await this.audit.append(
        {
          actor,
          action: 'destination.update',
          object: `destination/${id}`,
          outcome: 'success',
          details: {
            changed: Object.keys(dto).sort(),
            ...this.summary(d),
          },
        },
        em,
      );
    });
    await this.registry.reload();
    return this.get(id);
  }

  /** Deletes a destination no warrant refers to (409 otherwise). */
  async remove(id: string, actor: string): Promise<void> {
    await this.uow.run(async (em) => {
      const d = await em.getRepository(LeaDestinationEntity).findOneBy({ id });
      if (!d) throw new NotFoundException(`no destination ${id}`);
      const used = (await this.usage(id, em)).get(id) ?? 0;
      if (used) throw new ConflictException(`destination ${d.name} is used by ${used} warrant(s)`);
      await em.getRepository(LeaDestinationEntity).delete({ id });
      await this.audit.append(
        {
          actor,
          action: 'destination.delete',
          object: `destination/${id}`,
          outcome: 'success',
          details: { name: d.name },
        },
        em,
      );
    });
  }

  /** The FTPS password for the HI2 delivery (null when none); throws if the sealed value was tampered with. */
  async ftpsPassword(id: string): Promise<string | null> {
    const d = await this.destinations.findOneBy({ id });
    if (!d) throw new NotFoundException(`no destination ${id}`);
    return openDestinationPassword(this.box, d);
  }

  private seal(id: string, password: string): string {
    return sealDestinationPassword(this.box, id, password);
  }

  /** FTPS logs in with a user; a TLS stream has no user, directory or password. */
  private checkTransport(t: string, s: LeaDestinationSettings, password: string | null): void {
    const errors: FieldError[] = [];
    if (t === 'ftps' && !s.user) {
      errors.push({ field: 'settings.user', problems: ['an FTPS destination needs a user'] });
    }
    if (t === 'tls') {
      if (s.user !== undefined)
        errors.push({ field: 'settings.user', problems: ['not used by tls'] });
      if (s.directory !== undefined) {
        errors.push({ field: 'settings.directory', problems: ['not used by tls'] });
      }
      if (password !== null) errors.push({ field: 'password', problems: ['not used by tls'] });
    }
    if ((s.certFile === undefined) !== (s.keyFile === undefined)) {
      errors.push({ field: 'settings.keyFile', problems: ['certFile and keyFile go together'] });
    }
    if (errors.length) throw new BadRequestException({ message: 'invalid request', errors });
  }

  private async checkNameFree(em: EntityManager, name: string, self: string | null): Promise<void> {
    const where = self ? { name, id: Not(self) } : { name };
    if (await em.getRepository(LeaDestinationEntity).existsBy(where)) {
      throw new ConflictException(`a destination named "${name}" exists`);
    }
  }

  /** destination id → number of warrants referring to it. */
  private async usage(id?: string, em?: EntityManager): Promise<Map<string, number>> {
    const qb = (em ?? this.destinations.manager)
      .createQueryBuilder()
      .select('wd.destination_id', 'id')
      .addSelect('COUNT(*)', 'n')
      .from('warrant_destination', 'wd')
      .groupBy('wd.destination_id');
    if (id) qb.where('wd.destination_id = :id', { id });
    const rows = await qb.getRawMany<{ id: string; n: string | number }>();
    return new Map(rows.map((r) => [r.id, Number(r.n)]));
  }

  private view(d: LeaDestinationEntity, warrants: number): DestinationView {
    return {
      id: d.id,
      name: d.name,
      transport: d.transport,
      host: d.host,
      port: d.port,
      settings: settingsOf(d.settings),
      hasPassword: d.secret !== null,
      enabled: d.enabled,
      warrants,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
    };
  }

  /** Audit details: everything but the password. */
  private summary(d: LeaDestinationEntity): Record<string, unknown> {
    return {
      name: d.name,
      transport: d.transport,
      host: d.host,
      port: d.port,
      enabled: d.enabled,
      password: d.secret === null ? 'none' : 'set',
    };
  }
}
