import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { MF_CONFIG } from '../config/config.module';
import { MfConfig } from '../config/mf-config';
import type { LeaTransport } from '../handover/lea-destination.entity';
import { DeliveryMode, TargetKind, WarrantEntity, WarrantState } from './warrant.entity';

/** The LEA destination of a task, as the HI2 side needs to route an IRI. */
export interface TaskDestination {
  readonly id: string;
  readonly name: string;
  readonly transport: LeaTransport;
  readonly enabled: boolean;
}

/** The warrant part of a task: what the pipeline needs to build and route IRI. */
export interface TaskWarrant {
  readonly id: string;
  readonly liid: string;
  readonly state: Extract<WarrantState, 'active' | 'suspended'>;
  readonly deliveryMode: DeliveryMode;
  /** Validity window [validFrom, validUntil), UTC. */
  readonly validFrom: Date;
  readonly validUntil: Date;
  /** TS 101 671 National-Parameters for IRI field [16]; empty when none. */
  readonly nationalParameters: readonly string[];
  readonly destinations: readonly TaskDestination[];
}

export interface TaskTarget {
  readonly id: string;
  readonly kind: TargetKind;
  readonly value: string;
  readonly normalized: string;
  readonly xid: string;
}

/** An intercept task: one target of an active warrant. Frozen; shared between callers. */
export interface ActiveTask {
  readonly warrant: TaskWarrant;
  readonly target: TaskTarget;
}

/**
 * Result of an XID lookup. Only `active` may produce IRI; the others tell the pipeline why
 * it drops the event (to count and audit it): no task with that XID (never provisioned,
 * not yet approved, or ended), warrant suspended, or `at` outside the validity window.
 */
export type XidLookup =
  | { status: 'active'; task: ActiveTask }
  | { status: 'suspended' | 'outside-window'; task: ActiveTask }
  | { status: 'unknown' };

function freezeTask(w: WarrantEntity): ActiveTask[] {
  const warrant: TaskWarrant = Object.freeze({
    id: w.id,
    liid: w.liid,
    state: w.state as TaskWarrant['state'],
    deliveryMode: w.deliveryMode,
    validFrom: new Date(w.validFrom),
    validUntil: new Date(w.validUntil),
    nationalParameters: Object.freeze(
      w.nationalParameters ? (JSON.parse(w.nationalParameters) as string[]) : [],
    ),
    destinations: Object.freeze(
      w.destinations.map((d) =>
        Object.freeze({ id: d.id, name: d.name, transport: d.transport, enabled: d.enabled }),
      ),
    ),
  });
  return w.targets
    .filter((t): t is typeof t & { xid: string } => t.xid !== null)
    .map((t) =>
      Object.freeze({
        warrant,
        target: Object.freeze({
          id: t.id,
          kind: t.kind,
          value: t.value,
          normalized: t.normalized,
          xid: t.xid.toLowerCase(),
        }),
      }),
    );
}

function inWindow(w: TaskWarrant, at: Date): boolean {
  const t = at.getTime();
  return t >= w.validFrom.getTime() && t < w.validUntil.getTime();
}

/**
 * XID → task table for the X2 pipeline (ARCHITECTURE.md §3.2). The pipeline looks up every
 * PDU (~20k/s), so lookups are synchronous Map reads that never touch the database.
 *
 * The table holds the targets of active and suspended warrants. It is rebuilt from the
 * database (one query, then an atomic swap of the maps) at start-up, after every committed
 * warrant or destination change in this process (WarrantService and DestinationsService
 * await it before answering), and every TASK_REGISTRY_REFRESH_MS for changes made by other
 * instances on a shared PostgreSQL. A rebuild costs one query; warrants number in the
 * hundreds, so a full rebuild is simpler and safer than incremental patches. The window is
 * checked on every lookup, so a warrant past its end stops matching at once, before the
 * expiry job marks it ended.
 */
@Injectable()
export class TaskRegistry implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(TaskRegistry.name);
  private byXid = new Map<string, ActiveTask>();
  private byIdentity = new Map<string, ActiveTask[]>();
  private loading: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private loadedAt: Date | null = null;

  constructor(
    @InjectRepository(WarrantEntity) private readonly warrants: Repository<WarrantEntity>,
    @Inject(MF_CONFIG) private readonly config: MfConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => {
      this.reload().catch((e: unknown) =>
        this.log.error(`task table refresh failed: ${e instanceof Error ? e.message : 'unknown'}`),
      );
    }, this.config.TASK_REGISTRY_REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The task for `xid` and why it may or may not be used at `at`. */
  lookupXid(xid: string, at: Date): XidLookup {
    const task = this.byXid.get(xid.toLowerCase());
    if (!task) return { status: 'unknown' };
    if (task.warrant.state === 'suspended') return { status: 'suspended', task };
    if (!inWindow(task.warrant, at)) return { status: 'outside-window', task };
    return { status: 'active', task };
  }

  /** The task whose target has this XID when its warrant is active and `at` is in its window. */
  findActiveTargetByXid(xid: string, at: Date): ActiveTask | null {
    const r = this.lookupXid(xid, at);
    return r.status === 'active' ? r.task : null;
  }

  /**
   * Active tasks whose target has this normalised identity (see target-identity.ts), for
   * NEs that report the matched target identity instead of relying on the XID alone.
   */
  findActiveTargetsByIdentity(normalized: string, at: Date): ActiveTask[] {
    return (this.byIdentity.get(normalized) ?? []).filter(
      (t) => t.warrant.state === 'active' && inWindow(t.warrant, at),
    );
  }

  /** Number of tasks (targets with an XID) of active or suspended warrants. */
  get size(): number {
    return this.byXid.size;
  }

  /** When the table was last rebuilt. */
  get lastLoadedAt(): Date | null {
    return this.loadedAt;
  }

  /**
   * Rebuilds the table. A call made while a rebuild runs waits for one more rebuild that
   * starts after it, so it always sees changes committed before the call.
   */
  reload(): Promise<void> {
    if (!this.loading) {
      this.loading = this.load().finally(() => (this.loading = null));
      return this.loading;
    }
    this.queued ??= this.loading
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.reload();
      });
    return this.queued;
  }

  private async load(): Promise<void> {
    const rows = await this.warrants.find({
      where: { state: In(['active', 'suspended']) },
      relations: { targets: true, destinations: true },
    });
    const byXid = new Map<string, ActiveTask>();
    const byIdentity = new Map<string, ActiveTask[]>();
    for (const task of rows.flatMap(freezeTask)) {
      byXid.set(task.target.xid, task);
      const list = byIdentity.get(task.target.normalized) ?? [];
      list.push(task);
      byIdentity.set(task.target.normalized, list);
    }
    this.byXid = byXid;
    this.byIdentity = byIdentity;
    this.loadedAt = new Date();
  }
}
