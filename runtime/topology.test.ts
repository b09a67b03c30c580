import { describe, expect, it } from 'vitest';
import { linkName, planTopology } from './topology.ts';

describe('planTopology', () => {
  it('names instances, replicas, members and service replicas, and one link per ordered pair that talks', () => {
    const plan = planTopology({
      postgres: { 'shard-a': { replicas: 1 }, 'shard-b': {} },
      redis: { cache: {} },
      etcd: { etcd: { members: 3 } },
      services: {
        payment: { file: 'p.ts', uses: ['shard-b'] },
        target: { file: 't.ts', replicas: 2, uses: ['shard-a', 'payment', 'etcd'], peers: true },
      },
    });
    expect(plan.components.map((c) => `${c.name}:${c.kind}:${c.role}`)).toEqual([
      'cache:redis:primary',
      'shard-a:postgres:primary',
      'shard-a-replica-1:postgres:replica',
      'shard-b:postgres:primary',
      'etcd-1:etcd:member',
      'etcd-2:etcd:member',
      'etcd-3:etcd:member',
      'payment:service:service',
      'target-1:service:service',
      'target-2:service:service',
    ]);
    const links = plan.links.map((l) => l.name);
    expect(links).toContain('shard-a-replica-1-to-shard-a');
    expect(links.filter((l) => /^etcd-\d-to-etcd-\d$/.test(l))).toHaveLength(6);
    expect(links).toContain('payment-to-shard-b');
    for (const n of [1, 2]) {
      for (const to of ['shard-a', 'shard-a-replica-1', 'payment', 'etcd-1', 'etcd-2', 'etcd-3']) expect(links).toContain(`target-${n}-to-${to}`);
    }
    expect(links).toContain('target-1-to-target-2');
    expect(links).toContain('target-2-to-target-1');
    expect(links).not.toContain('target-1-to-cache'); // not used
    expect(plan.links.find((l) => l.name === 'target-2-to-payment')).toEqual({ name: 'target-2-to-payment', from: 'target-2', to: 'payment' });
    expect(linkName('a', 'b')).toBe('a-to-b');
  });

  it('starts a used service before its user, whatever the order written', () => {
    const plan = planTopology({ services: { front: { file: 'f.ts', uses: ['back'] }, back: { file: 'b.ts' } } });
    expect(plan.components.map((c) => c.name)).toEqual(['back', 'front']);
  });

  it('refuses what cannot be named or started, saying which instance', () => {
    expect(() => planTopology({ redis: { Cache: {} } })).toThrow(/"Cache" is not a name/);
    expect(() => planTopology({ redis: { x: {} }, postgres: { x: {} } })).toThrow(/two components are named "x"/);
    expect(() => planTopology({ etcd: { e: { members: 0 } } })).toThrow(/e\.members: expected a whole number ≥ 1/);
    expect(() => planTopology({ services: { t: { file: 't.ts', uses: ['nowhere'] } } })).toThrow(/service "t" uses "nowhere", which is no instance/);
    expect(() => planTopology({ services: { a: { file: 'a.ts', uses: ['b'] }, b: { file: 'b.ts', uses: ['a'] } } })).toThrow(/in a circle: a → b → a/);
  });
});
