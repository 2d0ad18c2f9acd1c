/**
 * Benchmark of the X2 pipeline's per-PDU task lookup (TaskRegistry.lookupXid) on a table of
 * 500 active warrants × 4 targets. Run: `npx ts-node --transpile-only -r tsconfig-paths/register
 * scripts/bench-task-registry.ts`. Prints lookups per second for known and unknown XIDs.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { loadMfConfig } from '../apps/mf/src/config/mf-config';
import { TaskRegistry } from '../apps/mf/src/warrants/task-registry';
import { WarrantEntity } from '../apps/mf/src/warrants/warrant.entity';

async function main(): Promise<void> {
  const now = Date.now();
  const warrants = Array.from({ length: 500 }, (_, w) => ({
    id: randomUUID(),
    liid: `LIID-${w}`,
    state: 'active',
    deliveryMode: 'keys',
    validFrom: new Date(now - 3_600_000).toISOString(),
    validUntil: new Date(now + 3_600_000).toISOString(),
    nationalParameters: null,
    destinations: [{ id: randomUUID(), name: 'LEA', transport: 'ftps', enabled: true }],
    targets: Array.from({ length: 4 }, (_, t) => ({
      id: randomUUID(),
      kind: 'sip',
      value: `sip:u${w}-${t}@ims.example`,
      normalized: `sip:u${w}-${t}@ims.example`,
      xid: randomUUID(),
    })),
  })) as unknown as WarrantEntity[];
  const repo = { find: () => Promise.resolve(warrants) } as unknown as Repository<WarrantEntity>;
  const registry = new TaskRegistry(repo, loadMfConfig({}));
  await registry.reload();
  const xids = warrants.flatMap((w) => w.targets.map((t) => t.xid!.toUpperCase()));
  const unknown = Array.from({ length: 2000 }, () => randomUUID());
  for (const [label, keys] of [
    ['known XID', xids],
    ['unknown XID', unknown],
  ] as const) {
    const n = 2_000_000;
    let active = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      if (registry.lookupXid(keys[i % keys.length], new Date()).status === 'active') active++;
    }
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    process.stdout.write(`${label}: ${Math.round(n / s).toLocaleString('en')} lookups/s (${active} active)\n`);
  }
}

void main();
