/**
 * The MF under test (child process, so that its CPU time and RSS are its own): the real MF
 * (bootstrap startMf) with the roles (MF_ROLES), database and PKI the parent chose
 * (environment). A process with the ingest role seeds one LEA TLS destination and one active
 * warrant per target (delivery mode `keys`); a delivery-only process starts after it. Answers `usage` with its CPU seconds, RSS and open call sessions.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { insertDestination } from '../../test/support/hi2';
import { startMf } from '../../apps/mf/src/bootstrap';
import { loadMfConfig } from '../../apps/mf/src/config/mf-config';
import { DeliveryService } from '../../apps/mf/src/handover/delivery/delivery.service';
import { interceptionMetrics } from '../../apps/mf/src/interception/interception-metrics';
import { X2_LISTENER } from '../../apps/mf/src/interception/interception.module';
import { TaskRegistry } from '../../apps/mf/src/warrants/task-registry';
import { WarrantEntity } from '../../apps/mf/src/warrants/warrant.entity';
import type { X2Listener } from '../../apps/mf/src/x2/x2-listener';
import { ownUsage, serveParent } from './ipc';

/** A warrant target of the benchmark (BENCH_TARGETS, JSON). */
export interface BenchTarget {
  liid: string;
  uri: string;
  xid: string;
}

let app: INestApplication | undefined;
/** The CPU profiler (`--cpu-prof`): runs only over the phase the parent measures. */
let profiler: Session | undefined;

async function start(): Promise<Record<string, unknown>> {
  const config = loadMfConfig(process.env);
  app = await startMf(config);
  // A delivery-only process (`--split`): the ingest process has seeded the database.
  if (!config.MF_ROLES.includes('ingest')) {
    await app.get(DeliveryService).refresh();
    return {};
  }
  const ds = app.get(DataSource);
  const destination = await insertDestination(ds, {
    transport: 'tls',
    port: Number(process.env.BENCH_LEA_PORT),
    settings: { caFile: join(config.PKI_DIR, 'ca.crt') },
    name: 'bench-lea',
  });
  const now = Date.now();
  const at = new Date().toISOString();
  const targets = JSON.parse(process.env.BENCH_TARGETS ?? '[]') as BenchTarget[];
  await ds.getRepository(WarrantEntity).save(
    targets.map(
      (t) =>
        ({
          id: randomUUID(),
          liid: t.liid,
          authorityRef: `bench ${t.liid}`,
          state: 'active',
          validFrom: new Date(now - 60_000).toISOString(),
          validUntil: new Date(now + 24 * 3600_000).toISOString(),
          deliveryMode: 'keys',
          nationalParameters: null,
          createdBy: 'bench-op',
          activationRequestedBy: 'bench-op',
          approvedBy: 'bench-sup',
          createdAt: at,
          updatedAt: at,
          version: 1,
          targets: [{ id: randomUUID(), kind: 'sip', value: t.uri, normalized: t.uri, xid: t.xid }],
          destinations: [destination],
        }) as unknown as WarrantEntity,
    ),
    { chunk: 100 },
  );
  await app.get(TaskRegistry).reload();
  if (config.MF_ROLES.includes('delivery')) await app.get(DeliveryService).refresh();
  return { x2Port: app.get<X2Listener>(X2_LISTENER).port };
}

serveParent(
  start,
  {
    'profile-start': async () => {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
      return {};
    },
    'profile-stop': async (m) => {
      if (!profiler) throw new Error('no profile running');
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(String(m.file), JSON.stringify(profile));
      profiler.disconnect();
      profiler = undefined;
      return { file: m.file };
    },
    usage: async () => {
      const sessions = (await interceptionMetrics.openSessions.get()).values[0]?.value ?? 0;
      return { ...(await ownUsage({ openSessions: sessions })) };
    },
  },
  async () => {
    await app?.close();
  },
);
