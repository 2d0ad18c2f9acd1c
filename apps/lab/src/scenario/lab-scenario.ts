import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { devPkiExists, writeDevPki } from '@app/pki';
import type { Role } from '../../../mf/src/auth/roles';
import { UsersService } from '../../../mf/src/auth/users.service';
import { startMf } from '../../../mf/src/bootstrap';
import { loadMfConfig, type MfConfig } from '../../../mf/src/config/mf-config';
import { X2_LISTENER } from '../../../mf/src/interception/interception.module';
import type { X2Listener } from '../../../mf/src/x2/x2-listener';
import { FtpsLeaServer } from '../lea/ftps-lea-server';
import type { ReceivedSnapshot } from '../lea/received-log';
import { TlsLeaServer } from '../lea/tls-lea-server';
import { HOME_KMS, startTicketWorld, type TicketWorld } from '../ticket-world';
import { callMedia, sipFlow, type SimulatedCall, type SipFlowStep } from '../ue';
import { CscfSimulator } from './cscf-simulator';
import { callRecords, iriViews, type IriView } from './iri-view';
import {
  judgeCall,
  LAB_CALLS,
  LAB_TARGET,
  type AuditFact,
  type CallVerdict,
  type LabCallPlan,
} from './lab-calls';
import { judgeMedia, type MediaVerdict, type SentMedia } from './lab-media';
import { MfRestSession } from './mf-rest-client';

export type LeaName = 'ftps' | 'tls';
export const LEA_NAMES: readonly LeaName[] = ['ftps', 'tls'];

export interface LabScenarioOptions {
  /** Run directory: LEA upload root and the LEAs' received-record JSON files. */
  workDir: string;
  /** Dev PKI directory, written when absent. */
  pkiDir: string;
  /** MF database: a SQLite file path or a postgres:// URL (fresh: the lab provisions its own warrant). */
  databaseUrl: string;
  /** Progress lines (no key material). */
  progress?: (line: string) => void;
  logLevel?: MfConfig['LOG_LEVEL'];
  /** Longest wait for the LEAs to receive what one step of a call produced; default 20 s. */
  waitMs?: number;
  /** The calls to run; default LAB_CALLS. */
  calls?: readonly LabCallPlan[];
}

/** One call of the run: the plan, the call as the UEs made it, what each LEA got, the verdicts. */
export interface LabCallResult {
  plan: LabCallPlan;
  call: SimulatedCall;
  records: Record<LeaName, IriView[]>;
  verdicts: CallVerdict[];
  /** Calls with media: what the TLS LEA of the `decrypted` warrant got, and the WAV file. */
  media?: MediaVerdict;
}

export interface LabResult {
  liid: string;
  xid: string;
  /** The second warrant on the target: mode `decrypted`, TLS LEA only (clear media on HI3). */
  decryptedLiid: string;
  /** Where the intercepted audio of each call with media is written (one WAV per call). */
  wavDir: string;
  calls: LabCallResult[];
  /** The warrant's audit entries, oldest first, as the auditor API returned them. */
  audit: Array<AuditFact & { liid: string | null; details: unknown }>;
  leas: Record<LeaName, ReceivedSnapshot>;
  /** True when every verdict holds. */
  ok: boolean;
}

const LIID = 'LIID-LAB-1';
const DECRYPTED_LIID = 'LIID-LAB-DEC';
/** Audio per direction of the calls with media. */
const MEDIA_MS = 3000;

/** What an LEA received for one LIID only. */
const ofLiid = (s: ReceivedSnapshot, liid: string): ReceivedSnapshot => ({
  ...s,
  records: s.records.filter((r) => r.liid === liid),
  cc: s.cc.filter((p) => p.liid === liid),
});

/** The two warrants' XIDs on the target. */
interface LabXids {
  keys: string;
  decrypted: string;
}
const LAB_USERS: Record<string, Role> = {
  'lab-admin': 'admin',
  'lab-operator': 'operator',
  'lab-supervisor': 'supervisor',
  'lab-auditor': 'auditor',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it holds or `ms` passed; returns whether it held. */
async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (check()) return true;
    if (Date.now() >= end) return false;
    await sleep(50);
  }
}

