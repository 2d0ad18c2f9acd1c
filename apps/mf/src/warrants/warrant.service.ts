import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, In, LessThanOrEqual, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { LeaDestinationEntity } from '../handover/lea-destination.entity';
import type { FieldError } from '../http/validation';
import { UnitOfWork } from '../persistence/unit-of-work';
import { normalizeTarget, TargetIdentityError } from './target-identity';
import { ActiveTask, TaskRegistry } from './task-registry';
import type {
  CreateWarrantDto,
  TargetDto,
  UpdateWarrantDto,
  WarrantListQuery,
} from './warrant.dto';
import { WarrantEntity, WarrantState, WarrantTargetEntity } from './warrant.entity';

/** Who changes a warrant: the user name kept on the warrant, and the audit actor. */
export interface ChangedBy {
  user: string;
  actor: string;
}

/** The expiry job's identity in the audit log. */
export const WARRANT_EXPIRY_ACTOR: ChangedBy = {
  user: 'system:warrant-expiry',
  actor: 'system:warrant-expiry',
};

export interface WarrantPageResult {
  items: WarrantEntity[];
  total: number;
  offset: number;
  limit: number;
}

type NewTarget = Pick<WarrantTargetEntity, 'kind' | 'value' | 'normalized' | 'xid'>;

interface Transition {
  action: string;
  verb: string;
  from: WarrantState[];
  to: WarrantState;
  /** Checks and changes beyond the state; may throw. Returns extra audit details. */
  apply?: (
    w: WarrantEntity,
    em: EntityManager,
  ) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;
}

const now = () => new Date().toISOString();
const utc = (s: string) => new Date(s).toISOString();

function badRequest(errors: FieldError[]): BadRequestException {
  return new BadRequestException({ message: 'invalid request', errors });
}

/** The kind a free-text filter identity is normalised as: tel:, sip:/sips:, else an IMPI. */
function filterKind(identity: string): 'tel' | 'sip' | 'impi' {
  if (/^tel:/i.test(identity)) return 'tel';
  if (/^sips?:/i.test(identity)) return 'sip';
  return 'impi';
}

/**
 * Warrant provisioning and lifecycle (issue 6):
 * draft → pending_approval → active ⇄ suspended → ended (also pending_approval → draft on
 * reject, and any non-draft state → ended when its window is over).
 *
 * Four-eyes: activation is requested by one user and approved by a supervisor who is
 * neither the requester nor the creator. XIDs (UUID v4) are assigned at approval to targets
 * provisioned without one. Only drafts can be edited; only drafts and ended warrants can be
 * deleted. Every change commits together with its audit entry; afterwards the TaskRegistry
 * is rebuilt before the caller gets the answer.
 */
@Injectable()
export class WarrantService {
  constructor(
    @InjectRepository(WarrantEntity) private readonly warrants: Repository<WarrantEntity>,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly registry: TaskRegistry,
  ) {}

  async create(dto: CreateWarrantDto, by: ChangedBy): Promise<WarrantEntity> {
    const targets = this.normalizeTargets(dto.targets);
    this.checkWindow(dto.validFrom, dto.validUntil);
    const w = await this.uow.run(async (em) => {
      if (await em.getRepository(WarrantEntity).existsBy({ liid: dto.liid })) {
        throw new ConflictException(`LIID ${dto.liid} is already in use`);
      }
      await this.checkXidsFree(em, targets, null);
      const id = randomUUID();
      const stamp = now();
      const w = em.getRepository(WarrantEntity).create({
        id,
        liid: dto.liid,
        authorityRef: dto.authorityRef,
        state: 'draft',
        validFrom: utc(dto.validFrom),
        validUntil: utc(dto.validUntil),
        deliveryMode: dto.deliveryMode,
        nationalParameters: dto.nationalParameters ? JSON.stringify(dto.nationalParameters) : null,
        createdBy: by.user,
        activationRequestedBy: null,
        approvedBy: null,
        createdAt: stamp,
        updatedAt: stamp,
        targets: targets.map((t) => ({ ...t, id: randomUUID(), warrantId: id })),
        destinations: await this.loadDestinations(em, dto.destinations),
      });
      await em.getRepository(WarrantEntity).save(w);
      await this.audit.append(
        {
          actor: by.actor,
          action: 'warrant.create',
          object: `warrant/${id}`,
          liid: w.liid,
          outcome: 'success',
          details: this.summary(w),
        },
        em,
      );
      return w;
    });
    return this.get(w.id);
  }

