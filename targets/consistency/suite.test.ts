import { describe, expect, it } from 'vitest';
import { matchNames } from '../../faults/index.ts';
import { planSuite } from '../../runner/plan-suite.ts';
import { loadSuite } from '../../runner/suite.ts';
import { planTopology } from '../../runtime/topology.ts';
import { consistency } from './index.ts';

describe('suites/consistency.yaml', () => {
  const plan = planSuite(loadSuite('suites/consistency.yaml'), 'suites/consistency.yaml');

  it('puts every pattern of the family through the same faults', () => {
    expect(new Set(plan.cases.map((c) => c.pattern.name))).toEqual(new Set(Object.keys(consistency.patterns)));
    expect(plan.faults.map((f) => f.kind)).toEqual(['partition', 'partition', 'pause', 'pause']);
  });

  it('partitions each pattern’s nodes, and only them: its replicated store, or its multi-leader replicas, or the lock’s store and holders', () => {
    const nodes = Object.fromEntries(
      plan.cases.map((c) => [
        c.name,
        matchNames(
          plan.faults[0].on,
          planTopology(c.topology).components.map((x) => x.name),
        ),
      ]),
    );
    expect(nodes['pg-primary']).toEqual(['db', 'db-replica-1']);
    expect(nodes['etcd-linearizable']).toEqual(['db-1', 'db-2', 'db-3']);
    expect(nodes['multi-leader-crdt']).toEqual(['target-1', 'target-2', 'target-3']);
    expect(nodes['lock-etcd']).toEqual(['db', 'target-1', 'target-2', 'target-3']);
  });
});