/**
 * The `npm run lab` scenario (issue 7), in-process on loopback ports chosen by the OS: the KMS
 * simulator with the lab's UEs, two LEMFs (HI2 over FTPS and over TLS), the MF with all roles;
 * users, LEA destinations and a warrant on the target provisioned over the REST API (admin,
 * operator, then a supervisor's four-eyes approval); a CSCF simulator reporting each call's SIP
 * over X2; then the verdict per call and LEA from the records the LEAs decoded and the audit log.
 * A second warrant on the target in mode `decrypted` (TLS LEA only) receives the media of the
 * calls with `media`: the UEs' SRTP (lab-media.ts), reported on X3 by the CSCF simulator to that
 * warrant's XID; the TLS LEA checks the clear packets and writes a WAV per call.
 */
export class LabScenario {
  private world?: TicketWorld;
  private leas?: { ftps: FtpsLeaServer; tls: TlsLeaServer };
  private mf?: INestApplication;
  private cscf?: CscfSimulator;
  private readonly waitMs: number;

  constructor(private readonly o: LabScenarioOptions) {
    this.waitMs = o.waitMs ?? 20_000;
  }

  private say(line: string): void {
    this.o.progress?.(line);
  }

  /** Runs everything and stops it again; rejects only when the lab itself could not run. */
  async run(): Promise<LabResult> {
    try {
      const { xids, rest } = await this.start();
      const calls: LabCallResult[] = [];
      const plans = this.o.calls ?? LAB_CALLS;
      for (const [i, plan] of plans.entries()) {
        calls.push(await this.runCall(plan, xids, i + 1, plans.length));
      }
      const audit = await rest.auditor.get<{ items: LabResult['audit'] }>(
        `/api/v1/audit?liid=${LIID}&order=asc&limit=1000`,
      );
      const leas = {
        ftps: ofLiid(this.leas!.ftps.read(), LIID),
        tls: ofLiid(this.leas!.tls.read(), LIID),
      };
      for (const c of calls) {
        c.verdicts = LEA_NAMES.map((lea) =>
          judgeCall(c.plan, c.call, lea, c.records[lea], audit.items),
        );
      }
      const ok = calls.every((c) => c.verdicts.every((v) => v.ok) && (c.media?.ok ?? true));
      return {
        liid: LIID,
        xid: xids.keys,
        decryptedLiid: DECRYPTED_LIID,
        wavDir: this.wavDir,
        calls,
        audit: audit.items,
        leas,
        ok,
      };
    } finally {
      await this.stop();
    }
  }

  private get wavDir(): string {
    return join(this.o.workDir, 'lea-tls-audio');
  }

  private async start(): Promise<{ xids: LabXids; rest: Record<string, MfRestSession> }> {
    const { pkiDir, workDir } = this.o;
    mkdirSync(workDir, { recursive: true });
    mkdirSync(this.wavDir, { recursive: true });
    if (!devPkiExists(pkiDir)) {
      await writeDevPki(pkiDir);
      this.say(`dev PKI created in ${pkiDir}`);
    }
    this.world = await startTicketWorld({ pkiDir, runtime: { logger: () => undefined } });
    this.say(`kms-sim ${HOME_KMS}: Ua ${this.world.kms.urls.ua}, Xk ${this.world.kms.urls.xk}`);

    const ftpsPassword = randomBytes(12).toString('base64url');
    const ftps = new FtpsLeaServer({
      pkiDir,
      root: join(workDir, 'lea-ftps'),
      user: 'lemf',
      password: ftpsPassword,
      outFile: join(workDir, 'lea-ftps.json'),
    });
    const tls = new TlsLeaServer({ pkiDir, outFile: join(workDir, 'lea-tls.json') });
    this.leas = { ftps, tls };
    await ftps.start();
    await tls.start();
    this.say(`LEA receivers: HI2 FTPS on port ${ftps.port}, HI2 TLS on port ${tls.port}`);

    this.mf = await startMf(
      loadMfConfig({
        DATABASE_URL: this.o.databaseUrl,
        PKI_DIR: pkiDir,
        HTTP_PORT: '0',
        X2_PORT: '0',
        MF_ROLES: 'ingest,api,delivery',
        LOG_LEVEL: this.o.logLevel ?? 'silent',
        XK_KMS_ROUTES: JSON.stringify({ [HOME_KMS]: [this.world.kms.urls.xk] }),
        XK_DEFAULT_KMS_BY_DOMAIN: JSON.stringify({ 'ims.example': HOME_KMS }),
        XK_DEADLINE_MS: String(this.waitMs),
        XK_RETRY_BASE_MS: '100',
        HI2_POLL_INTERVAL_MS: '100',
        HI2_FTPS_FILE_MAX_WAIT_MS: '200',
      }),
    );
    const http = (this.mf.getHttpServer() as { address(): AddressInfo }).address().port;
    const x2 = this.mf.get<X2Listener>(X2_LISTENER).port;
    const baseUrl = `http://127.0.0.1:${http}`;
    this.say(`MF up: REST ${baseUrl}, X2 port ${x2}, database ${this.o.databaseUrl}`);

    const rest = await this.provisionUsers(baseUrl);
    const xids = await this.provisionWarrants(rest, ftpsPassword, pkiDir);
    this.cscf = await CscfSimulator.connect({
      host: '127.0.0.1',
      port: x2,
      tls: this.world.clientTls('ne'),
    });
    this.say('CSCF simulator connected to X2 (mutual TLS, NE certificate)');
    return { xids, rest };
  }

