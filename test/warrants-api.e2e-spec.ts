import { DataSource } from 'typeorm';
import { TaskRegistry } from '../apps/mf/src/warrants/task-registry';
import { WarrantService } from '../apps/mf/src/warrants/warrant.service';
import { ENGINES, notePgSkipped, TempDatabase } from './support/databases';
import { ftpsDestination, startTestMf, TestMf, warrantBody } from './support/mf-app';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.each(ENGINES)('warrant API on $name', ({ make }) => {
  let db: TempDatabase;
  let mf: TestMf;
  let dest: { id: string };
  let registry: TaskRegistry;

  beforeAll(async () => {
    db = await make();
    mf = await startTestMf(db, { WARRANT_EXPIRY_INTERVAL_MS: '250' });
    registry = mf.app.get(TaskRegistry);
    dest = (
      await mf.as('adam').post('/api/v1/destinations').send(ftpsDestination('LEA-1')).expect(201)
    ).body;
  }, 30_000);
  afterAll(async () => {
    await mf?.close();
    await db?.drop();
  });

  const create = (liid: string, extra: object = {}, user: 'alice' | 'sam' = 'alice') =>
    mf
      .as(user)
      .post('/api/v1/warrants')
      .send(warrantBody(liid, dest.id, extra));

  it('creates a draft with normalised targets, UTC times and no XIDs yet', async () => {
    const r = await create('LIID-CREATE', {
      validFrom: '2026-01-01T02:00:00+02:00',
      nationalParameters: ['DE-param-1'],
    }).expect(201);
    expect(r.body).toMatchObject({
      liid: 'LIID-CREATE',
      state: 'draft',
      validFrom: '2026-01-01T00:00:00.000Z',
      deliveryMode: 'keys',
      nationalParameters: ['DE-param-1'],
      createdBy: 'alice',
      activationRequestedBy: null,
      approvedBy: null,
      destinations: [{ id: dest.id, name: 'LEA-1' }],
    });
    expect(r.body.targets).toEqual([
      expect.objectContaining({
        kind: 'sip',
        normalized: 'sip:liid-create@ims.example',
        xid: null,
      }),
      expect.objectContaining({ kind: 'tel', normalized: 'tel:+498912345678', xid: null }),
    ]);
    const got = await mf.as('olga').get(`/api/v1/warrants/${r.body.id}`).expect(200);
    expect(got.body).toEqual(r.body);
  });

  it('answers bad input with 400 naming each bad field', async () => {
    const cases: Array<[object, string[]]> = [
      [{ liid: 'L'.repeat(26) }, ['liid']],
      [{ liid: 'bad liid' }, ['liid']],
      [{ targets: [{ kind: 'sip', value: 'tel:+1' }] }, ['targets.0.value']],
      [{ targets: [{ kind: 'fax', value: 'x' }] }, ['targets.0.kind']],
      [{ targets: [] }, ['targets']],
      [{ targets: [{ kind: 'tel', value: 'tel:+1', xid: 'nope' }] }, ['targets.0.xid']],
      [
        {
          targets: [
            { kind: 'tel', value: 'tel:+1-2' },
            { kind: 'impu', value: 'tel:+12' },
          ],
        },
        ['targets.1.value'],
      ],
      [{ validFrom: '2026-01-01' }, ['validFrom']],
      [{ validUntil: '2020-01-01T00:00:00Z' }, ['validUntil']],
      [{ validFrom: '2100-01-01T00:00:00Z' }, ['validUntil']],
      [{ deliveryMode: 'clear' }, ['deliveryMode']],
      [{ destinations: ['4d7c3c1e-7f1c-4c7b-9a53-2d1d8b0f6a11'] }, ['destinations']],
      [{ nationalParameters: ['x'.repeat(257)] }, ['nationalParameters']],
      [{ surprise: true }, ['surprise']],
    ];
    for (const [extra, fields] of cases) {
      const r = await create('LIID-BAD', extra);
      expect({ extra, status: r.status }).toEqual({ extra, status: 400 });
      expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual(fields);
    }
    const json = await mf
      .as('alice')
      .post('/api/v1/warrants')
      .set('Content-Type', 'application/json')
      .send('{"liid": ');
    expect(json.status).toBe(400);
    const big = await mf
      .as('alice')
      .post('/api/v1/warrants')
      .send({ ...warrantBody('LIID-BIG', dest.id), authorityRef: 'x'.repeat(200_000) });
    expect([big.status, big.body.message]).toEqual([413, 'request body too large']);
    await mf.as('alice').get('/api/v1/warrants/not-a-uuid').expect(400);
    await mf.as('alice').get('/api/v1/warrants?limit=0').expect(400);
    await mf.as('alice').get('/api/v1/warrants?state=sleeping').expect(400);
    await mf.as('alice').get('/api/v1/warrants/4d7c3c1e-7f1c-4c7b-9a53-2d1d8b0f6a11').expect(404);
  });

  it('refuses a duplicate LIID and an XID already assigned (409)', async () => {
    const xid = '6f1c2d3e-4b5a-4c6d-8e7f-901234567890';
    await create('LIID-DUP', { targets: [{ kind: 'sip', value: 'sip:a@x.example', xid }] }).expect(
      201,
    );
    const dup = await create('LIID-DUP').expect(409);
    expect(dup.body.message).toMatch(/LIID LIID-DUP is already in use/);
    const taken = await create('LIID-DUP2', {
      targets: [{ kind: 'sip', value: 'sip:b@x.example', xid: xid.toUpperCase() }],
    }).expect(409);
    expect(taken.body.message).toMatch(/XID .* already assigned/);
  });

  it('runs the lifecycle with four-eyes approval and XIDs assigned at approval', async () => {
    const givenXid = '0a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2d';
    const w = (
      await create('LIID-LIFE', {
        targets: [
          { kind: 'sip', value: 'sip:life@ims.example' },
          { kind: 'impu', value: 'sip:+4930123@ims.example;user=phone', xid: givenXid },
        ],
      }).expect(201)
    ).body;
    const url = `/api/v1/warrants/${w.id}`;

    await mf.as('alice').post(`${url}/approve`).expect(403); // operators never approve
    const pending = (await mf.as('alice').post(`${url}/activate`).expect(200)).body;
    expect(pending).toMatchObject({ state: 'pending_approval', activationRequestedBy: 'alice' });
    await mf.as('alice').post(`${url}/activate`).expect(409);
    await mf.as('alice').patch(url).send({ authorityRef: 'changed' }).expect(409);

    const active = (await mf.as('sam').post(`${url}/approve`).expect(200)).body;
    expect(active).toMatchObject({ state: 'active', approvedBy: 'sam' });
    const bySip = active.targets.find((t: { kind: string }) => t.kind === 'sip');
    const byImpu = active.targets.find((t: { kind: string }) => t.kind === 'impu');
    expect(bySip.xid).toMatch(UUID_V4);
    expect(byImpu).toMatchObject({ xid: givenXid, normalized: 'tel:+4930123' });

    // the pipeline's lookup: in memory, window-checked
    const now = new Date();
    const task = registry.findActiveTargetByXid(bySip.xid.toUpperCase(), now);
    expect(task?.warrant).toMatchObject({
      liid: 'LIID-LIFE',
      deliveryMode: 'keys',
      destinations: [{ id: dest.id, name: 'LEA-1', transport: 'ftps', enabled: true }],
    });
    expect(task?.target).toMatchObject({ normalized: 'sip:life@ims.example', xid: bySip.xid });
    expect(mf.app.get(WarrantService).findActiveTargetByXid(givenXid, now)?.target.kind).toBe(
      'impu',
    );
    expect(registry.findActiveTargetsByIdentity('tel:+4930123', now)).toHaveLength(1);
    expect(registry.lookupXid(bySip.xid, new Date(active.validUntil)).status).toBe(
      'outside-window',
    );
    expect(registry.lookupXid(bySip.xid, new Date(Date.parse(active.validFrom) - 1)).status).toBe(
      'outside-window',
    );

    await mf.as('alice').patch(url).send({ authorityRef: 'changed' }).expect(409);
    await mf.as('alice').delete(url).expect(409);
    await mf.as('alice').post(`${url}/resume`).expect(409);

    expect((await mf.as('olga').post(`${url}/suspend`).expect(200)).body.state).toBe('suspended');
    expect(registry.lookupXid(bySip.xid, now).status).toBe('suspended');
    expect(registry.findActiveTargetByXid(bySip.xid, now)).toBeNull();
    await mf.as('olga').post(`${url}/suspend`).expect(409);
    expect((await mf.as('alice').post(`${url}/resume`).expect(200)).body.state).toBe('active');
    expect(registry.findActiveTargetByXid(bySip.xid, now)).not.toBeNull();

    expect((await mf.as('sue').post(`${url}/deactivate`).expect(200)).body.state).toBe('ended');
    expect(registry.lookupXid(bySip.xid, now).status).toBe('unknown');
    await mf.as('sue').post(`${url}/resume`).expect(409);
    await mf.as('sue').post(`${url}/activate`).expect(409);
    await mf.as('alice').delete(url).expect(204);
    await mf.as('alice').get(url).expect(404);
  });

  it('enforces four-eyes: neither the requester nor the creator may approve', async () => {
    const w = (await create('LIID-4EYES', {}, 'sam').expect(201)).body;
    const url = `/api/v1/warrants/${w.id}`;
    await mf.as('sam').post(`${url}/activate`).expect(200);
    const self = await mf.as('sam').post(`${url}/approve`).expect(403);
    expect(self.body.message).toMatch(/four-eyes/);

    await mf.as('sue').post(`${url}/reject`).send({ reason: 'wrong court' }).expect(200);
    await mf.as('alice').post(`${url}/activate`).expect(200); // another requester; sam created it
    expect((await mf.as('sam').post(`${url}/approve`).expect(403)).body.message).toMatch(
      /four-eyes/,
    );
    const ok = (await mf.as('sue').post(`${url}/approve`).expect(200)).body;
    expect(ok).toMatchObject({
      state: 'active',
      createdBy: 'sam',
      activationRequestedBy: 'alice',
      approvedBy: 'sue',
    });
    await mf.as('sue').post(`${url}/deactivate`).expect(200);
  });

  it('returns a rejected warrant to draft, where it can be changed and deleted', async () => {
    const w = (await create('LIID-REJ').expect(201)).body;
    const url = `/api/v1/warrants/${w.id}`;
    await mf.as('olga').post(`${url}/activate`).expect(200);
    await mf.as('sam').post(`${url}/reject`).send({}).expect(400); // reason required
    const back = (await mf.as('sam').post(`${url}/reject`).send({ reason: 'typo' }).expect(200))
      .body;
    expect(back).toMatchObject({ state: 'draft', activationRequestedBy: null });
    const changed = (
      await mf
        .as('olga')
        .patch(url)
        .send({
          authorityRef: 'court order 2',
          deliveryMode: 'decrypted',
          targets: [{ kind: 'impi', value: 'rej@IMS.example' }],
          nationalParameters: null,
        })
        .expect(200)
    ).body;
    expect(changed).toMatchObject({
      authorityRef: 'court order 2',
      deliveryMode: 'decrypted',
      nationalParameters: [],
      targets: [expect.objectContaining({ kind: 'impi', normalized: 'rej@ims.example' })],
    });
    expect(changed.version).toBeGreaterThan(w.version);
    await mf.as('olga').patch(url).send({ authorityRef: null }).expect(400);
    await mf.as('olga').patch(url).send({ validUntil: '2020-01-01T00:00:00Z' }).expect(400);
    await mf.as('olga').delete(url).expect(204);
  });

  it('lists with filters and pagination', async () => {
    for (const n of [1, 2, 3]) await create(`LIID-LIST-${n}`).expect(201);
    const first = await mf.as('alice').get('/api/v1/warrants?state=draft&limit=2').expect(200);
    expect(first.body).toMatchObject({ offset: 0, limit: 2 });
    expect(first.body.items).toHaveLength(2);
    const total = first.body.total as number;
    expect(total).toBeGreaterThanOrEqual(3);
    const all = await mf.as('alice').get(`/api/v1/warrants?state=draft&limit=200`).expect(200);
    expect(all.body.items).toHaveLength(total);
    const second = await mf.as('alice').get('/api/v1/warrants?state=draft&limit=2&offset=2');
    expect(second.body.items[0].id).toBe(all.body.items[2].id);

    const byLiid = await mf.as('alice').get('/api/v1/warrants?liid=LIID-LIST-2').expect(200);
    expect(byLiid.body.items.map((w: { liid: string }) => w.liid)).toEqual(['LIID-LIST-2']);
    const byTarget = await mf
      .as('alice')
      .get(
        `/api/v1/warrants?target=${encodeURIComponent('SIP:liid-list-3@ims.EXAMPLE;transport=tcp')}`,
      )
      .expect(200);
    expect(byTarget.body.items.map((w: { liid: string }) => w.liid)).toEqual(['LIID-LIST-3']);
    const byCreator = await mf.as('alice').get('/api/v1/warrants?createdBy=nobody').expect(200);
    expect(byCreator.body).toMatchObject({ items: [], total: 0 });
    await mf.as('alice').get('/api/v1/warrants?target=tel:abc').expect(400);
  });

  it('shows auditors warrant metadata without target identities or XIDs', async () => {
    const w = (await create('LIID-META').expect(201)).body;
    const seen = (await mf.as('audrey').get(`/api/v1/warrants/${w.id}`).expect(200)).body;
    expect(seen).toMatchObject({ liid: 'LIID-META', createdBy: 'alice', state: 'draft' });
    expect(seen.targets).toEqual([{ kind: 'sip' }, { kind: 'tel' }]);
    expect(JSON.stringify(seen)).not.toContain('ims.example');
    const list = (await mf.as('audrey').get('/api/v1/warrants?liid=LIID-META').expect(200)).body;
    expect(list.items[0].targets).toEqual([{ kind: 'sip' }, { kind: 'tel' }]);
  });

  it('ends a warrant past its end automatically, audited as the expiry job', async () => {
    const w = (
      await create('LIID-EXPIRE', { validUntil: new Date(Date.now() + 1500).toISOString() }).expect(
        201,
      )
    ).body;
    const url = `/api/v1/warrants/${w.id}`;
    await mf.as('alice').post(`${url}/activate`).expect(200);
    const active = (await mf.as('sam').post(`${url}/approve`).expect(200)).body;
    expect(registry.findActiveTargetByXid(active.targets[0].xid, new Date())).not.toBeNull();
    // the scheduled job (every 250 ms here) ends it once its window is over
    let state = 'active';
    for (let i = 0; i < 40 && state !== 'ended'; i++) {
      await new Promise((r) => setTimeout(r, 150));
      state = (await mf.as('alice').get(url).expect(200)).body.state;
    }
    expect(state).toBe('ended');
    expect(registry.lookupXid(active.targets[0].xid, new Date()).status).toBe('unknown');
    const audit = await mf.as('audrey').get('/api/v1/audit?liid=LIID-EXPIRE&order=asc').expect(200);
    const changes = audit.body.items.filter((e: { action: string }) => e.action !== 'warrant.read');
    expect(changes.map((e: { action: string; actor: string }) => [e.action, e.actor])).toEqual([
      ['warrant.create', 'user:alice'],
      ['warrant.request-activation', 'user:alice'],
      ['warrant.approve', 'user:sam'],
      ['warrant.expire', 'system:warrant-expiry'],
    ]);
    await mf.as('sam').post(`${url}/approve`).expect(409);
  });

  it('records every warrant change in the audit log, and a refused change only as an API error', async () => {
    const ds = mf.app.get(DataSource);
    const w = (await create('LIID-AUDIT').expect(201)).body;
    await mf.as('alice').patch(`/api/v1/warrants/${w.id}`).send({ authorityRef: 'x' }).expect(200);
    await mf.as('alice').delete(`/api/v1/warrants/${w.id}`).expect(204);
    const rows: Array<{ action: string; object: string; outcome: string; details: string }> =
      await ds.query(
        `SELECT action, object, outcome, details FROM audit_log WHERE liid = 'LIID-AUDIT' ORDER BY seq`,
      );
    expect(rows.map((r) => r.action)).toEqual([
      'warrant.create',
      'warrant.update',
      'warrant.delete',
    ]);
    expect(rows.every((r) => r.object === `warrant/${w.id}` && r.outcome === 'success')).toBe(true);
    expect(rows.map((r) => r.details).join('')).not.toContain('ims.example');

    await create('LIID-AUDIT-2').expect(201);
    await create('LIID-AUDIT-2').expect(409);
    const after: Array<{ action: string; actor: string; outcome: string; details: string }> =
      await ds.query(
        `SELECT action, actor, outcome, details FROM audit_log WHERE liid = 'LIID-AUDIT-2' OR action = 'api.error' ORDER BY seq DESC LIMIT 2`,
      );
    expect(after.map((r) => [r.action, r.actor, r.outcome])).toEqual([
      ['api.error', 'user:alice', 'failure'],
      ['warrant.create', 'user:alice', 'success'],
    ]);
    expect(JSON.parse(after[0].details)).toMatchObject({ status: 409 });
  });
});
notePgSkipped();
