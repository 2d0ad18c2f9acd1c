import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decodeEpsIriContent, recordParts } from '@app/hi2';
import { writeDevPki } from '@app/pki';
import { encodeX2Pdu, X2PayloadDirection, X2PayloadFormat, X2PduType } from '@app/x2';
import { AuditEntryEntity } from '../../apps/mf/src/audit/audit-entry.entity';
import { startMf } from '../../apps/mf/src/bootstrap';
import { loadMfConfig } from '../../apps/mf/src/config/mf-config';
import type { ReceivedCcPacket } from '../../apps/lab/src/lea/received-log';
import { TlsLeaServer } from '../../apps/lab/src/lea/tls-lea-server';
import { DeliveryService } from '../../apps/mf/src/handover/delivery/delivery.service';
import { LeaDestinationEntity } from '../../apps/mf/src/handover/lea-destination.entity';
import { IngestService, X2_LISTENER } from '../../apps/mf/src/interception/interception.module';
import { TaskRegistry } from '../../apps/mf/src/warrants/task-registry';
import { DeliveryMode, WarrantEntity } from '../../apps/mf/src/warrants/warrant.entity';
import { X2Listener } from '../../apps/mf/src/x2/x2-listener';
import { FAST_DELIVERY } from './delivery-harness';
import { connectX2 } from './x2-client';
import { insertDestination } from './hi2';

export const ALICE = 'sip:alice@ims.example';

