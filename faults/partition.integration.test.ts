import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Op, OpInput } from '../history/op.ts';
import type { Component } from '../runtime/component.ts';
import type { Environment } from '../runtime/environment.ts';
import { startLocalEnvironment } from '../runtime/local/start-local-environment.ts';
import { faultContext } from './fault-context.ts';
import { createFault } from './index.ts';
import { Nemesis } from './nemesis.ts';

const runDir = mkdtempSync(join(tmpdir(), 'patternbench-partition-test-'));
let env: Environment;

/** The etcd v3 JSON gateway of one member, at its real client port: a linearizable (default) or serializable read, and a put. */
const etcd = {
  async put(m: Component, key: string, value: string): Promise<void> {
    const res = await fetch(`http://${m.host}:${m.port}/v3/kv/put`, {
      method: 'POST',
      body: JSON.stringify({ key: btoa(key), value: btoa(value) }),
      signal: AbortSignal.timeout(3_000),
    });
    if (!res.ok) throw new Error(`put: HTTP ${res.status}`);
  },
  async get(m: Component, key: string, serializable = false): Promise<string | null> {
    const res = await fetch(`http://${m.host}:${m.port}/v3/kv/range`, {
      method: 'POST',
      body: JSON.stringify({ key: btoa(key), serializable }),
      signal: AbortSignal.timeout(3_000),
    });
    if (!res.ok) throw new Error(`range: HTTP ${res.status} ${await res.text()}`);
    const kvs = ((await res.json()) as { kvs?: { value: string }[] }).kvs;
    return kvs ? atob(kvs[0].value) : null;
  },
};

