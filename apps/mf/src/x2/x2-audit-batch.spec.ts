import type { AuditRecord } from '../audit/audit-chain';
import { batchedX2Audit } from './x2-audit-batch';

const turn = () => new Promise((r) => setImmediate(r));

describe('batchedX2Audit', () => {
  it('appends the entries of a burst in one call, in order, and later ones after it commits', async () => {
    const calls: string[][] = [];
    let commit = () => undefined as void;
    const audit = batchedX2Audit((records: AuditRecord[]) => {
      calls.push(records.map((r) => `${r.actor}:${r.action}:${String(r.object)}`));
      return new Promise<void>((r) => (commit = r));
    });
    for (let i = 0; i < 3; i++) audit('x2.connection.closed', 'failure', `ne${i}`, {});
    await turn();
    expect(calls).toEqual([
      ['x2:x2.connection.closed:ne0', 'x2:x2.connection.closed:ne1', 'x2:x2.connection.closed:ne2'],
    ]);
    // While that batch commits, new entries wait and then go together.
    audit('x2.connection.open', 'success', 'ne3', {});
    audit('x2.connection.open', 'success', 'ne4', {});
    await turn();
    expect(calls).toHaveLength(1);
    commit();
    await turn();
    expect(calls[1]).toEqual(['x2:x2.connection.open:ne3', 'x2:x2.connection.open:ne4']);
    commit();
  });

  it('goes on after a failed append', async () => {
    const calls: number[] = [];
    const audit = batchedX2Audit((records: AuditRecord[]) => {
      calls.push(records.length);
      return calls.length === 1 ? Promise.reject(new Error('database down')) : Promise.resolve();
    });
    audit('x2.connection.refused', 'denied', '192.0.2.1', {});
    await turn();
    await turn();
    audit('x2.connection.refused', 'denied', '192.0.2.2', {});
    await turn();
    expect(calls).toEqual([1, 1]);
  });
});
