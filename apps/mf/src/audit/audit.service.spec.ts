import { DataSource } from 'typeorm';
import { ENGINES, migratedDataSource, notePgSkipped } from '../../../../test/support/databases';
import { UnitOfWork } from '../persistence/unit-of-work';
import { ChainedAuditEntry, GENESIS_HASH, verifyChain } from './audit-chain';
import { AuditEntryEntity } from './audit-entry.entity';
import { AuditService } from './audit.service';

async function readChain(ds: DataSource): Promise<ChainedAuditEntry[]> {
  return ds.getRepository(AuditEntryEntity).find({ order: { seq: 'ASC' } });
}

/** The chain tests, on a migrated database from `makeDs`. */
function suite(makeDs: () => Promise<{ ds: DataSource; cleanup: () => Promise<void> }>) {
  {
    let ds: DataSource;
    let cleanup: () => Promise<void>;
    let audit: AuditService;
    beforeAll(async () => {
      ({ ds, cleanup } = await makeDs());
      audit = new AuditService(new UnitOfWork(ds));
    });
    afterAll(() => cleanup());

    it('chains entries from the genesis hash and verifies', async () => {
      await audit.append({
        actor: 'user:alice',
        action: 'warrant.create',
        object: 'warrant/1',
        liid: 'LIID1',
        outcome: 'success',
      });
      await audit.append({
        actor: 'x2',
        action: 'x2.unknown-xid',
        outcome: 'dropped',
        details: { xid: 'abc' },
      });
      const chain = await readChain(ds);
      expect(chain.map((e) => e.seq)).toEqual([1, 2]);
      expect(chain[0].prevHash).toBe(GENESIS_HASH);
      expect(chain[1].prevHash).toBe(chain[0].hash);
      expect(verifyChain(chain)).toBeNull();
    });

    it('keeps one unbroken chain under 50 concurrent appends', async () => {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          audit.append({ actor: `t${i}`, action: 'test.concurrent', outcome: 'success' }),
        ),
      );
      const chain = await readChain(ds);
      expect(chain).toHaveLength(52);
      expect(verifyChain(chain)).toBeNull();
    });

    it('appends a batch as consecutive entries in order, beside single appends', async () => {
      const batch = Array.from({ length: 620 }, (_, i) => ({
        actor: 'pipeline',
        action: 'test.batch',
        object: `n/${i}`,
        outcome: 'success' as const,
      }));
      await Promise.all([
        audit.appendMany(batch),
        audit.append({ actor: 'b', action: 'test.single', outcome: 'success' }),
      ]);
      const chain = await readChain(ds);
      expect(chain).toHaveLength(52 + 621);
      const batchEntries = chain.filter((e) => e.action === 'test.batch');
      expect(batchEntries.map((e) => e.object)).toEqual(batch.map((b) => b.object));
      expect(batchEntries.at(-1)!.seq - batchEntries[0].seq).toBe(619);
      expect(verifyChain(chain)).toBeNull();
    });

    it('commits with the caller, and rolls back with the caller', async () => {
      const uow = new UnitOfWork(ds);
      await expect(
        uow.run(async (em) => {
          await audit.append({ actor: 'a', action: 'test.rollback', outcome: 'failure' }, em);
          throw new Error('caller failed');
        }),
      ).rejects.toThrow('caller failed');
      const chain = await readChain(ds);
      expect(chain.some((e) => e.action === 'test.rollback')).toBe(false);
      expect(verifyChain(chain)).toBeNull();
    });

    it('names the first altered entry', async () => {
      await ds.query(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 7`);
      expect(verifyChain(await readChain(ds))).toEqual({ seq: 7, reason: 'hash-mismatch' });
      await ds.query(`DELETE FROM audit_log WHERE seq = 9`);
      const chain = (await readChain(ds)).filter((e) => e.seq > 7);
      expect(verifyChain(chain, chain[0].prevHash, 7)).toEqual({ seq: 10, reason: 'sequence-gap' });
    });
  }
}

describe.each(ENGINES)('AuditService on $name', ({ make }) => {
  suite(async () => {
    const db = await make();
    const ds = await migratedDataSource(db, [AuditEntryEntity]);
    return {
      ds,
      cleanup: async () => {
        await ds.destroy();
        await db.drop();
      },
    };
  });
});
notePgSkipped();
