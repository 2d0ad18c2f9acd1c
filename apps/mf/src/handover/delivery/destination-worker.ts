import { LoggerService } from '@nestjs/common';
import { SecretBox } from '../../security/secret-box';
import { LeaDestinationEntity } from '../lea-destination.entity';
import { DeadRow, OutboxStore, StreamKey } from '../outbox/outbox-store';
import { deliveryMetrics as m } from './delivery-metrics';
import { Backoff } from './backoff';
import { DeliverySettings } from './delivery-settings';

/** What every destination worker shares. */
export interface WorkerContext {
  store: OutboxStore;
  settings: DeliverySettings;
  secrets: SecretBox;
  log: LoggerService;
}

/** Error messages only: never a stack, and never anything but the error's own text. */
export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * One LEA destination's drain loop (ARCHITECTURE.md §3.8). It runs only while this instance
 * holds the destination's lease (OutboxStore): the lease is renewed on a timer, and losing it
 * aborts the transport at once, so two instances never send the same destination's records
 * concurrently. `step()` does the transport's work and says how long to wait; a throw counts as
 * a failure and waits with exponential backoff and jitter. Stopping aborts transfers in flight
 * (the outbox keeps the rows pending) and releases the lease.
 */
export abstract class DestinationWorker {
  protected readonly backoff: Backoff;
  private stopped = false;
  private holding = false;
  private renewTimer?: NodeJS.Timeout;
  private woken = false;
  private wakeSleeper?: () => void;
  private done?: Promise<void>;
  private deadSinceSuccess = 0;
  private refusingAlarmRaised = false;

  constructor(
    protected readonly ctx: WorkerContext,
    protected destination: LeaDestinationEntity,
  ) {
    this.backoff = new Backoff(ctx.settings.retryBaseMs, ctx.settings.retryMaxMs);
  }

  get id(): string {
    return this.destination.id;
  }

  start(): void {
    this.done ??= this.loop();
  }

  /** New records were committed: skip the current wait. */
  wake(): void {
    this.woken = true;
    this.wakeSleeper?.();
  }

  /** The destination row changed: use the new settings from the next connection on. */
  update(destination: LeaDestinationEntity): void {
    const changed = JSON.stringify(destination) !== JSON.stringify(this.destination);
    this.destination = destination;
    if (changed) this.abortTransport('destination settings changed');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abortTransport('delivery stopping');
    this.wake();
    await this.done;
  }

  protected get active(): boolean {
    return this.holding && !this.stopped;
  }

  /**
   * Counts a refusal by the LEA against rows (OutboxStore.reject). Dead-letter guard: only one
   * record may go dead until the destination accepts something again (`accepted()`); when a
   * second one reaches HI2_MAX_ATTEMPTS the destination refuses everything (e.g. a directory
   * without write permission, a LEMF that cannot decode our records): the rows stay pending, an
   * alarm is audited once, and `paused` asks the caller to wait HI2_RETRY_MAX_MS.
   */
  protected async refuse(
    rows: ReadonlyArray<{ seq: number; attempts: number }>,
    reason: string,
    skipPduSeq?: ReadonlyMap<number, { key: StreamKey; next: number }>,
  ): Promise<{ dead: DeadRow[]; paused: boolean }> {
    const d = this.destination;
    const s = this.ctx.settings;
    m.failures.inc({ destination: d.id, transport: d.transport, kind: 'rejected' });
    const mayDie = this.deadSinceSuccess === 0;
    const dead = await this.ctx.store.reject(
      d.id,
      rows.map((r) => r.seq),
      reason,
      mayDie ? s.maxAttempts : Number.MAX_SAFE_INTEGER,
      skipPduSeq,
    );
    if (dead.length) {
      this.deadSinceSuccess += dead.length;
      m.deadLetters.inc({ destination: d.id }, dead.length);
      this.ctx.log.error(
        `HI2 ${d.transport} ${d.name}: dead-lettered ${dead.map((x) => `seq ${x.seq} (${x.liid})`).join(', ')} after ${s.maxAttempts} refusals`,
      );
      return { dead, paused: false };
    }
    const exhausted = !mayDie && rows.some((r) => r.attempts + 1 >= s.maxAttempts);
    if (exhausted && !this.refusingAlarmRaised) {
      this.refusingAlarmRaised = true;
      await this.ctx.store.alarm('hi2.destination.refusing', d.id, {
        transport: d.transport,
        reason,
        action: 'paused: a second record refused since the last dead-letter; records kept pending',
      });
    }
    return { dead, paused: exhausted };
  }

  /** The destination accepted records: lifts the dead-letter guard and resets the backoff. */
  protected accepted(): void {
    this.deadSinceSuccess = 0;
    this.refusingAlarmRaised = false;
    this.backoff.reset();
  }

  /** One unit of work while holding the lease; returns the milliseconds to wait before the next. */
  protected abstract step(): Promise<number>;

  /** Drops connections and in-flight transfers at once (lease lost, stop, settings changed). */
  protected abstract abortTransport(reason: string): void;

  /** Closes the transport cleanly at the end. */
  protected abstract closeTransport(): Promise<void>;

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let waitMs: number;
      try {
        waitMs = (await this.holdLease()) ? await this.step() : this.ctx.settings.leaseTtlMs / 3;
      } catch (e) {
        waitMs = this.backoff.next();
        this.abortTransport('failure');
        this.ctx.log.warn(
          `HI2 ${this.destination.transport} delivery to ${this.destination.name} failed (retry in ${waitMs} ms): ${describeError(e)}`,
        );
      }
      if (waitMs > 0 && !this.stopped) await this.sleep(waitMs);
    }
    clearInterval(this.renewTimer);
    await this.closeTransport().catch(() => undefined);
    if (this.holding) {
      this.holding = false;
      await this.ctx.store
        .releaseLease(this.destination.id, this.ctx.settings.instanceId)
        .catch(() => undefined);
    }
  }

  private async holdLease(): Promise<boolean> {
    if (this.holding) return true;
    const s = this.ctx.settings;
    if (!(await this.ctx.store.acquireLease(this.destination.id, s.instanceId, s.leaseTtlMs)))
      return false;
    this.holding = true;
    this.renewTimer = setInterval(() => void this.renew(), s.leaseTtlMs / 3);
    this.renewTimer.unref();
    return true;
  }

  private async renew(): Promise<void> {
    const s = this.ctx.settings;
    let ok = false;
    try {
      ok = await this.ctx.store.acquireLease(this.destination.id, s.instanceId, s.leaseTtlMs);
    } catch (e) {
      this.ctx.log.warn(
        `HI2 lease renewal for ${this.destination.name} failed: ${describeError(e)}`,
      );
    }
    if (ok || !this.holding || this.stopped) return;
    this.holding = false;
    clearInterval(this.renewTimer);
    this.abortTransport('lease lost');
    this.ctx.log.warn(`HI2 delivery to ${this.destination.name}: lease lost, stopped sending`);
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeSleeper = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeSleeper = done;
    });
  }
}
