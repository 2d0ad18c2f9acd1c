import { PsPduBuilder } from '@app/hi2';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '../../persistence/unit-of-work';
import { SecretBox } from '../../security/secret-box';
import { FtpsWorker } from '../ftps/ftps-worker';
import { LeaDestinationEntity } from '../lea-destination.entity';
import { OutboxCommitWatch } from '../outbox/outbox-commit-watch';
import { OutboxStore } from '../outbox/outbox-store';
import { OutboxWriter } from '../outbox/outbox-writer';
import { TlsWorker } from '../tls/tls-worker';
import { deliveryMetrics as m } from './delivery-metrics';
import { DeliverySettings } from './delivery-settings';
import { DestinationWorker, describeError, WorkerContext } from './destination-worker';

export const DELIVERY_SETTINGS = Symbol('DELIVERY_SETTINGS');

/** How often the destination list and the backlog are re-read. */
const REFRESH_MS = 5000;

/**
 * Runs HI2 delivery on an MF instance with the `delivery` role: one worker per enabled LEA
 * destination (FtpsWorker / TlsWorker, each draining only while it holds the destination's
 * lease), woken when a transaction commits outbox rows — in this process (OutboxWriter), on
 * PostgreSQL also in others, and on SQLite in the ingest process when this one only delivers
 * (OutboxCommitWatch) — and otherwise polling. It also keeps the
 * backlog gauges, raises (and clears) the backlog alarm — an audit entry with outcome `alarm`
 * when a destination's waiting records pass HI2_BACKLOG_ALARM_THRESHOLD — and runs the
 * retention purge of delivered rows every HI2_PURGE_INTERVAL_MS.
 */
@Injectable()
export class DeliveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Hi2Delivery');
  private readonly workers = new Map<string, DestinationWorker>();
  private readonly alarmed = new Set<string>();
  private readonly ctx: WorkerContext;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe?: () => void;
  private watch?: OutboxCommitWatch;
  private refreshing?: Promise<void>;
  private backlogCheck: Promise<void> = Promise.resolve();

  constructor(
    @Inject(DELIVERY_SETTINGS) private readonly settings: DeliverySettings,
    private readonly store: OutboxStore,
    private readonly writer: OutboxWriter,
    private readonly uow: UnitOfWork,
    secrets: SecretBox,
    private readonly ds: DataSource,
  ) {
    new PsPduBuilder(settings.psHeader); // refuses bad OPERATOR_ID / HI2_* header settings at start-up
    this.ctx = { store, settings, secrets, log: this.log };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.unsubscribe = this.writer.onCommitted(() => this.wake());
    if (this.uow.isPostgres || this.settings.sqliteWakePollMs) {
      this.watch = new OutboxCommitWatch(this.ds, this.settings.sqliteWakePollMs ?? 0);
      this.watch.start(() => this.wake());
    }
    this.every(REFRESH_MS, () => this.refresh());
    this.every(REFRESH_MS, () => this.checkBacklog());
    this.every(this.settings.purgeIntervalMs, () => this.purge());
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.watch?.stop();
    this.timers.forEach(clearInterval);
    this.timers = [];
    await this.refreshing;
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
  }

  /** Skips the workers' current wait (records were committed). */
  wake(): void {
    for (const w of this.workers.values()) w.wake();
  }

  /** Starts, updates and stops workers to match the enabled destinations. */
  refresh(): Promise<void> {
    this.refreshing ??= this.syncWorkers().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /**
   * Updates the backlog gauges and raises or clears the backlog alarm per destination. Checks
   * run one after another (timer and callers), so a returned check has seen every earlier
   * alarm transition committed.
   */
  checkBacklog(now = new Date()): Promise<void> {
    const run = this.backlogCheck.then(() => this.updateBacklog(now));
    this.backlogCheck = run.catch(() => undefined);
    return run;
  }

  private async updateBacklog(now: Date): Promise<void> {
    const backlog = await this.store.backlog();
    const byId = new Map(backlog.map((b) => [b.destinationId, b]));
    for (const id of new Set([...this.workers.keys(), ...byId.keys()])) {
      const b = byId.get(id);
      const pending = b?.pending ?? 0;
      m.backlog.set({ destination: id }, pending);
      m.oldestAge.set(
        { destination: id },
        b?.oldestCreatedAt
          ? Math.max(0, (now.getTime() - Date.parse(b.oldestCreatedAt)) / 1000)
          : 0,
      );
      const over = pending > this.settings.backlogAlarmThreshold;
      m.backlogAlarm.set({ destination: id }, over ? 1 : 0);
      if (over && !this.alarmed.has(id)) {
        this.alarmed.add(id);
        this.log.error(`HI2 backlog of destination ${id}: ${pending} records waiting`);
        await this.store.alarm('hi2.backlog.alarm', id, {
          pending,
          threshold: this.settings.backlogAlarmThreshold,
          oldestCreatedAt: b?.oldestCreatedAt ?? null,
        });
      } else if (!over && this.alarmed.has(id)) {
        this.alarmed.delete(id);
        await this.store.alarm('hi2.backlog.cleared', id, {
          pending,
          threshold: this.settings.backlogAlarmThreshold,
        });
      }
    }
  }

  /** Retention: deletes delivered rows older than HI2_RETENTION_DAYS (audited by the store). */
  purge(now = new Date()): Promise<{ rows: number; counters: number }> {
    return this.store.purge(new Date(now.getTime() - this.settings.retentionDays * 86_400_000));
  }

  private async syncWorkers(): Promise<void> {
    const destinations = await this.uow.run((em) =>
      em.getRepository(LeaDestinationEntity).find({ where: { enabled: true } }),
    );
    const wanted = new Map(destinations.map((d) => [d.id, d]));
    for (const [id, worker] of this.workers) {
      const d = wanted.get(id);
      if (d && d.transport === (worker instanceof TlsWorker ? 'tls' : 'ftps')) {
        worker.update(d);
        wanted.delete(id);
      } else {
        this.workers.delete(id);
        await worker.stop();
      }
    }
    for (const d of wanted.values()) {
      const worker =
        d.transport === 'tls' ? new TlsWorker(this.ctx, d) : new FtpsWorker(this.ctx, d);
      this.workers.set(d.id, worker);
      worker.start();
    }
  }

  private every(ms: number, job: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      job().catch((e: unknown) =>
        this.log.error(`HI2 delivery housekeeping failed: ${describeError(e)}`),
      );
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
