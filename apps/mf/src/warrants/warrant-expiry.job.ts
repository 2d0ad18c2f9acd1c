import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { MF_CONFIG } from '../config/config.module';
import { MfConfig } from '../config/mf-config';
import { WarrantService } from './warrant.service';

/**
 * Ends warrants past their end every WARRANT_EXPIRY_INTERVAL_MS (audited as
 * `warrant.expire` by `system:warrant-expiry`). Runs on every instance; WarrantService
 * re-checks each warrant under lock, so one warrant is ended once. The pipeline does not
 * depend on it: TaskRegistry checks the window on every lookup.
 */
@Injectable()
export class WarrantExpiryJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(WarrantExpiryJob.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<string[]> | null = null;

  constructor(
    private readonly warrants: WarrantService,
    @Inject(MF_CONFIG) private readonly config: MfConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), this.config.WARRANT_EXPIRY_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass; overlapping calls share the pass in progress. Resolves with the ended LIIDs. */
  runOnce(): Promise<string[]> {
    this.running ??= this.warrants
      .endExpired(new Date())
      .catch((e: unknown) => {
        this.log.error(`warrant expiry failed: ${e instanceof Error ? e.message : 'unknown'}`);
        return [];
      })
      .finally(() => (this.running = null));
    return this.running;
  }
}
