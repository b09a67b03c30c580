import { beforeAll, describe, expect, it } from 'vitest';
import { pairOperations } from '../../history/pair.ts';
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
    workload: {
      script: 'targets/consistency/register.k6.ts',
      rate: 30,
      duration: '10s',
      timeout: '2s',
      preVUs: 8,
      maxVUs: 8,
      keys: 6,
      readRatio: 0.7,
      casRatio: 0.1,
    },
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

  it('lose writes the old primary acknowledged: after the failover, reads return values those writes had surely superseded, and the history is not linearizable', () => {
    const h = run.history;
    const promotedAt = h.findIndex((op) => op.type === 'ok' && op.node === 'db-replica-1' && (op.f === 'write' || op.f === 'cas'));
    const killStopped = h.findIndex((op) => op.f === 'stop-kill');
    expect(promotedAt).toBeGreaterThan(h.findIndex((op) => op.f === 'start-kill'));
    // Every write and successful compare-and-set, with where it was invoked and acknowledged (values are unique in the run).
    const writes = pairOperations(h)
      .filter(({ invoke, done }) => done?.type === 'ok' && (invoke.f === 'write' || invoke.f === 'cas'))
      .map(({ invoke, done }) => ({
        key: invoke.key,
        value: invoke.f === 'cas' ? (invoke.value as unknown[])[1] : invoke.value,
        invokedAt: invoke.index,
        ackedAt: done!.index,
        node: done!.node,
      }));
    // A read after the promotion, while the old primary was dead, returning a value that a write the old
    // primary acknowledged had surely superseded (invoked after the value's own write was acknowledged): that write is gone.
    const lost = h.filter((op, i) => {
      if (i <= promotedAt || (killStopped >= 0 && i >= killStopped) || op.type !== 'ok' || op.f !== 'read') return false;
      const own = writes.find((w) => w.key === op.key && w.value === op.value);
      const ownAckedAt = own ? own.ackedAt : -1; // null: the initial value, before every write
      if (own === undefined && op.value !== null) return false;
      return writes.some((w) => w.key === op.key && w.node === 'db' && w.ackedAt < promotedAt && w.invokedAt > ownAckedAt);
    });
    expect(lost.length).toBeGreaterThan(0);
    expect(run.check('linearizable').valid).toBe(false);
  });
});
