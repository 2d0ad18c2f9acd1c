import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDevPki } from '@app/pki';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { FtpsLeaServer } from '../../apps/lab/src/lea/ftps-lea-server';
import { TlsLeaServer } from '../../apps/lab/src/lea/tls-lea-server';
import { AppModule } from '../../apps/mf/src/app.module';
import { loadMfConfig } from '../../apps/mf/src/config/mf-config';
import { DeliveryService } from '../../apps/mf/src/handover/delivery/delivery.service';
import { deliveryMetrics } from '../../apps/mf/src/handover/delivery/delivery-metrics';
import { sealDestinationPassword } from '../../apps/mf/src/handover/destination-secret';
import { LeaDestinationEntity } from '../../apps/mf/src/handover/lea-destination.entity';
import { OutboxRow } from '../../apps/mf/src/handover/outbox/outbox.entity';
import { createDataSource } from '../../apps/mf/src/persistence/data-source';
import {
  EnqueuedRow,
  OutboxItem,
  OutboxWriter,
} from '../../apps/mf/src/handover/outbox/outbox-writer';
import { UnitOfWork } from '../../apps/mf/src/persistence/unit-of-work';
import { SecretBox } from '../../apps/mf/src/security/secret-box';
import { TempDatabase } from './databases';
import { insertDestination } from './hi2';
import { until } from './until';

/** Short timings so that fault tests finish in seconds. */
export const FAST_DELIVERY = {
  HI2_POLL_INTERVAL_MS: '50',
  HI2_FTPS_FILE_MAX_WAIT_MS: '100',
  HI2_FTPS_FILE_MAX_RECORDS: '50',
  HI2_RETRY_BASE_MS: '50',
  HI2_RETRY_MAX_MS: '400',
  HI2_LEASE_TTL_MS: '1500',
  HI2_MAX_ATTEMPTS: '3',
  HI2_CONNECT_TIMEOUT_MS: '2000',
  HI2_TLS_KEEPALIVE_TIMEOUT_MS: '3000',
  HI2_TLS_KEEPALIVE_IDLE_MS: '1000',
};

/**
 * An MF with only the delivery role, on a temporary database, with a dev PKI and lab LEAs
 * (FTPS and TLS receivers from apps/lab) — for the HI2 delivery end-to-end specs.
 */
export class DeliveryHarness {
  readonly dir = mkdtempSync(join(tmpdir(), 'hi2-e2e-'));
  readonly pki = join(this.dir, 'pki');
  readonly key = randomBytes(32);
  app!: INestApplicationContext;
  ftps?: FtpsLeaServer;
  tls?: TlsLeaServer;
  ftpsDestination?: LeaDestinationEntity;
  tlsDestination?: LeaDestinationEntity;
  private reader?: Promise<DataSource>;

  constructor(
    readonly db: TempDatabase,
    private readonly env: Record<string, string> = {},
  ) {}

  async start(lea: {
    ftps?: { rejectLiids?: string[] };
    tls?: { rejectLiids?: string[] };
  }): Promise<this> {
    await writeDevPki(this.pki);
    await this.startMf();
    const ds = this.dataSource;
    if (lea.ftps) {
      this.ftps = new FtpsLeaServer({
        pkiDir: this.pki,
        root: join(this.dir, 'ftps-root'),
        user: 'lemf',
        password: 'lemf-secret',
        rejectLiids: lea.ftps.rejectLiids,
      });
      const port = await this.ftps.start();
      this.ftpsDestination = await insertDestination(ds, {
        transport: 'ftps',
        port,
        settings: { caFile: join(this.pki, 'ca.crt'), user: 'lemf', directory: '/' },
        secret: null,
        name: 'lab-ftps',
      });
      const sealed = sealDestinationPassword(
        new SecretBox(this.key),
        this.ftpsDestination.id,
        'lemf-secret',
      );
      await ds
        .getRepository(LeaDestinationEntity)
        .update(this.ftpsDestination.id, { secret: sealed });
      this.ftpsDestination.secret = sealed;
    }
    if (lea.tls) {
      this.tls = new TlsLeaServer({ pkiDir: this.pki, rejectLiids: lea.tls.rejectLiids });
      const port = await this.tls.start();
      this.tlsDestination = await insertDestination(ds, {
        transport: 'tls',
        port,
        settings: { caFile: join(this.pki, 'ca.crt') },
        name: 'lab-tls',
      });
    }
    if (this.runsDelivery) await this.delivery.refresh();
    return this;
  }