  /** The lab's users (one per role), created with the UsersService, logged in over REST. */
  private async provisionUsers(baseUrl: string): Promise<Record<string, MfRestSession>> {
    const users = this.mf!.get(UsersService);
    const rest: Record<string, MfRestSession> = {};
    for (const [name, role] of Object.entries(LAB_USERS)) {
      const password = `${randomBytes(18).toString('base64url')}-Lab1`;
      await users.create({ name, role, password }, 'lab:setup');
      rest[role] = await MfRestSession.login(baseUrl, name, password);
    }
    return rest;
  }

  /**
   * Destinations (admin); per warrant (operator): draft, activation request, four-eyes approval.
   * `LIID-LAB-1` in mode keys to both LEAs (the IRI verdicts), `LIID-LAB-DEC` in mode decrypted
   * to the TLS LEA (clear media on HI3; FTPS destinations get no CC).
   */
  private async provisionWarrants(
    rest: Record<string, MfRestSession>,
    ftpsPassword: string,
    pkiDir: string,
  ): Promise<LabXids> {
    const caFile = join(pkiDir, 'ca.crt');
    const { ftps, tls } = this.leas!;
    const ftpsDestination = await rest.admin.post<{ id: string }>('/api/v1/destinations', {
      name: 'lab LEA FTPS',
      transport: 'ftps',
      host: '127.0.0.1',
      port: ftps.port,
      settings: { caFile, user: 'lemf', directory: '/' },
      password: ftpsPassword,
    });
    const tlsDestination = await rest.admin.post<{ id: string }>('/api/v1/destinations', {
      name: 'lab LEA TLS',
      transport: 'tls',
      host: '127.0.0.1',
      port: tls.port,
      settings: { caFile },
    });
    const keys = await this.provisionWarrant(rest, LIID, 'keys', [
      ftpsDestination.id,
      tlsDestination.id,
    ]);
    this.say(
      `warrant ${LIID} on ${LAB_TARGET}: created by lab-operator, approved by lab-supervisor, ` +
        `keys mode, delivered to both LEAs`,
    );
    const decrypted = await this.provisionWarrant(rest, DECRYPTED_LIID, 'decrypted', [
      tlsDestination.id,
    ]);
    this.say(
      `warrant ${DECRYPTED_LIID} on ${LAB_TARGET}: decrypted mode (clear media on HI3), TLS LEA`,
    );
    return { keys, decrypted };
  }

  private async provisionWarrant(
    rest: Record<string, MfRestSession>,
    liid: string,
    deliveryMode: 'keys' | 'decrypted',
    destinations: string[],
  ): Promise<string> {
    const now = Date.now();
    const draft = await rest.operator.post<{ id: string }>('/api/v1/warrants', {
      liid,
      authorityRef: `lab court order ${liid}`,
      targets: [{ kind: 'sip', value: LAB_TARGET }],
      validFrom: new Date(now - 60_000).toISOString(),
      validUntil: new Date(now + 3_600_000).toISOString(),
      deliveryMode,
      destinations,
    });
    await rest.operator.post(`/api/v1/warrants/${draft.id}/activate`);
    const active = await rest.supervisor.post<{
      state: string;
      targets: Array<{ xid?: string | null }>;
    }>(`/api/v1/warrants/${draft.id}/approve`);
    const xid = active.targets[0]?.xid;
    if (active.state !== 'active' || !xid) throw new Error(`warrant ${liid} did not become active`);
    return xid;
  }

  private records(callId: string): Record<LeaName, IriView[]> {
    return {
      ftps: callRecords(iriViews(ofLiid(this.leas!.ftps.read(), LIID)), callId),
      tls: callRecords(iriViews(ofLiid(this.leas!.tls.read(), LIID)), callId),
    };
  }