  async get(id: string): Promise<WarrantEntity> {
    const w = await this.warrants.findOne({
      where: { id },
      relations: { targets: true, destinations: true },
    });
    if (!w) throw new NotFoundException(`no warrant ${id}`);
    return w;
  }

  async list(q: WarrantListQuery): Promise<WarrantPageResult> {
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 50;
    const qb = this.warrants
      .createQueryBuilder('w')
      .select(['w.id', 'w.createdAt'])
      .orderBy('w.createdAt', 'DESC')
      .addOrderBy('w.id', 'ASC');
    if (q.state) qb.andWhere('w.state = :state', { state: q.state });
    if (q.liid) qb.andWhere('w.liid = :liid', { liid: q.liid });
    if (q.createdBy) qb.andWhere('w.createdBy = :createdBy', { createdBy: q.createdBy });
    if (q.target) {
      let normalized: string;
      try {
        normalized = normalizeTarget(filterKind(q.target), q.target);
      } catch (e) {
        if (!(e instanceof TargetIdentityError)) throw e;
        throw badRequest([{ field: 'target', problems: [e.message] }]);
      }
      qb.andWhere(
        'EXISTS (SELECT 1 FROM warrant_target t WHERE t.warrant_id = w.id AND t.normalized = :normalized)',
        { normalized },
      );
    }
    const total = await qb.getCount();
    const ids = (await qb.offset(offset).limit(limit).getMany()).map((w) => w.id);
    const rows = ids.length
      ? await this.warrants.find({
          where: { id: In(ids) },
          relations: { targets: true, destinations: true },
        })
      : [];
    const byId = new Map(rows.map((w) => [w.id, w]));
    return {
      items: ids.map((id) => byId.get(id)).filter((w): w is WarrantEntity => !!w),
      total,
      offset,
      limit,
    };
  }

  /** Changes a draft. `targets` and `destinations`, when given, replace the current lists. */
  async update(id: string, dto: UpdateWarrantDto, by: ChangedBy): Promise<WarrantEntity> {
    const targets = dto.targets ? this.normalizeTargets(dto.targets) : null;
    await this.uow.run(async (em) => {
      const w = await this.lockAndLoad(em, id);
      if (w.state !== 'draft') {
        throw new ConflictException(`only a draft can be changed; warrant ${w.liid} is ${w.state}`);
      }
      const validFrom = dto.validFrom ?? w.validFrom;
      const validUntil = dto.validUntil ?? w.validUntil;
      this.checkWindow(validFrom, validUntil);
      if (dto.authorityRef !== undefined) w.authorityRef = dto.authorityRef;
      if (dto.deliveryMode !== undefined) w.deliveryMode = dto.deliveryMode;
      if (dto.nationalParameters !== undefined) {
        w.nationalParameters = dto.nationalParameters && JSON.stringify(dto.nationalParameters);
      }
      w.validFrom = utc(validFrom);
      w.validUntil = utc(validUntil);
      if (dto.destinations) w.destinations = await this.loadDestinations(em, dto.destinations);
      if (targets) {
        await this.checkXidsFree(em, targets, id);
        await em.getRepository(WarrantTargetEntity).delete({ warrantId: id });
        w.targets = targets.map((t) =>
          em.getRepository(WarrantTargetEntity).create({ ...t, id: randomUUID(), warrantId: id }),
        );
      }
      w.updatedAt = now();
      await em.getRepository(WarrantEntity).save(w);
      await this.audit.append(
        {
          actor: by.actor,
          action: 'warrant.update',
          object: `warrant/${id}`,
          liid: w.liid,
          outcome: 'success',
          details: { changed: Object.keys(dto).sort(), ...this.summary(w) },
        },
        em,
      );
    });
    return this.get(id);
  }

  /** draft → pending_approval: asks a supervisor (not this user) to approve. */
  requestActivation(id: string, by: ChangedBy): Promise<WarrantEntity> {
    return this.transition(id, by, {
      action: 'warrant.request-activation',
      verb: 'request activation of',
      from: ['draft'],
      to: 'pending_approval',
      apply: (w) => {
        this.checkNotOver(w, 'request activation of');
        w.activationRequestedBy = by.user;
        w.approvedBy = null;
      },
    });
  }