  /** False when `env` gave MF_ROLES without `delivery` (delivery runs in a spawned MF instead). */
  get runsDelivery(): boolean {
    return (this.env.MF_ROLES ?? 'delivery').split(',').includes('delivery');
  }

  /**
   * Environment of another MF process (`spawnMf`) with only the delivery role on this harness's
   * database, PKI and at-rest key; the in-process MF has already run the migrations.
   */
  processEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...FAST_DELIVERY,
      ...this.env,
      DATABASE_URL: this.db.url,
      DB_RUN_MIGRATIONS: 'false',
      MF_ROLES: 'delivery',
      PKI_DIR: this.pki,
      KEY_ENCRYPTION_KEY: this.key.toString('base64'),
      ...extra,
    };
  }

  /**
   * Starts (or restarts) the MF's Nest context with the delivery role, or with what `env` says
   * over the harness's environment (e.g. another MF_ROLES).
   */
  async startMf(env: Record<string, string> = {}): Promise<void> {
    // One process, several MF contexts (restart tests, several spec engines): PrometheusModule
    // registers the default metrics again each time, so start from an empty registry and keep
    // the delivery metrics in it.
    register.clear();
    Object.values(deliveryMetrics).forEach((metric) => register.registerMetric(metric));
    const config = loadMfConfig({
      DATABASE_URL: this.db.url,
      MF_ROLES: 'delivery',
      LOG_LEVEL: 'silent',
      PKI_DIR: this.pki,
      KEY_ENCRYPTION_KEY: this.key.toString('base64'),
      ...FAST_DELIVERY,
      ...this.env,
      ...env,
    });
    this.app = await NestFactory.createApplicationContext(AppModule.register(config), {
      logger: false,
      abortOnError: false,
    });
  }

  /** Stops the MF's context: workers abort transfers in flight and release their leases. */
  async stopMf(): Promise<void> {
    await this.app.close();
  }

  get dataSource(): DataSource {
    return this.app.get(DataSource);
  }

  get delivery(): DeliveryService {
    return this.app.get(DeliveryService);
  }

  /** Enqueues records in one transaction, as the ingest pipeline does. */
  enqueue(items: OutboxItem[]): Promise<EnqueuedRow[]> {
    const writer = this.app.get(OutboxWriter);
    return this.app.get(UnitOfWork).run((em) => writer.enqueue(em, items));
  }

  async rows(destinationId: string): Promise<OutboxRow[]> {
    return (await this.outbox())
      .getRepository(OutboxRow)
      .find({ where: { destinationId }, order: { seq: 'ASC' } });
  }

  /** The MF's data source, or without the delivery role (no OutboxRow entity there) one of ours. */
  private outbox(): Promise<DataSource> {
    if (this.runsDelivery) return Promise.resolve(this.dataSource);
    this.reader ??= createDataSource({ url: this.db.url, entities: [OutboxRow] }).initialize();
    return this.reader;
  }

  /** Waits until `check` returns true (polling), or fails after `ms`. */
  until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
    return until(what, check, ms);
  }

  async stop(): Promise<void> {
    await this.app?.close().catch(() => undefined);
    await (await this.reader)?.destroy();
    await this.ftps?.stop();
    await this.tls?.stop();
    await this.db.drop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
