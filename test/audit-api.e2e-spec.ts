import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { chainHash, ChainedAuditEntry, verifyChain } from '../apps/mf/src/audit/audit-chain';
import { AuditEntryEntity } from '../apps/mf/src/audit/audit-entry.entity';
import { ENGINES, notePgSkipped, TempDatabase } from './support/databases';
import { spawnMf } from './support/mf-process';
import { ftpsDestination, startTestMf, TestMf, warrantBody } from './support/mf-app';

/** Parses RFC 4180 CSV (quoted fields with doubled quotes, CRLF records). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

/** An entry as the query API returns it. */
interface EntryJson {
  seq: number;
  at: string;
  actor: string;
  action: string;
  outcome: string;
  details: unknown;
}

const JWT_SECRET = randomBytes(32).toString('hex');

describe.each(ENGINES)('audit API on $name', ({ name, make }) => {
  let db: TempDatabase;
  let mf: TestMf;
  let ds: DataSource;
  let destId: string;

  beforeAll(async () => {
    db = await make();
    mf = await startTestMf(db, { AUTH_JWT_SECRET: JWT_SECRET });
    ds = mf.app.get(DataSource);
    destId = (
      await mf.as('adam').post('/api/v1/destinations').send(ftpsDestination('LEA-A')).expect(201)
    ).body.id;
    // normal use: a warrant through its lifecycle, a refused call, a failed login
    const w = (
      await mf.as('alice').post('/api/v1/warrants').send(warrantBody('LIID-A1', destId)).expect(201)
    ).body;
    await mf.as('alice').post(`/api/v1/warrants/${w.id}/activate`).expect(200);
    await mf.as('sam').post(`/api/v1/warrants/${w.id}/approve`).expect(200);
    await mf.as('alice').get('/api/v1/audit').expect(403);
    await request(mf.server)
      .post('/api/v1/auth/login')
      .send({ name: 'alice', password: 'wrong password!' })
      .expect(401);
  }, 30_000);
  afterAll(async () => {
    await mf?.close();
    await db?.drop();
  });

  const chain = async (): Promise<ChainedAuditEntry[]> => {
    const rows: ChainedAuditEntry[] = await ds.query(
      `SELECT seq, at, actor, action, object, liid, outcome, details, prev_hash AS "prevHash", hash FROM audit_log ORDER BY seq`,
    );
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  };

  it('verifies the chain after normal use', async () => {
    const entries = await chain();
    const v = (await mf.as('audrey').get('/api/v1/audit/verify').expect(200)).body;
    expect(v).toEqual({
      ok: true,
      checked: entries.length,
      lastSeq: entries[entries.length - 1].seq,
      lastHash: entries[entries.length - 1].hash,
      firstBreak: null,
    });
    const actions = entries.map((e) => e.action);
    for (const a of [
      'user.create',
      'auth.login',
      'destination.create',
      'warrant.create',
      'warrant.approve',
      'api.forbidden',
    ]) {
      expect(actions).toContain(a);
    }
    const failedLogin = entries.find((e) => e.action === 'auth.login' && e.outcome === 'denied');
    expect(failedLogin).toMatchObject({ actor: 'anonymous', object: 'user/alice' });
    expect(entries.map((e) => e.details ?? '').join('')).not.toMatch(
      /wrong password|correct-horse|ftps-secret/,
    );
  });

  it('filters by LIID, actor, action (exact or prefix), outcome and time, newest first', async () => {
    const get = (q: string) =>
      mf
        .as('audrey')
        .get(`/api/v1/audit?${q}`)
        .expect(200)
        .then((r) => r.body as { items: EntryJson[] });
    const byLiid = await get('liid=LIID-A1&action=warrant.*');
    expect(byLiid.items.map((e: { action: string }) => e.action)).toEqual([
      'warrant.approve',
      'warrant.request-activation',
      'warrant.create',
    ]);
    expect(byLiid.items[0].details).toMatchObject({ from: 'pending_approval', to: 'active' });
    const bySam = await get('actor=user:sam&action=warrant.approve');
    expect(bySam.items).toHaveLength(1);
    const denied = await get('outcome=denied');
    expect(denied.items.every((e: { outcome: string }) => e.outcome === 'denied')).toBe(true);
    expect(denied.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['api.forbidden', 'auth.login']),
    );
    const literal = await get(`action=${encodeURIComponent('warrant_*')}`);
    expect(literal.items).toEqual([]); // "_" is not a wildcard
    const all = await chain();
    const mid = all[Math.floor(all.length / 2)];
    const before = await get(`to=${encodeURIComponent(mid.at)}&order=asc&limit=1000`);
    expect(before.items.every((e: { at: string }) => e.at < mid.at)).toBe(true);
    const since = await get(`from=${encodeURIComponent(mid.at)}&order=asc&limit=1000`);
    expect(since.items[0].at >= mid.at).toBe(true);
    expect(before.items.length + since.items.length).toBeGreaterThanOrEqual(all.length);
    await mf.as('audrey').get('/api/v1/audit?from=yesterday').expect(400);
    await mf.as('audrey').get('/api/v1/audit?limit=5000').expect(400);
    await mf.as('audrey').get('/api/v1/audit?outcome=maybe').expect(400);
  });

  it('pages with a cursor in both orders without gaps or repeats', async () => {
    const head = (await chain()).length;
    for (const order of ['asc', 'desc']) {
      const seen: number[] = [];
      let cursor: number | null = null;
      do {
        const q: string = `order=${order}&limit=7${cursor === null ? '' : `&cursor=${cursor}`}`;
        const page: { items: Array<{ seq: number }>; nextCursor: number | null } = (
          await mf.as('audrey').get(`/api/v1/audit?${q}`).expect(200)
        ).body;
        seen.push(...page.items.map((e) => e.seq));
        cursor = page.nextCursor;
      } while (cursor !== null);
      const sorted = [...seen].sort((a, b) => (order === 'asc' ? a - b : b - a));
      expect(seen).toEqual(sorted);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBeGreaterThanOrEqual(head); // queries themselves add entries
    }
  });

  it('exports CSV and JSON; the JSON export recomputes to the same chain offline', async () => {
    const csv = await mf
      .as('audrey')
      .get('/api/v1/audit/export?format=csv&liid=LIID-A1')
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename="audit-\d{8}T\d{6}Z\.csv"$/,
    );
    const rows = parseCsv(csv.text);
    expect(rows[0]).toEqual([
      'seq',
      'at',
      'actor',
      'action',
      'object',
      'liid',
      'outcome',
      'details',
      'prev_hash',
      'hash',
    ]);
    const liidRows = (await chain()).filter((e) => e.liid === 'LIID-A1');
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(liidRows.map((e) => e.seq));
    expect(rows.slice(1).map((r) => r[9])).toEqual(liidRows.map((e) => e.hash));
    expect(rows.slice(1).map((r) => r[7])).toEqual(liidRows.map((e) => e.details ?? ''));

    const json = await mf.as('audrey').get('/api/v1/audit/export?format=json').expect(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    const exported = JSON.parse(json.text) as ChainedAuditEntry[];
    expect(verifyChain(exported)).toBeNull();
    for (const e of exported) expect(chainHash(e.prevHash, e)).toBe(e.hash);
    expect(exported[exported.length - 1].action).toBe('audit.export'); // the export is audited first
    await mf.as('audrey').get('/api/v1/audit/export').expect(400);
    await mf.as('audrey').get('/api/v1/audit/export?format=xml').expect(400);
  });

  it('keeps one chain under concurrent API calls and verifies a log larger than one page', async () => {
    // a log beyond AUDIT_BATCH (1000) so that export and verify must page: 1200 entries
    // chained here and inserted in bulk (appending them one by one is the slow path)
    const last = (await chain()).pop()!;
    const bulk: ChainedAuditEntry[] = [];
    let prev = last;
    for (let i = 1; i <= 1200; i++) {
      const e = {
        seq: last.seq + i,
        at: new Date().toISOString(),
        actor: 'test:bulk',
        action: 'test.bulk',
        object: null,
        liid: null,
        outcome: 'success' as const,
        details: JSON.stringify({ i }),
      };
      prev = { ...e, prevHash: prev.hash, hash: chainHash(prev.hash, e) };
      bulk.push(prev);
    }
    for (let i = 0; i < bulk.length; i += 100) {
      await ds.getRepository(AuditEntryEntity).insert(bulk.slice(i, i + 100));
    }
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 3 === 0
          ? mf
              .as('olga')
              .post('/api/v1/warrants')
              .send(warrantBody(`LIID-C${i}`, destId))
              .expect(201)
          : i % 3 === 1
            ? mf.as('olga').get('/api/v1/audit').expect(403)
            : mf.as('audrey').get('/api/v1/warrants').expect(200),
      ),
    );
    const entries = await chain();
    expect(entries.length).toBeGreaterThan(1200);
    expect(verifyChain(entries)).toBeNull();
    const v = (await mf.as('audrey').get('/api/v1/audit/verify').expect(200)).body;
    expect(v).toMatchObject({ ok: true, checked: entries.length });
    const exported = JSON.parse(
      (await mf.as('audrey').get('/api/v1/audit/export?format=json&action=test.bulk').expect(200))
        .text,
    );
    expect(exported).toHaveLength(1200);
  }, 20_000);

  if (name === 'PostgreSQL') {
    it('keeps one chain with two MF instances (processes) writing to the same database', async () => {
      const other = await spawnMf({
        DATABASE_URL: db.url,
        DB_RUN_MIGRATIONS: 'false',
        KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        AUTH_JWT_SECRET: JWT_SECRET,
      });
      try {
        await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            request(i % 2 ? other.url : mf.server)
              .post('/api/v1/warrants')
              .set('Authorization', `Bearer ${mf.tokens.alice}`)
              .send(warrantBody(`LIID-M${i}`, destId))
              .expect(201),
          ),
        );
      } finally {
        await other.stop();
      }
      const v = (await mf.as('audrey').get('/api/v1/audit/verify').expect(200)).body;
      expect(v.ok).toBe(true);
      const created = await ds.query(
        `SELECT COUNT(*) AS n FROM audit_log WHERE action = 'warrant.create' AND liid LIKE 'LIID-M%'`,
      );
      expect(Number(created[0].n)).toBe(40);
    }, 60_000);
  }

  it('names the altered entry when a row is changed directly in the database', async () => {
    const entries = await chain();
    const victim = entries.find((e) => e.action === 'warrant.approve')!;
    await ds.query(`UPDATE audit_log SET actor = 'user:mallory' WHERE seq = ${victim.seq}`);
    const v = (await mf.as('audrey').get('/api/v1/audit/verify').expect(200)).body;
    expect(v).toMatchObject({
      ok: false,
      checked: victim.seq - 1,
      lastSeq: victim.seq - 1,
      firstBreak: {
        seq: victim.seq,
        reason: 'hash-mismatch',
        entry: { actor: 'user:mallory', action: 'warrant.approve', object: victim.object },
      },
    });
    const alarm = (
      await mf.as('audrey').get('/api/v1/audit?action=audit.verify&limit=1').expect(200)
    ).body.items[0];
    expect(alarm).toMatchObject({
      outcome: 'alarm',
      details: { ok: false, firstBreak: { seq: victim.seq } },
    });

    // put it back: the chain is whole again; then remove an entry: the gap is named
    await ds.query(`UPDATE audit_log SET actor = '${victim.actor}' WHERE seq = ${victim.seq}`);
    expect((await mf.as('audrey').get('/api/v1/audit/verify').expect(200)).body.ok).toBe(true);
    await ds.query(`DELETE FROM audit_log WHERE seq = ${victim.seq}`);
    const gap = (await mf.as('audrey').get('/api/v1/audit/verify').expect(200)).body;
    expect(gap.firstBreak).toMatchObject({ seq: victim.seq + 1, reason: 'sequence-gap' });
  });
});
notePgSkipped();