  /** pending_approval → active, four-eyes; assigns missing XIDs. */
  approve(id: string, by: ChangedBy): Promise<WarrantEntity> {
    return this.transition(id, by, {
      action: 'warrant.approve',
      verb: 'approve',
      from: ['pending_approval'],
      to: 'active',
      apply: (w) => {
        if (by.user === w.activationRequestedBy || by.user === w.createdBy) {
          throw new ForbiddenException(
            'four-eyes: the approver must be neither the requester nor the creator of the warrant',
          );
        }
        this.checkNotOver(w, 'approve');
        const assigned: string[] = [];
        for (const t of w.targets) {
          if (t.xid === null) {
            t.xid = randomUUID();
            assigned.push(t.id);
          }
        }
        w.approvedBy = by.user;
        return { requestedBy: w.activationRequestedBy, xidsAssigned: assigned.length };
      },
    });
  }

  /** pending_approval → draft: the supervisor refuses (or the requester withdraws). */
  reject(id: string, reason: string, by: ChangedBy): Promise<WarrantEntity> {
    return this.transition(id, by, {
      action: 'warrant.reject',
      verb: 'reject',
      from: ['pending_approval'],
      to: 'draft',
      apply: (w) => {
        const requestedBy = w.activationRequestedBy;
        w.activationRequestedBy = null;
        return { requestedBy, reason };
      },
    });
  }

  suspend(id: string, by: ChangedBy): Promise<WarrantEntity> {
    return this.transition(id, by, {
      action: 'warrant.suspend',
      verb: 'suspend',
      from: ['active'],
      to: 'suspended',
    });
  }

  /** suspended → active. The approval given stands; no second approval is asked. */
  resume(id: string, by: ChangedBy): Promise<WarrantEntity> {
    return this.transition(id, by, {
      action: 'warrant.resume',
      verb: 'resume',
      from: ['suspended'],
      to: 'active',
      apply: (w) => this.checkNotOver(w, 'resume'),
    });
  }

  deactivate(id: string, by: ChangedBy): Promise<WarrantEntity> {
    return this.transition(id, by, {
      action: 'warrant.deactivate',
      verb: 'deactivate',
      from: ['pending_approval', 'active', 'suspended'],
      to: 'ended',
    });
  }

  /** Deletes a draft or an ended warrant (its audit history stays). */
  async remove(id: string, by: ChangedBy): Promise<void> {
    await this.uow.run(async (em) => {
      const w = await this.lockAndLoad(em, id);
      if (w.state !== 'draft' && w.state !== 'ended') {
        throw new ConflictException(
          `only a draft or ended warrant can be deleted; warrant ${w.liid} is ${w.state}`,
        );
      }
      await em.getRepository(WarrantEntity).delete({ id });
      await this.audit.append(
        {
          actor: by.actor,
          action: 'warrant.delete',
          object: `warrant/${id}`,
          liid: w.liid,
          outcome: 'success',
          details: { state: w.state },
        },
        em,
      );
    });
    await this.registry.reload();
  }

  /**
   * Ends every warrant whose window is over (the scheduled job). Each warrant ends in its own
   * transaction, re-checked under lock, so concurrent runs on several instances end it once.
   */
  async endExpired(at: Date): Promise<string[]> {
    const cutoff = at.toISOString();
    const due = await this.warrants.find({
      select: { id: true },
      where: {
        state: In(['pending_approval', 'active', 'suspended']),
        validUntil: LessThanOrEqual(cutoff),
      },
    });
    const ended: string[] = [];
    for (const { id } of due) {
      try {
        const w = await this.transition(id, WARRANT_EXPIRY_ACTOR, {
          action: 'warrant.expire',
          verb: 'expire',
          from: ['pending_approval', 'active', 'suspended'],
          to: 'ended',
          apply: (w) => {
            if (w.validUntil > cutoff) throw new ConflictException('window was extended');
            return { validUntil: w.validUntil };
          },
        });
        ended.push(w.liid);
      } catch (e) {
        if (!(e instanceof ConflictException || e instanceof NotFoundException)) throw e;
      }
    }
    return ended;
  }

  /**
   * The task for an X2 XID at time `at` (active warrant, inside its window), from the
   * in-memory TaskRegistry: no database access, safe to call per PDU.
   */
  findActiveTargetByXid(xid: string, at: Date): ActiveTask | null {
    return this.registry.findActiveTargetByXid(xid, at);
  }

