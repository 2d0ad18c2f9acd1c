import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEpsIrisContent, epsIriSequenceFromEncoded } from '@app/hi2';
import { AuditEntryEntity } from '../apps/mf/src/audit/audit-entry.entity';
import { OutboxStore } from '../apps/mf/src/handover/outbox/outbox-store';
import { ENGINES, notePgSkipped } from './support/databases';
import { DeliveryHarness } from './support/delivery-harness';
import { testRecord } from './support/hi2';
import { MfProcess, spawnMf } from './support/mf-process';
import { b64, expectContinuousStreams, perLiid } from './support/received';

/** Time for a spawned MF (ts-node) to start on a busy machine, plus its work. */
const PROCESS_MS = 120_000;

describe.each(ENGINES)('HI2 delivery faults on $name', ({ make }) => {
  describe('the delivery worker killed (SIGKILL) mid-transfer', () => {
    let h: DeliveryHarness;
    let mf: MfProcess | undefined;
    const spawned: MfProcess[] = [];

    beforeAll(async () => {
      // The in-process MF only enqueues; delivery runs in spawned MF processes that the tests kill.
      h = await new DeliveryHarness(await make(), { MF_ROLES: 'api' }).start({
        ftps: {},
        tls: {},
      });
    }, 30_000);
    afterAll(async () => {
      await Promise.all(spawned.map((p) => p.kill()));
      await h.stop();
    }, 30_000);

    const start = async (extra: Record<string, string> = {}): Promise<MfProcess> => {
      mf = await spawnMf(h.processEnv(extra));
      spawned.push(mf);
      return mf;
    };

    it(
      'FTPS: a file cut off mid-upload never appears under its name; a new process delivers every record once',
      async () => {
        const id = h.ftpsDestination!.id;
        const sent: string[] = [];
        const items = [];
        for (let i = 0; i < 40; i++) {
          // ~2 kB each: the file spans many TLS records, so the upload is held part way
          const ber = testRecord('LIID-KILL-F', i, 'CONTINUE', 2000);
          sent.push(b64(ber));
          items.push({ record: ber, destinations: [id], cin: 9 });
        }
        await h.enqueue(items);
        let held = false;
        void h.ftps!.stallNextUpload().then(() => (held = true));
        await start();
        await h.until('the LEA holding the upload', () => held, PROCESS_MS);

        const planned = (await h.rows(id)).filter((r) => r.fileName);
        expect(planned).toHaveLength(40);
        const name = planned[0].fileName!;
        expect(planned.every((r) => r.fileName === name)).toBe(true);
        const full = epsIriSequenceFromEncoded(planned.map((r) => Buffer.from(r.payload))).length;
        const part = join(h.dir, 'ftps-root', `${name}.part`);
        await h.until('the first octets stored', () => existsSync(part) && statSync(part).size > 0);

        await mf!.kill();
        mf = undefined;
        // killed mid-transfer: part of the file under the temporary name, nothing under its name
        const stored = statSync(part).size;
        expect(stored).toBeGreaterThan(0);
        expect(stored).toBeLessThan(full);
        expect(h.ftps!.visibleFiles()).not.toContain(name);
        expect(h.ftps!.read().records).toEqual([]);
        expect((await h.rows(id)).every((r) => r.state === 'pending')).toBe(true);

        await start();
        await h.until(
          'every row delivered',
          async () => (await h.rows(id)).every((r) => r.state === 'delivered'),
          PROCESS_MS,
        );
        await mf!.stop();
        mf = undefined;

        const got = h.ftps!.read();
        expect(perLiid(got).get('LIID-KILL-F')).toEqual(sent);
        expect(got.duplicates).toEqual([]);
        expect(got.duplicateFiles).toEqual([]);
        expect(got.gaps).toEqual([]);
        expect(got.rejected).toEqual([]);
        // the same file (name, number, records) as planned before the kill
        expect(got.files).toEqual([{ name, liid: 'LIID-KILL-F', fileSeq: 1, records: 40 }]);
        // nothing partial left: only the complete, renamed file, and it decodes to every record
        expect(h.ftps!.visibleFiles()).toEqual([name]);
        const records = decodeEpsIrisContent(readFileSync(join(h.dir, 'ftps-root', name)));
        expect(records).toHaveLength(40);
      },
      3 * PROCESS_MS,
    );

    it(
      'TLS: records sent but not confirmed when killed are resent with their sequence numbers, after the confirmed ones and before newer ones',
      async () => {
        const id = h.tlsDestination!.id;
        const sent = new Map<string, string[]>();
        const enqueue = async (from: number, count: number): Promise<void> => {
          const items = [];
          for (let i = from; i < from + count; i++) {
            const liid = i % 2 ? 'LIID-KILL-T' : 'LIID-KILL-U';
            const ber = testRecord(liid, i);
            sent.set(liid, [...(sent.get(liid) ?? []), b64(ber)]);
            items.push({ record: ber, destinations: [id], cin: i % 2 ? 5 : undefined });
          }
          await h.enqueue(items);
        };
        const lea = h.tls!;
        // no keep-alive timeout during the test: only the kill ends the first connection
        const env = { HI2_TLS_KEEPALIVE_TIMEOUT_MS: '600000' };

        await enqueue(0, 20);
        await start(env);
        await h.until(
          'the first records confirmed',
          async () => (await h.rows(id)).every((r) => r.state === 'delivered'),
          PROCESS_MS,
        );
        lea.setAnswerKeepAlives(false);
        await enqueue(20, 30);
        await h.until('the next records at the LEA', () => lea.read().records.length === 50);
        // sent, received, but not confirmed: still pending in the outbox when the MF dies
        const unconfirmed = (await h.rows(id)).filter((r) => r.state === 'pending');
        expect(unconfirmed.map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 21 + i));
        const firstCopies = lea.read().records.slice(20);
        await mf!.kill();
        mf = undefined;

        await enqueue(50, 10);
        lea.setAnswerKeepAlives(true);
        await start(env);
        await h.until(
          'every row delivered',
          async () => (await h.rows(id)).every((r) => r.state === 'delivered'),
          PROCESS_MS,
        );
        await mf!.stop();
        mf = undefined;

        const got = lea.read();
        // every record exactly once, in order per LIID, streams numbered without gap
        expect(perLiid(got)).toEqual(sent);
        expectContinuousStreams(got);
        expect(got.rejected).toEqual([]);
        // the 30 unconfirmed ones came again, each under the number it first had
        const key = (r: { liid: string; seq?: number; ber: string }): string =>
          `${r.liid}/${r.seq}/${r.ber}`;
        expect(got.duplicates.map(key).sort()).toEqual(firstCopies.map(key).sort());
        expect(got.connections).toBeGreaterThanOrEqual(2);
      },
      3 * PROCESS_MS,
    );
  });

  describe('records an LEA refuses', () => {
    let h: DeliveryHarness;

    beforeAll(async () => {
      h = await new DeliveryHarness(await make()).start({
        ftps: { rejectLiids: ['LIID-BAD'] },
        tls: { rejectLiids: ['LIID-BAD'] },
      });
    }, 30_000);
    afterAll(() => h.stop(), 30_000);

    it('go to the dead-letter state with an audit entry, are kept, and later records are still delivered', async () => {
      const destinations = [h.ftpsDestination!.id, h.tlsDestination!.id];
      const good: string[] = [];
      let n = 0;
      const enqueue = async (liids: string[]): Promise<void> => {
        const items = liids.map((liid) => {
          const ber = testRecord(liid, n++);
          if (liid !== 'LIID-BAD') good.push(b64(ber));
          return { record: ber, destinations, cin: liid === 'LIID-BAD' ? undefined : 3 };
        });
        await h.enqueue(items);
      };
      const settled = async (): Promise<boolean> => {
        for (const d of destinations)
          if ((await h.rows(d)).some((r) => r.state === 'pending')) return false;
        return true;
      };
      // one refused record between accepted ones, twice (the dead-letter guard allows one
      // dead record per stretch of accepted ones)
      await enqueue(['LIID-OK', 'LIID-BAD', 'LIID-OK', 'LIID-OK']);
      await h.until('first batch settled', settled, 30_000);
      await enqueue(['LIID-OK', 'LIID-BAD', 'LIID-OK']);
      await h.until('second batch settled', settled, 30_000);

      const audit = await h.dataSource
        .getRepository(AuditEntryEntity)
        .find({ where: { action: 'hi2.record.dead-letter' }, order: { seq: 'ASC' } });
      for (const d of destinations) {
        const rows = await h.rows(d);
        const dead = rows.filter((r) => r.state === 'dead');
        expect(dead.map((r) => [r.seq, r.liid, r.attempts])).toEqual([
          [2, 'LIID-BAD', 3],
          [6, 'LIID-BAD', 3],
        ]);
        expect(dead.every((r) => r.lastError && r.payload.length > 0)).toBe(true);
        expect(rows.filter((r) => r.state === 'delivered')).toHaveLength(5);
        const entries = audit.filter((a) => a.object === `lea_destination:${d}`);
        expect(
          entries.map((a) => [a.liid, a.outcome, (JSON.parse(a.details!) as { seq: number }).seq]),
        ).toEqual([
          ['LIID-BAD', 'failure', 2],
          ['LIID-BAD', 'failure', 6],
        ]);
      }
      for (const s of [h.ftps!.read(), h.tls!.read()]) {
        expect(perLiid(s).get('LIID-OK')).toEqual(good);
        expect(perLiid(s).has('LIID-BAD')).toBe(false);
        expect(s.rejected.filter((r) => r.liid === 'LIID-BAD').length).toBeGreaterThanOrEqual(6);
      }
      expectContinuousStreams(h.tls!.read());
      // a dead PS-PDU's number is not reused: the second refused record came as number 1
      const tlsRefused = new Set(h.tls!.read().rejected.map((r) => r.what));
      expect([...tlsRefused].sort()).toEqual(['seq 0', 'seq 1']);
    }, 60_000);

    it('TLS: a confirmation that cannot be stored ends the connection; the rows are resent under their numbers', async () => {
      const id = h.tlsDestination!.id;
      const before = h.tls!.read();
      const store = h.app.get(OutboxStore);
      const real = store.markDelivered.bind(store);
      let failures = 0;
      const spy = jest.spyOn(store, 'markDelivered').mockImplementation((...args) => {
        if (args[0] === id && failures === 0) {
          failures++;
          return Promise.reject(new Error('database unavailable'));
        }
        return real(...args);
      });
      try {
        const sent: string[] = [];
        for (let batch = 0; batch < 4; batch++) {
          const items = Array.from({ length: 5 }, (_, i) => {
            const ber = testRecord('LIID-CONF', batch * 5 + i);
            sent.push(b64(ber));
            return { record: ber, destinations: [id], cin: 11 };
          });
          await h.enqueue(items);
        }
        await h.until('every row delivered', async () =>
          (await h.rows(id)).every((r) => r.state !== 'pending'),
        );
        expect(failures).toBe(1);
        const got = h.tls!.read();
        expect(perLiid(got).get('LIID-CONF')).toEqual(sent);
        expectContinuousStreams(got);
        const resent = got.duplicates.slice(before.duplicates.length);
        expect(resent.length).toBeGreaterThan(0);
        for (const d of resent)
          expect(got.records.some((r) => r.seq === d.seq && r.ber === d.ber)).toBe(true);
        expect(got.connections).toBeGreaterThan(before.connections);
      } finally {
        spy.mockRestore();
      }
    }, 30_000);

    it('FTPS: a file renamed at the LEA but not recorded as delivered is not sent again', async () => {
      const id = h.ftpsDestination!.id;
      const before = h.ftps!.read();
      const uploads = h.ftps!.uploads;
      const store = h.app.get(OutboxStore);
      const real = store.markDelivered.bind(store);
      let failures = 0;
      const spy = jest.spyOn(store, 'markDelivered').mockImplementation((...args) => {
        if (args[0] === id && failures === 0) {
          failures++;
          return Promise.reject(new Error('database unavailable'));
        }
        return real(...args);
      });
      try {
        const sent = Array.from({ length: 5 }, (_, i) => testRecord('LIID-REN', i));
        await h.enqueue(sent.map((record) => ({ record, destinations: [id] })));
        await h.until('every row delivered', async () =>
          (await h.rows(id)).every((r) => r.state !== 'pending'),
        );
        expect(failures).toBe(1);
        const got = h.ftps!.read();
        expect(perLiid(got).get('LIID-REN')).toEqual(sent.map(b64));
        expect(got.files.slice(before.files.length)).toHaveLength(1);
        expect(got.duplicateFiles).toEqual([]);
        expect(got.duplicates).toEqual(before.duplicates);
        expect(h.ftps!.uploads - uploads).toBe(1);
      } finally {
        spy.mockRestore();
      }
    }, 30_000);
  });
});
notePgSkipped();