/** A SIP message (RFC 3261 §7) from header lines and an optional SDP body, CRLF, exact Content-Length. */
export function sipMessage(lines: string[], body = ''): Buffer {
  const withBody = body ? [...lines, 'Content-Type: application/sdp'] : lines;
  return Buffer.from(
    [...withBody, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'),
  );
}

/** Where a party's media goes (SDP c= address and m= port). */
export interface MediaAddress {
  ip: string;
  port: number;
}

const DEFAULT_MEDIA: MediaAddress = { ip: '192.0.2.1', port: 49170 };

/** An SDP offer/answer with one audio line keyed by SDES (RFC 4568) with `key` (master key ‖ salt). */
export function sdesSdp(key: Buffer, media: MediaAddress = DEFAULT_MEDIA): string {
  return [
    'v=0',
    `o=- 1 1 IN IP4 ${media.ip}`,
    's=-',
    `c=IN IP4 ${media.ip}`,
    't=0 0',
    `m=audio ${media.port} RTP/SAVP 0`,
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key.toString('base64')}`,
    '',
  ].join('\r\n');
}

/**
 * A whole SDES call from Alice (the target) to Bob, as a P-CSCF reports it: INVITE, 180,
 * 200 OK, ACK, BYE, 200 OK (BEGIN, four CONTINUE, END on HI2).
 */
export function sdesCallMessages(
  callId: string,
  keys: { alice: Buffer; bob: Buffer },
  media: { alice: MediaAddress; bob: MediaAddress } = { alice: DEFAULT_MEDIA, bob: DEFAULT_MEDIA },
): Buffer[] {
  const base = (cseq: string, toTag = '') => [
    'Via: SIP/2.0/TCP pcscf.ims.example;branch=z9hG4bK' + cseq.replace(/\W/g, ''),
    'Max-Forwards: 70',
    `From: <${ALICE}>;tag=a1`,
    `To: <sip:bob@ims.example>${toTag}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq}`,
  ];
  const resp = (code: string, cseq: string) => [`SIP/2.0 ${code}`, ...base(cseq, ';tag=b1')];
  return [
    sipMessage(
      ['INVITE sip:bob@ims.example SIP/2.0', ...base('1 INVITE'), 'Contact: <sip:alice@192.0.2.1>'],
      sdesSdp(keys.alice, media.alice),
    ),
    sipMessage(resp('180 Ringing', '1 INVITE')),
    sipMessage(
      [...resp('200 OK', '1 INVITE'), 'Contact: <sip:bob@192.0.2.2>'],
      sdesSdp(keys.bob, media.bob),
    ),
    sipMessage(['ACK sip:bob@192.0.2.2 SIP/2.0', ...base('1 ACK', ';tag=b1')]),
    sipMessage(['BYE sip:bob@192.0.2.2 SIP/2.0', ...base('2 BYE', ';tag=b1')]),
    sipMessage(resp('200 OK', '2 BYE')),
  ];
}

/** An X2 PDU (TS 103 221-2 §5) carrying one SIP message of a target. */
export function x2SipPdu(xid: string, payload: Buffer, correlationId: number): Buffer {
  return encodeX2Pdu({
    pduType: X2PduType.X2,
    payloadFormat: X2PayloadFormat.SipMessage,
    payloadDirection: X2PayloadDirection.FromTarget,
    xid,
    correlationId: BigInt(correlationId),
    payload,
  });
}

/** One decoded IRI record, with the CIN it was sent under. */
export type OutboxRecord = { cin: number | null } & ReturnType<typeof recordParts>;

export interface WarrantInput {
  liid: string;
  xid: string;
  mode?: DeliveryMode;
  target?: string;
  validFrom?: Date;
  validUntil?: Date;
}

/**
 * Inserts an active, approved warrant with one SIP target (`w.target`, default Alice) reported
 * under `w.xid`, delivered to `destinations`. A running MF sees it after its task table reloads.
 */
export async function insertWarrant(
  ds: DataSource,
  w: WarrantInput,
  destinations: LeaDestinationEntity[],
): Promise<void> {
  const now = Date.now();
  const target = w.target ?? ALICE;
  const at = new Date().toISOString();
  await ds.getRepository(WarrantEntity).save({
    id: randomUUID(),
    liid: w.liid,
    authorityRef: 'court-1',
    state: 'active',
    validFrom: (w.validFrom ?? new Date(now - 60_000)).toISOString(),
    validUntil: (w.validUntil ?? new Date(now + 3_600_000)).toISOString(),
    deliveryMode: w.mode ?? 'keys',
    nationalParameters: null,
    createdBy: 'op',
    activationRequestedBy: 'op',
    approvedBy: 'sup',
    createdAt: at,
    updatedAt: at,
    version: 1,
    targets: [{ id: randomUUID(), kind: 'sip', value: target, normalized: target, xid: w.xid }],
    destinations,
  } as unknown as WarrantEntity);
}

export interface IngestMfOptions {
  /** MF configuration over the test defaults. */
  env?: Record<string, string>;
  /** An existing dev PKI directory; default a fresh one. */
  pki?: string;
  /** Also run the delivery role towards a lab LEA (HI2 over TLS, apps/lab). */
  lea?: boolean;
}

/**
 * An MF with the ingest role (X2 in, Xk out, HI2 outbox) on a temporary SQLite file and dev
 * PKI, for the pipeline end-to-end specs: warrants are inserted directly, X2 PDUs sent over
 * mutual TLS as the `ne` leaf, and the outbox read with SQL. With `lea`, the delivery role
 * sends the outbox to a lab LEA receiver and `delivered` reads what it got.
 */
export class IngestMf {
  readonly dir = mkdtempSync(join(tmpdir(), 'ingest-'));
  readonly pkiDir: string;
  app!: INestApplication;
  lea?: TlsLeaServer;
  private readonly env: Record<string, string>;
  private destination?: LeaDestinationEntity;

  private constructor(o: IngestMfOptions) {
    this.pkiDir = o.pki ?? join(this.dir, 'pki');
    this.env = {
      ...(o.lea ? { ...FAST_DELIVERY, MF_ROLES: 'ingest,delivery' } : {}),
      ...o.env,
    };
  }

  static async start(o: IngestMfOptions = {}): Promise<IngestMf> {
    const mf = new IngestMf(o);
    if (!o.pki) await writeDevPki(mf.pkiDir);
    if (o.lea) {
      mf.lea = new TlsLeaServer({ pkiDir: mf.pkiDir });
      await mf.lea.start();
    }
    await mf.restart();
    return mf;
  }

  get ds(): DataSource {
    return this.app.get(DataSource);
  }

  get ingest(): IngestService {
    return this.app.get(IngestService);
  }

  get x2Port(): number {
    return this.app.get<X2Listener>(X2_LISTENER).port;
  }

  /** Starts the MF (again, after `stop`) on the same database. */
  async restart(): Promise<void> {
    this.app = await startMf(
      loadMfConfig({
        DATABASE_URL: join(this.dir, 'mf.sqlite'),
        HTTP_PORT: '0',
        X2_PORT: '0',
        MF_ROLES: 'ingest',
        LOG_LEVEL: 'silent',
        PKI_DIR: this.pkiDir,
        PIPELINE_BATCH_MAX_DELAY_MS: '1',
        ...this.env,
      }),
    );
  }

  async stop(): Promise<void> {
    await this.app.close();
  }

  async close(): Promise<void> {
    await this.app?.close();
    await this.lea?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Inserts an active, approved warrant with one target and reloads the task table. */
  async addWarrant(w: WarrantInput): Promise<void> {
    if (!this.destination) {
      this.destination = await insertDestination(this.ds, {
        transport: 'tls',
        port: this.lea?.port ?? 1,
        settings: { caFile: join(this.pkiDir, 'ca.crt') },
        name: 'lea1',
      });
      if (this.lea) await this.app.get(DeliveryService).refresh();
    }
    await insertWarrant(this.ds, w, [this.destination]);
    await this.app.get(TaskRegistry).reload();
  }

  /** Opens an X2 connection as the NE (mutual TLS with the `ne` certificate). */
  connectX2(): Promise<tls.TLSSocket> {
    return connectX2(this.pkiDir, this.x2Port);
  }

  /**
   * Sends PDUs on a fresh connection, closes it, and waits until the pipeline committed them
   * (X2) and the content path handled them (X3: committed or held).
   */
  async send(pdus: Buffer[]): Promise<void> {
    const s = await this.connectX2();
    await new Promise<void>((r) => s.end(Buffer.concat(pdus), r));
    await new Promise<void>((r) => s.once('close', () => r()));
    await this.ingest.pipeline.drain();
    await this.ingest.content.drain();
  }

  /** The IRI records of a LIID in the outbox, decoded, in outbox order. */
  async records(liid: string): Promise<OutboxRecord[]> {
    const raw: Array<{ cin: number | null; payload: Buffer }> = await this.ds.query(
      "SELECT cin, payload FROM hi2_outbox WHERE liid = ? AND iri_type <> 'CC' ORDER BY seq",
      [liid],
    );
    return raw.map((r) => ({
      cin: r.cin,
      ...recordParts(decodeEpsIriContent(r.payload)),
    }));
  }

  /** The records of a LIID the lab LEA received (with `lea`), decoded, in arrival order. */
  delivered(liid: string): OutboxRecord[] {
    return this.lea!.read()
      .records.filter((r) => r.liid === liid)
      .map((r) => ({
        cin: r.cin ?? null,
        ...recordParts(decodeEpsIriContent(Buffer.from(r.ber, 'base64'))),
      }));
  }

  /** The HI3 media packets of a LIID the lab LEA received (with `lea`), in arrival order. */
  deliveredCc(liid: string): ReceivedCcPacket[] {
    return this.lea!.read().cc.filter((p) => p.liid === liid);
  }

  /** Outbox rows of HI3 media (CC) of a LIID, delivered or not. */
  async ccCount(liid: string): Promise<number> {
    const [row] = await this.ds.query(
      "SELECT COUNT(*) AS n FROM hi2_outbox WHERE liid = ? AND iri_type = 'CC'",
      [liid],
    );
    return Number(row.n);
  }

  async outboxCount(): Promise<number> {
    return Number((await this.ds.query('SELECT COUNT(*) AS n FROM hi2_outbox'))[0].n);
  }

  /** Audit entries with this action (and, optionally, object), oldest first. */
  audits(action: string, object?: string): Promise<AuditEntryEntity[]> {
    return this.ds.getRepository(AuditEntryEntity).find({
      where: { action, ...(object ? { object } : {}) },
      order: { seq: 'ASC' },
    } as never);
  }

  /**
   * A Prometheus metric from the MF's /metrics endpoint: the sum of its samples that carry
   * all of `labels` (0 when there is none).
   */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const port = (this.app.getHttpServer().address() as AddressInfo).port;
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    let sum = 0;
    for (const line of text.split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const have = (m[2] ?? '').split(',');
      if (want.every((w) => have.includes(w))) sum += Number(m[3]);
    }
    return sum;
  }
}