  private async transition(id: string, by: ChangedBy, t: Transition): Promise<WarrantEntity> {
    await this.uow.run(async (em) => {
      const w = await this.lockAndLoad(em, id);
      if (!t.from.includes(w.state)) {
        throw new ConflictException(
          `cannot ${t.verb} warrant ${w.liid} in state ${w.state} (needs ${t.from.join(' or ')})`,
        );
      }
      const from = w.state;
      const extra = (await t.apply?.(w, em)) ?? {};
      w.state = t.to;
      w.updatedAt = now();
      await em.getRepository(WarrantEntity).save(w);
      await this.audit.append(
        {
          actor: by.actor,
          action: t.action,
          object: `warrant/${id}`,
          liid: w.liid,
          outcome: 'success',
          details: { from, to: t.to, ...extra },
        },
        em,
      );
    });
    await this.registry.reload();
    return this.get(id);
  }

  /** Loads a warrant with its relations; on PostgreSQL the row stays locked until commit. */
  private async lockAndLoad(em: EntityManager, id: string): Promise<WarrantEntity> {
    const repo = em.getRepository(WarrantEntity);
    if (this.uow.isPostgres) {
      await repo
        .createQueryBuilder('w')
        .setLock('pessimistic_write')
        .where('w.id = :id', { id })
        .getOne();
    }
    const w = await repo.findOne({
      where: { id },
      relations: { targets: true, destinations: true },
    });
    if (!w) throw new NotFoundException(`no warrant ${id}`);
    return w;
  }

  private normalizeTargets(dtos: TargetDto[]): NewTarget[] {
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    const xids = new Set<string>();
    const out = dtos.map((t, i): NewTarget => {
      let normalized = '';
      try {
        normalized = normalizeTarget(t.kind, t.value);
      } catch (e) {
        if (!(e instanceof TargetIdentityError)) throw e;
        errors.push({ field: `targets.${i}.value`, problems: [e.message] });
      }
      if (normalized && seen.has(normalized)) {
        errors.push({
          field: `targets.${i}.value`,
          problems: ['the same identity is listed twice'],
        });
      }
      seen.add(normalized);
      const xid = t.xid?.toLowerCase() ?? null;
      if (xid && xids.has(xid)) {
        errors.push({ field: `targets.${i}.xid`, problems: ['the same XID is listed twice'] });
      }
      if (xid) xids.add(xid);
      return { kind: t.kind, value: t.value.trim(), normalized, xid };
    });
    if (errors.length) throw badRequest(errors);
    return out;
  }

  private checkWindow(validFrom: string, validUntil: string): void {
    const from = Date.parse(validFrom);
    const until = Date.parse(validUntil);
    if (until <= from) {
      throw badRequest([{ field: 'validUntil', problems: ['validUntil must be after validFrom'] }]);
    }
    if (until <= Date.now()) {
      throw badRequest([{ field: 'validUntil', problems: ['validUntil must be in the future'] }]);
    }
  }

  private checkNotOver(w: WarrantEntity, verb: string): void {
    if (w.validUntil <= now()) {
      throw new ConflictException(
        `cannot ${verb} warrant ${w.liid}: its window ended at ${w.validUntil}`,
      );
    }
  }

  private async checkXidsFree(em: EntityManager, targets: NewTarget[], ownWarrant: string | null) {
    const xids = targets.map((t) => t.xid).filter((x): x is string => x !== null);
    if (!xids.length) return;
    const taken = await em.getRepository(WarrantTargetEntity).findBy({ xid: In(xids) });
    const other = taken.filter((t) => t.warrantId !== ownWarrant);
    if (other.length) {
      throw new ConflictException(`XID ${other[0].xid} is already assigned to another target`);
    }
  }

  private async loadDestinations(
    em: EntityManager,
    ids: string[],
  ): Promise<LeaDestinationEntity[]> {
    const found = await em.getRepository(LeaDestinationEntity).findBy({ id: In(ids) });
    const missing = ids.filter((id) => !found.some((d) => d.id === id));
    if (missing.length) {
      throw badRequest([
        { field: 'destinations', problems: [`unknown destination ${missing.join(', ')}`] },
      ]);
    }
    return ids.map((id) => found.find((d) => d.id === id)!);
  }

  /** Audit details of a warrant's content: no target identities (see warrantView). */
  private summary(w: WarrantEntity): Record<string, unknown> {
    return {
      targets: w.targets.map((t) => t.kind),
      deliveryMode: w.deliveryMode,
      validFrom: w.validFrom,
      validUntil: w.validUntil,
      destinations: w.destinations.map((d) => d.name),
    };
  }
}
