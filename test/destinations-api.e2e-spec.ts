import { DataSource } from 'typeorm';
import { DestinationsService } from '../apps/mf/src/destinations/destinations.service';
import { TaskRegistry } from '../apps/mf/src/warrants/task-registry';
import { ENGINES, notePgSkipped, TempDatabase } from './support/databases';
import { ftpsDestination, startTestMf, TestMf, warrantBody } from './support/mf-app';

describe.each(ENGINES)('LEA destinations API on $name', ({ make }) => {
  let db: TempDatabase;
  let mf: TestMf;
  let ds: DataSource;

  beforeAll(async () => {
    db = await make();
    mf = await startTestMf(db);
    ds = mf.app.get(DataSource);
  }, 30_000);
  afterAll(async () => {
    await mf?.close();
    await db?.drop();
  });

  it('stores the FTPS password sealed to its row and never returns it', async () => {
    const body = ftpsDestination('LEA-SEALED');
    const created = (await mf.as('adam').post('/api/v1/destinations').send(body).expect(201)).body;
    expect(created).toMatchObject({
      name: 'LEA-SEALED',
      transport: 'ftps',
      host: 'lemf.lea.example',
      port: 990,
      settings: body.settings,
      hasPassword: true,
      enabled: true,
      warrants: 0,
    });
    for (const user of ['adam', 'alice', 'audrey'] as const) {
      const seen = await mf.as(user).get(`/api/v1/destinations/${created.id}`).expect(200);
      expect(JSON.stringify(seen.body)).not.toMatch(/ftps-secret|secret|v1\./);
      const list = await mf.as(user).get('/api/v1/destinations').expect(200);
      expect(JSON.stringify(list.body)).not.toContain(body.password);
    }
    const [row] = await ds.query(`SELECT secret FROM lea_destination WHERE id = '${created.id}'`);
    expect(row.secret).toMatch(/^v1\./);
    expect(row.secret).not.toContain(body.password);
    const service = mf.app.get(DestinationsService);
    expect(await service.ftpsPassword(created.id)).toBe(body.password);

    // the sealed value is bound to its row: copied onto another row it does not open
    const other = (
      await mf
        .as('adam')
        .post('/api/v1/destinations')
        .send({ ...ftpsDestination('LEA-OTHER') })
        .expect(201)
    ).body;
    await ds.query(`UPDATE lea_destination SET secret = '${row.secret}' WHERE id = '${other.id}'`);
    await expect(service.ftpsPassword(other.id)).rejects.toThrow('failed authentication');
    const audit: Array<{ details: string }> = await ds.query(
      `SELECT details FROM audit_log WHERE action LIKE 'destination.%'`,
    );
    expect(audit.length).toBeGreaterThanOrEqual(2);
    expect(audit.map((a) => a.details).join('')).not.toContain(body.password);
  });

  it('validates transports, hosts and names', async () => {
    const cases: Array<[object, string]> = [
      [{ settings: { caFile: '/ca.crt' } }, 'settings.user'],
      [{ transport: 'tls', password: undefined }, 'settings.user'],
      [{ transport: 'tls', settings: { caFile: '/ca.crt' } }, 'password'],
      [{ host: 'bad host!' }, 'host'],
      [{ port: 0 }, 'port'],
      [{ settings: { caFile: '/ca.crt', user: 'u', certFile: '/c.crt' } }, 'settings.keyFile'],
      [{ settings: { caFile: 'a\u0000b', user: 'u' } }, 'settings.caFile'],
      [{ transport: 'smtp' }, 'transport'],
      [{ name: '' }, 'name'],
    ];
    for (const [patch, field] of cases) {
      const r = await mf
        .as('adam')
        .post('/api/v1/destinations')
        .send({ ...ftpsDestination('LEA-V'), ...patch });
      expect({ patch, status: r.status }).toEqual({ patch, status: 400 });
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    await mf.as('adam').post('/api/v1/destinations').send(ftpsDestination('LEA-DUP')).expect(201);
    await mf.as('adam').post('/api/v1/destinations').send(ftpsDestination('LEA-DUP')).expect(409);
    const tls = await mf
      .as('adam')
      .post('/api/v1/destinations')
      .send({
        name: 'LEA-TLS',
        transport: 'tls',
        host: '192.0.2.10',
        port: 6001,
        settings: { caFile: '/ca.crt', certFile: '/mf.crt', keyFile: '/mf.key' },
      })
      .expect(201);
    expect(tls.body.hasPassword).toBe(false);
  });

  it('updates a destination, and active tasks see the change at once', async () => {
    const d = (
      await mf.as('adam').post('/api/v1/destinations').send(ftpsDestination('LEA-UPD')).expect(201)
    ).body;
    const w = (
      await mf.as('alice').post('/api/v1/warrants').send(warrantBody('LIID-DST', d.id)).expect(201)
    ).body;
    await mf.as('alice').post(`/api/v1/warrants/${w.id}/activate`).expect(200);
    const active = (await mf.as('sam').post(`/api/v1/warrants/${w.id}/approve`).expect(200)).body;
    const xid = active.targets[0].xid;
    const registry = mf.app.get(TaskRegistry);
    expect(registry.findActiveTargetByXid(xid, new Date())?.warrant.destinations[0]).toMatchObject({
      name: 'LEA-UPD',
      enabled: true,
    });

    const upd = await mf
      .as('adam')
      .patch(`/api/v1/destinations/${d.id}`)
      .send({ name: 'LEA-UPD2', host: 'LEMF2.lea.example', enabled: false, password: null })
      .expect(200);
    expect(upd.body).toMatchObject({
      name: 'LEA-UPD2',
      host: 'lemf2.lea.example',
      enabled: false,
      hasPassword: false,
      warrants: 1,
    });
    expect(registry.findActiveTargetByXid(xid, new Date())?.warrant.destinations[0]).toMatchObject({
      name: 'LEA-UPD2',
      enabled: false,
    });
    expect(await mf.app.get(DestinationsService).ftpsPassword(d.id)).toBeNull();
    await mf
      .as('adam')
      .patch(`/api/v1/destinations/${d.id}`)
      .send({ password: 'new-ftps-pass' })
      .expect(200);
    expect(await mf.app.get(DestinationsService).ftpsPassword(d.id)).toBe('new-ftps-pass');
    await mf
      .as('adam')
      .patch(`/api/v1/destinations/${d.id}`)
      .send({ transport: 'tls' })
      .expect(400);
    await mf.as('adam').patch(`/api/v1/destinations/${d.id}`).send({ port: null }).expect(400);
    await mf.as('adam').patch(`/api/v1/destinations/${d.id}`).send({ name: 'LEA-DUP' }).expect(409);

    // in use: not deletable until no warrant refers to it
    expect(
      (await mf.as('adam').delete(`/api/v1/destinations/${d.id}`).expect(409)).body.message,
    ).toMatch(/used by 1 warrant/);
    await mf.as('alice').post(`/api/v1/warrants/${w.id}/deactivate`).expect(200);
    await mf.as('alice').delete(`/api/v1/warrants/${w.id}`).expect(204);
    await mf.as('adam').delete(`/api/v1/destinations/${d.id}`).expect(204);
    await mf.as('adam').get(`/api/v1/destinations/${d.id}`).expect(404);
    await mf.as('adam').delete(`/api/v1/destinations/${d.id}`).expect(404);
  });
});
notePgSkipped();