  /** Reports SIP steps on X2 to each warrant's XID (one task per warrant, TS 103 221-1). */
  private async send(
    steps: SipFlowStep[],
    call: SimulatedCall,
    xids: LabXids,
    correlationId: bigint,
  ) {
    const targetIs = call.initiator === LAB_TARGET ? 'initiator' : 'responder';
    for (const s of steps) {
      for (const xid of [xids.keys, xids.decrypted]) {
        await this.cscf!.send({
          xid,
          sip: s.message,
          fromTarget: s.sender === targetIs,
          correlationId,
        });
      }
    }
  }

  /** The UEs' SRTP media, both directions interleaved, on X3 for the `decrypted` warrant. */
  private async sendMedia(call: SimulatedCall, xid: string, correlationId: bigint) {
    const m = callMedia(call, MEDIA_MS);
    const targetIsInitiator = call.initiator === LAB_TARGET;
    const sent: SentMedia = targetIsInitiator
      ? { fromTarget: m.initiator, toTarget: m.responder }
      : { fromTarget: m.responder, toTarget: m.initiator };
    for (let i = 0; i < sent.fromTarget.srtp.length; i++) {
      await this.cscf!.sendMedia({
        xid,
        rtp: sent.fromTarget.srtp[i],
        fromTarget: true,
        correlationId,
      });
      await this.cscf!.sendMedia({
        xid,
        rtp: sent.toTarget.srtp[i],
        fromTarget: false,
        correlationId,
      });
    }
    return sent;
  }

  /** The IRIs and HI3 packets the TLS LEA received for the call under the `decrypted` warrant. */
  private decrypted(callId: string) {
    const tls = ofLiid(this.leas!.tls.read(), DECRYPTED_LIID);
    const iris = callRecords(iriViews(tls), callId);
    const cin = iris[0]?.cin;
    return { iris, cc: cin === undefined ? [] : tls.cc.filter((p) => String(p.cin) === cin) };
  }

  /**
   * One call: setup over X2; the media phase lasts until both LEAs hold the key outcome
   * (keys or a failure indication); teardown; then until both LEAs hold the END.
   */
  private async runCall(
    plan: LabCallPlan,
    xids: LabXids,
    n: number,
    of: number,
  ): Promise<LabCallResult> {
    const tag = `[${n}/${of}]`;
    const call = await plan.make(this.world!);
    const flow = sipFlow(call);
    const correlationId = CscfSimulator.newCorrelationId();
    const t0 = Date.now();
    await this.send(flow.setup, call, xids, correlationId);
    const sent = plan.media ? await this.sendMedia(call, xids.decrypted, correlationId) : undefined;
    const both = (ok: (rs: IriView[]) => boolean) => () =>
      LEA_NAMES.every((l) => ok(this.records(call.callId)[l]));
    const keyed = await until(
      both((rs) => rs.some((r) => r.keys.length > 0 || r.failureIndication)),
      this.waitMs,
    );
    const secs = () => ((Date.now() - t0) / 1000).toFixed(1);
    this.say(
      `${tag} ${plan.name}: ${call.initiator} → ${call.responder}, setup sent; ` +
        (keyed ? `key outcome at both LEAs after ${secs()} s` : `no key outcome at the LEAs`),
    );
    let media: MediaVerdict | undefined;
    if (sent) {
      const want = sent.fromTarget.clear.length + sent.toTarget.clear.length;
      await until(() => this.decrypted(call.callId).cc.length >= want, this.waitMs);
      const file = `call-${n}-${plan.name.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}`;
      const { iris, cc } = this.decrypted(call.callId);
      media = judgeMedia(plan.name, sent, cc, iris, this.wavDir, file);
      this.say(
        `${tag} ${plan.name}: ${media.received}/${media.sent} media packets at the TLS LEA ` +
          `(${DECRYPTED_LIID}), ${media.clearMatches ? 'clear = sent' : 'NOT the clear media sent'}`,
      );
    }
    await this.send(flow.teardown, call, xids, correlationId);
    const ended = await until(
      both((rs) => rs.some((r) => r.type === 'END')),
      this.waitMs,
    );
    this.say(`${tag} ${plan.name}: ${ended ? `ended after ${secs()} s` : 'END not received'}`);
    return {
      plan,
      call,
      records: this.records(call.callId),
      verdicts: [],
      ...(media ? { media } : {}),
    };
  }

  private async stop(): Promise<void> {
    await this.cscf?.close().catch(() => undefined);
    await this.mf?.close().catch(() => undefined);
    await this.leas?.ftps.stop().catch(() => undefined);
    await this.leas?.tls.stop().catch(() => undefined);
    await this.world?.close().catch(() => undefined);
  }
}
