import { beforeAll, describe, expect, it } from 'vitest';
import { type RunCase, runInline } from '../../runner/run-inline.ts';

/**
 * Redis replicas lose acknowledged writes on failover (Jepsen, "Call me
 * maybe: Redis", 2013): the replica is cut off from its primary, the primary
 * goes on acknowledging writes, then it is killed; the service promotes the
 * replica, which never had those writes.
 */
let run: RunCase;

beforeAll(async () => {
  const cases = await runInline({
    name: 'redis-failover',
    workload: { script: 'targets/consistency/register.k6.ts', rate: 30, duration: '10s', timeout: '2s', preVUs: 8, maxVUs: 8, keys: 4 },
    cases: [{ target: 'redis-replicas', name: 'failover', options: { failover: true } }],
    faults: [
      { fault: 'partition', on: 'db*', grouping: 'one', node: 'db-replica-1', at: '1s', for: '8s' },
      { fault: 'kill', on: 'db', at: '4s', for: '5s' },
    ],
    checkers: ['linearizable', 'staleness'],
  });
  run = cases.failover;
}, 120_000);

describe('Redis replicas with the service failing over', () => {
  it('promote the replica when the primary dies: writes go on, answered by the old replica', () => {
    const writers = new Set(run.history.filter((op) => op.type === 'ok' && op.f === 'write').map((op) => op.node));
    expect(writers).toEqual(new Set(['db', 'db-replica-1']));
  });

  it('lose writes the old primary acknowledged: the first read of a key after the failover does not return the last write it acknowledged, and the history is not linearizable', () => {
    const h = run.history;
    const promotedAt = h.findIndex((op) => op.type === 'ok' && op.node === 'db-replica-1' && (op.f === 'write' || op.f === 'cas'));
    expect(promotedAt).toBeGreaterThan(h.findIndex((op) => op.f === 'start-kill'));
    let lost = 0;
    for (const key of new Set(h.filter((op) => op.key !== undefined).map((op) => op.key))) {
      const acked = h.slice(0, promotedAt).filter((op) => op.key === key && op.type === 'ok' && op.f === 'write' && op.node === 'db');
      const read = h.slice(promotedAt).find((op) => op.key === key && op.type === 'ok' && op.f === 'read');
      if (acked.length === 0 || !read) continue;
      // No write or compare-and-set of the key invoked since the promotion, before this read completed: it should show the last acknowledged write.
      const since = h.slice(promotedAt, read.index).some((op) => op.key === key && op.type === 'invoke' && op.f !== 'read');
      if (!since && read.value !== acked.at(-1)!.value) lost++;
    }
    expect(lost).toBeGreaterThan(0);
    expect(run.check('linearizable').valid).toBe(false);
  });
});
