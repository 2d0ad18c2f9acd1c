import { epsIriSequenceFromEncoded } from '@app/hi2';
import { DestinationWorker, describeError } from '../delivery/destination-worker';
import { deliveryMetrics as m } from '../delivery/delivery-metrics';
import { OutboxRow } from '../outbox/outbox.entity';
import { openDestinationPassword } from '../destination-secret';
import { cutFiles, hi2FileName } from './ftps-files';
import { FtpsRejection, FtpsUploader } from './ftps-uploader';

/**
 * Drains one FTPS destination: plans files (ftps-files.ts) and uploads them in order
 * (FtpsUploader). A file's rows become `delivered` only after its rename succeeded. A planned
 * file is retried under the same name with the same records after any failure or restart,
 * so a record never ends up in two different files and a file is never half visible.
 *
 * Refusals (5xx on STOR/RNFR/RNTO) count against the file's records; a refused file of several
 * records is re-planned one record per file to find the one the LEA refuses, which goes to the
 * dead-letter state after HI2_MAX_ATTEMPTS (with the guard of `DestinationWorker.refuse`).
 * 4xx replies and broken connections are transient: the same file is retried after a backoff.
 */
export class FtpsWorker extends DestinationWorker {
  private uploader?: FtpsUploader;
  private isolateUpTo = 0;

  protected async step(): Promise<number> {
    const s = this.ctx.settings;
    const store = this.ctx.store;
    let planned = await store.planned(this.id);
    if (!planned.length) {
      const waiting = await store.pending(this.id, { limit: s.batchSize, unplanned: true });
      if (!waiting.length) return s.pollIntervalMs;
      const now = new Date();
      const { plans, waitMs } = cutFiles(
        waiting,
        now,
        s.fileMaxRecords,
        s.fileMaxWaitMs,
        this.isolateUpTo,
      );
      if (!plans.length) return waitMs;
      await store.planFiles(this.id, plans, (liid, n) => hi2FileName(s.operatorId, liid, now, n));
      planned = await store.planned(this.id);
    }
    for (const [name, rows] of groupByFile(planned)) {
      if (!this.active) return 0;
      const waitMs = await this.deliverFile(name, rows);
      if (waitMs > 0) return waitMs;
    }
    return 0;
  }

  /** Uploads one planned file; returns a wait (> 0) when the destination refused it. */
  private async deliverFile(name: string, rows: OutboxRow[]): Promise<number> {
    const d = this.destination;
    const body = epsIriSequenceFromEncoded(rows.map((r) => Buffer.from(r.payload)));
    const uploader = await this.session();
    try {
      await uploader.deliver(name, body);
    } catch (e) {
      if (!(e instanceof FtpsRejection)) {
        m.failures.inc({ destination: d.id, transport: 'ftps', kind: 'transfer' });
        throw e;
      }
      return this.refused(name, rows, e);
    }
    await this.ctx.store.markDelivered(d.id, { fileName: name });
    m.delivered.inc({ destination: d.id, transport: 'ftps' }, rows.length);
    m.files.inc({ destination: d.id });
    this.accepted();
    if (rows[rows.length - 1].seq >= this.isolateUpTo) this.isolateUpTo = 0;
    return 0;
  }

  private async refused(name: string, rows: OutboxRow[], e: FtpsRejection): Promise<number> {
    this.ctx.log.warn(`HI2 FTPS ${this.destination.name}: ${name} refused: ${e.message}`);
    const { paused } = await this.refuse(rows, e.message);
    if (paused) return this.ctx.settings.retryMaxMs;
    if (rows.length > 1) {
      await this.ctx.store.unplan(this.id, name);
      this.isolateUpTo = Math.max(this.isolateUpTo, ...rows.map((r) => r.seq));
    }
    return this.backoff.next();
  }

  private async session(): Promise<FtpsUploader> {
    if (this.uploader?.connected) return this.uploader;
    const d = this.destination;
    const s = this.ctx.settings;
    const uploader = new FtpsUploader({
      host: d.host,
      port: d.port,
      user: d.settings.user ?? 'anonymous',
      password: openDestinationPassword(this.ctx.secrets, d) ?? '',
      caFile: d.settings.caFile,
      certFile: d.settings.certFile,
      keyFile: d.settings.keyFile,
      directory: d.settings.directory,
      timeoutMs: s.connectTimeoutMs,
    });
    this.uploader = uploader;
    try {
      await uploader.connect();
    } catch (e) {
      m.failures.inc({ destination: d.id, transport: 'ftps', kind: 'connect' });
      uploader.close();
      throw new Error(`connect to ${d.host}:${d.port}: ${describeError(e)}`);
    }
    return uploader;
  }

  protected abortTransport(): void {
    this.uploader?.close();
    this.uploader = undefined;
  }

  protected closeTransport(): Promise<void> {
    this.abortTransport();
    return Promise.resolve();
  }
}

/** Planned rows grouped by file, files in the order of their first record. */
function groupByFile(rows: OutboxRow[]): Map<string, OutboxRow[]> {
  const files = new Map<string, OutboxRow[]>();
  for (const r of rows) {
    const list = files.get(r.fileName!) ?? [];
    list.push(r);
    files.set(r.fileName!, list);
  }
  return files;
}
