import { TypeOrmModule } from '@nestjs/typeorm';
import {
  Inject,
  Injectable,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { IriBuilder } from '@app/hi2';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { MF_CONFIG } from '../config/config.module';
import { MfConfig, readConfigFile } from '../config/mf-config';
import { ContentPipeline } from '../content/content-pipeline';
import { PduRouter } from '../content/pdu-router';
import { OutboxWriter } from '../handover/outbox/outbox-writer';
import { KeyRetrieval } from '../keys/key-retrieval';
import { DbOutageRetry } from '../persistence/db-outage';
import { UnitOfWork } from '../persistence/unit-of-work';
import { TaskRegistry } from '../warrants/task-registry';
import { WarrantsModule } from '../warrants/warrants.module';
import { batchedX2Audit } from '../x2/x2-audit-batch';
import { X2Listener } from '../x2/x2-listener';
import { KmsClient } from '../xk/kms-client';
import { KmsRouter } from '../xk/kms-router';
import { XkKeyJobEntity } from '../keys/xk-key-job.entity';
import { CallSessionEntity } from './call-session.entity';
import { CallSessionStore } from './call-session-store';
import { CounterBlock } from './counter-block';
import { InterceptionPipeline } from './interception-pipeline';
import { IriRecorder } from './iri-recorder';

/** The Xk client's mutual-TLS material (throws ConfigError naming an unreadable file). */
export function xkClientTls(config: MfConfig): { ca: Buffer; cert: Buffer; key: Buffer } {
  return {
    ca: readConfigFile('TLS_CA_FILE', config.TLS_CA_FILE),
    cert: readConfigFile('XK_CERT_FILE', config.XK_CERT_FILE),
    key: readConfigFile('XK_KEY_FILE', config.XK_KEY_FILE),
  };
}

/** Injection token of the running X2Listener (its `port` is the bound X2 port). */
export const X2_LISTENER = Symbol('X2_LISTENER');

/**
 * Wires the ingest side (ARCHITECTURE.md §3): X2 listener → InterceptionPipeline → outbox
 * (X2) and ContentPipeline → outbox (X3 → HI3 CC),
 * with the Xk key retrieval and the session-timeout sweep. Starts after the task table is
 * loaded (OnApplicationBootstrap) and stops gracefully: the listener finishes in-flight PDUs,
 * the pipeline commits its last batch, key requests under way are aborted
 * and stay saved (`xk_key_job`); the next start resumes them with their original deadline.
 */
@Injectable()
export class IngestService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly listener: X2Listener;
  readonly pipeline: InterceptionPipeline;
  readonly content: ContentPipeline;
  readonly keys: KeyRetrieval;
  private readonly sessions: CallSessionStore;
  private readonly kms: KmsClient;
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    @Inject(MF_CONFIG) private readonly config: MfConfig,
    ds: DataSource,
    uow: UnitOfWork,
    outage: DbOutageRetry,
    audit: AuditService,
    private readonly tasks: TaskRegistry,
    outbox: OutboxWriter,
  ) {
    const iri = new IriBuilder({
      networkIdentifier: { operatorId: config.OPERATOR_ID.slice(0, 5) },
    });
    const recorder = new IriRecorder(iri, outbox);
    this.kms = new KmsClient({
      tls: xkClientTls(config),
      requestTimeoutMs: config.XK_REQUEST_TIMEOUT_MS,
      retryBaseMs: config.XK_RETRY_BASE_MS,
      retryMaxMs: config.XK_RETRY_MAX_MS,
    });
    const router = new KmsRouter({
      kms: config.XK_KMS_ROUTES,
      defaultKmsByDomain: config.XK_DEFAULT_KMS_BY_DOMAIN,
    });
    this.content = new ContentPipeline({
      db: outage,
      tasks,
      outbox,
      audit,
      pending: { maxMs: config.X3_PENDING_MAX_MS, maxBytes: config.X3_PENDING_MAX_BYTES },
    });
    this.keys = new KeyRetrieval(
      this.kms,
      router,
      uow,
      recorder,
      audit,
      config.XK_DEADLINE_MS,
      this.content,
    );
    this.sessions = new CallSessionStore(ds);
    const cins = new CounterBlock(uow, 'cin');
    this.pipeline = new InterceptionPipeline({
      uow,
      outage,
      tasks,
      sessions: this.sessions,
      // A failed reservation leaves the block as it was: taking again reserves again.
      cins: { take: () => outage.retry('cin.reserve', () => cins.take()) },
      iri: recorder,
      audit,
      keyJobs: this.keys,
      content: this.content,
      batch: {
        maxEvents: config.PIPELINE_BATCH_MAX_EVENTS,
        maxDelayMs: config.PIPELINE_BATCH_MAX_DELAY_MS,
      },
    });
    // Connection events: batched (x2-audit-batch.ts), each batch retried through a database outage.
    const auditX2 = batchedX2Audit((records) =>
      outage.retry('audit.x2', () => audit.appendMany(records), true),
    );
    this.listener = new X2Listener(
      {
        host: config.X2_HOST,
        port: config.X2_PORT,
        caFile: config.TLS_CA_FILE,
        certFile: config.TLS_CERT_FILE,
        keyFile: config.TLS_KEY_FILE,
        allowedNeIdentities: config.X2_ALLOWED_NE,
        maxConnections: config.X2_MAX_CONNECTIONS,
        handshakes: {
          timeoutMs: config.X2_HANDSHAKE_TIMEOUT_MS,
          max: config.X2_MAX_HANDSHAKES,
          maxPerAddress: config.X2_MAX_HANDSHAKES_PER_ADDRESS,
        },
        refusalAuditIntervalMs: config.X2_REFUSAL_AUDIT_INTERVAL_MS,
        limits: {
          maxHeaderLength: config.X2_MAX_HEADER_BYTES,
          maxPayloadLength: config.X2_MAX_PAYLOAD_BYTES,
          maxPdusPerSecond: config.X2_MAX_PDUS_PER_SECOND,
          idleTimeoutMs: config.X2_IDLE_TIMEOUT_MS,
          pduTimeoutMs: config.X2_PDU_TIMEOUT_MS,
          maxInFlightPdus: config.X2_MAX_IN_FLIGHT_PDUS,
        },
      },
      new PduRouter(this.pipeline, this.content),
      auditX2,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.tasks.reload(); // the task table must be there before the first PDU
    await this.sessions.load();
    this.content.start();
    await this.keys.resume((xid, at) => this.tasks.lookupXid(xid, at));
    await this.listener.start();
    this.sweep = setInterval(() => {
      void this.pipeline.expireIdleSessions(this.config.SESSION_TIMEOUT_MS).catch(() => undefined);
    }, this.config.SESSION_SWEEP_INTERVAL_MS);
    this.sweep.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    await this.listener.stop();
    await this.pipeline.drain();
    await this.keys.stop();
    this.kms.close();
    await this.content.stop();
  }
}

/** The ingest role of the MF (MF_ROLES contains `ingest`). */
@Module({
  imports: [WarrantsModule, TypeOrmModule.forFeature([CallSessionEntity, XkKeyJobEntity])],
  providers: [
    IngestService,
    { provide: X2_LISTENER, inject: [IngestService], useFactory: (s: IngestService) => s.listener },
  ],
  exports: [IngestService, X2_LISTENER],
})
export class InterceptionModule {}