async function eventually<T>(fn: () => Promise<T>, withinMs = 15_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** The names of the disabled proxies, as Toxiproxy itself says. */
async function disabledLinks(): Promise<string[]> {
  const proxies = await new Toxiproxy(env.toxiproxyUrl).getAll();
  return Object.values(proxies)
    .filter((p) => !p.enabled)
    .map((p) => p.name)
    .sort();
}

beforeAll(async () => {
  env = await startLocalEnvironment(
    { etcd: { db: { members: 3 } }, postgres: { pg: { replicas: 1 } }, redis: { r: { replicas: 1 } } },
    { runDir: join(runDir, 'env') },
  );
});

afterAll(async () => {
  await env?.stop();
  rmSync(runDir, { recursive: true, force: true });
});

describe('a partition of a 3-member etcd cluster', () => {
  it('isolates the leader it asked for: every link to and from it down, both ways; the majority elects another and serves; heals on stop', async () => {
    const ops: OpInput[] = [];
    const nemesis = new Nemesis({ history: { append: (op) => ops.push(op) }, clock: () => 0, ctx: faultContext(env) });
    const fault = createFault('partition', 'db-*', { grouping: 'leader' }, nemesis.ctx);
    await etcd.put(env.components.get('db-1')!, 'k', 'before');
    await nemesis.start(fault);
    const start = ops[0] as Op & { value: { leader: string; links: string[]; cut: string[][]; groups: string[][] } };
    const leader = start.value.leader;
    const others = ['db-1', 'db-2', 'db-3'].filter((m) => m !== leader);
    try {
      expect(start).toMatchObject({ process: 'nemesis', f: 'start-partition', value: { on: 'db-*', grouping: 'leader', groups: [[leader], others] } });
      const expected = others.flatMap((o) => [`${leader}-to-${o}`, `${o}-to-${leader}`]).sort();
      expect(start.value.links).toEqual(expected);
      expect(await disabledLinks()).toEqual(expected);
      // The two others elect a leader between them and take writes; the old leader can no longer serve a linearizable read…
      await eventually(() => etcd.put(env.components.get(others[0])!, 'k', 'during'));
      expect(await etcd.get(env.components.get(others[1])!, 'k')).toBe('during');
      await expect(etcd.get(env.components.get(leader)!, 'k')).rejects.toThrow();
      // …but answers a serializable one from what it has: the stale value.
      expect(await etcd.get(env.components.get(leader)!, 'k', true)).toBe('before');
    } finally {
      await nemesis.stop(fault);
    }
    expect(ops.map((o) => o.f)).toEqual(['start-partition', 'stop-partition']);
    expect(await disabledLinks()).toEqual([]);
    expect(await eventually(() => etcd.get(env.components.get(leader)!, 'k'))).toBe('during');
  });

  it('halves of three: one member against two, decided by the seed, the same every time', async () => {
    const decide = async () => {
      const fault = createFault('partition', 'db-*', { grouping: 'halves', seed: 5 }, faultContext(env));
      await fault.start();
      const decided = fault.attributes as { groups: string[][]; links: string[] };
      const downed = await disabledLinks();
      await fault.stop();
      return { ...decided, downed };
    };
    const first = await decide();
    expect(first.groups.map((g) => g.length)).toEqual([1, 2]);
    expect(first.downed).toEqual(first.links);
    expect(first.links).toHaveLength(4);
    expect(await decide()).toEqual(first);
    expect(await disabledLinks()).toEqual([]);
  });
});

describe('the leader of a primary and its replica', () => {
  it('is the primary, asked of PostgreSQL and of Redis; the one link between them goes down', async () => {
    for (const [on, primary, link] of [
      ['pg*', 'pg', 'pg-replica-1-to-pg'],
      ['r|r-*', 'r', 'r-replica-1-to-r'],
    ]) {
      const fault = createFault('partition', on, { grouping: 'leader' }, faultContext(env));
      await fault.start();
      try {
        expect(fault.attributes).toMatchObject({ leader: primary, links: [link] });
        expect(await disabledLinks()).toEqual([link]);
      } finally {
        await fault.stop();
      }
    }
    expect(await disabledLinks()).toEqual([]);
  });
});

describe('a process fault on the leader (pick: leader)', () => {
  it('kills the etcd member that leads when it starts, and says which; the other two elect another and serve; stop restarts it and it catches up; started again, it asks again', async () => {
    const ops: OpInput[] = [];
    const nemesis = new Nemesis({ history: { append: (op) => ops.push(op) }, clock: () => 0, ctx: faultContext(env) });
    const fault = createFault('kill', 'db-*', { pick: 'leader' }, nemesis.ctx);
    await eventually(() => etcd.put(env.components.get('db-1')!, 'killed', 'before'));
    await nemesis.start(fault);
    const leader = (ops[0] as Op & { value: { leader: string } }).value.leader;
    const others = ['db-1', 'db-2', 'db-3'].filter((m) => m !== leader);
    try {
      expect(ops[0]).toMatchObject({ f: 'start-kill', value: { on: 'db-*', pick: 'leader', leader: expect.stringMatching(/^db-[123]$/) } });
      // Only the leader is down: its client port refuses, the others elect a leader between them and take writes.
      await expect(etcd.get(env.components.get(leader)!, 'killed', true)).rejects.toThrow();
      await eventually(() => etcd.put(env.components.get(others[0])!, 'killed', 'during'));
      expect(await etcd.get(env.components.get(others[1])!, 'killed')).toBe('during');
    } finally {
      await nemesis.stop(fault);
    }
    expect(ops.slice(0, 2).map((o) => o.f)).toEqual(['start-kill', 'stop-kill']);
    expect(ops[1]).toMatchObject({ value: { leader } });
    expect(await eventually(() => etcd.get(env.components.get(leader)!, 'killed'))).toBe('during');
    // Started again, it asks again and kills whoever leads now.
    await eventually(() => etcd.put(env.components.get(others[0])!, 'killed', 'after'));
    await nemesis.start(fault);
    const again = (ops[2] as Op & { value: { leader: string } }).value.leader;
    try {
      await expect(etcd.get(env.components.get(again)!, 'killed', true)).rejects.toThrow();
    } finally {
      await nemesis.stop(fault);
    }
    expect(ops.map((o) => o.f)).toEqual(['start-kill', 'stop-kill', 'start-kill', 'stop-kill']);
    expect(await eventually(() => etcd.get(env.components.get(again)!, 'killed'))).toBe('after');
  });

  it('is refused, naming the attribute, for a pick that is neither all nor leader', () => {
    expect(() => createFault('kill', 'db-*', { pick: 'primary' }, faultContext(env))).toThrow(/pick: expected "all" or "leader", got "primary"/);
  });
});
