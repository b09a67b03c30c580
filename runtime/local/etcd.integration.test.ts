import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Component } from '../component.ts';
import type { Endpoint } from '../endpoint.ts';
import type { Environment } from '../environment.ts';
import { startLocalEnvironment } from './start-local-environment.ts';

const runDir = mkdtempSync(join(tmpdir(), 'patternbench-etcd-test-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

/**
 * Runs `fn` on a fresh client of one member, rejecting after `timeoutMs`: a
 * fresh client each time so no circuit breaker from an earlier failure skews
 * the next attempt, and a hard race so the client's own retries cannot
 * stretch the bound.
 */
async function on<T>(endpoint: Endpoint, fn: (c: Etcd3) => Promise<T>, timeoutMs = 2_000): Promise<T> {
  const client = new Etcd3({
    hosts: `http://${endpoint.host}:${endpoint.port}`,
    dialTimeout: timeoutMs,
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeoutMs }),
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from ${endpoint.port} in ${timeoutMs} ms`)), timeoutMs + 500);
  });
  try {
    return await Promise.race([fn(client), timeout]);
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

/** Retries `fn` until it succeeds, for at most `withinMs` (elections and catch-up take a moment). */
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

const put = (e: Endpoint, key: string, value: string) => on(e, (c) => c.put(key).value(value).exec());
/** A linearizable read (etcd3's default). */
const get = (e: Endpoint, key: string, timeoutMs?: number) => on(e, (c) => c.get(key).string(), timeoutMs);

/** Bytes a member's raft transport has received from each peer, by peer member id (hex), from its own /metrics. */
async function receivedBytes(member: Component): Promise<Map<string, number>> {
  const text = await (await fetch(`http://${member.host}:${member.port}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^etcd_network_peer_received_bytes_total\{From="([0-9a-f]+)"\} (\S+)$/gm)) out.set(m[1], Number(m[2]));
  return out;
}

describe('a single etcd member', () => {
  it('serves put and get at its client port, with no peer links', async () => {
    await using env = await startLocalEnvironment({ etcd: { solo: { members: 1 } } }, { runDir: join(runDir, 'single') });
    expect([...env.links.keys()]).toEqual([]);
    const solo = env.components.get('solo-1')!;
    expect(solo.kind).toBe('etcd');
    await put(solo, 'greeting', 'hello');
    expect(await get(solo, 'greeting')).toBe('hello');
  });
});

describe('a 3-member etcd cluster', () => {
  let env: Environment;
  const member = (n: number): Component => env.components.get(`etcd-${n}`)!;
  const killable = (n: number) => member(n) as Component & { kill(): Promise<void>; restart(): Promise<void>; pause(): Promise<void>; resume(): Promise<void> };
  let ids: string[] = [];

  async function setEnabled(name: string, enabled: boolean): Promise<void> {
    const proxy = await new Toxiproxy(env.toxiproxyUrl).get(name);
    await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
  }

  /** Which member (1-based) is the leader, once all three agree. */
  async function leader(): Promise<number> {
    return eventually(async () => {
      const statuses = await Promise.all([1, 2, 3].map((n) => on(member(n), (c) => c.maintenance.status())));
      const leaderId = statuses[0].leader;
      if (!statuses.every((s) => s.leader === leaderId)) throw new Error('members disagree on the leader');
      const index = statuses.findIndex((s) => s.header.member_id === leaderId);
      if (index < 0) throw new Error('no leader');
      return index + 1;
    });
  }

  beforeAll(async () => {
    env = await startLocalEnvironment({ etcd: { etcd: { members: 3 } } }, { runDir: join(runDir, 'cluster') });
    ids = await Promise.all([1, 2, 3].map(async (n) => BigInt((await on(member(n), (c) => c.maintenance.status())).header.member_id).toString(16)));
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('has one peer link per ordered pair of members, and logs per member', () => {
    expect([...env.links.keys()].sort()).toEqual([
      'etcd-1-to-etcd-2',
      'etcd-1-to-etcd-3',
      'etcd-2-to-etcd-1',
      'etcd-2-to-etcd-3',
      'etcd-3-to-etcd-1',
      'etcd-3-to-etcd-2',
    ]);
    expect(readFileSync(join(runDir, 'cluster', 'logs', 'etcd-2.log'), 'utf8')).toContain('etcd-2');
  });

  it('reads through member 3 what was written through member 1', async () => {
    await put(member(1), 'k', 'v1');
    expect(await get(member(3), 'k')).toBe('v1');
  });

  it('keeps serving writes with one member killed, and the restarted member catches up', async () => {
    await killable(2).kill();
    await eventually(() => put(member(1), 'k', 'while-2-dead'));
    await eventually(() => put(member(3), 'k2', 'also-while-2-dead'));
    await expect(get(member(2), 'k', 1_000)).rejects.toThrow();
    await killable(2).restart();
    const log = readFileSync(join(runDir, 'cluster', 'logs', 'etcd-2.log'), 'utf8');
    expect(log.match(/"initial-cluster-state":"(\w+)"/g)).toEqual(['"initial-cluster-state":"new"', '"initial-cluster-state":"existing"']);
    expect(await eventually(() => get(member(2), 'k'))).toBe('while-2-dead');
    expect(await eventually(() => get(member(2), 'k2'))).toBe('also-while-2-dead');
  });

  it('stops answering while paused and catches up when resumed', async () => {
    const paused = (await leader()) === 3 ? 2 : 3;
    await killable(paused).pause();
    try {
      await eventually(() => put(member(1), 'k', 'while-paused'));
      await expect(get(member(paused), 'k', 1_000)).rejects.toThrow();
    } finally {
      await killable(paused).resume();
    }
    expect(await eventually(() => get(member(paused), 'k'))).toBe('while-paused');
  });

  it('cut off from each other in both directions, the leader and a follower exchange nothing while both still reach the third member', async () => {
    const l = await leader();
    const f = l === 3 ? 2 : 3;
    const third = 6 - l - f;
    await setEnabled(`etcd-${l}-to-etcd-${f}`, false);
    await setEnabled(`etcd-${f}-to-etcd-${l}`, false);
    try {
      await new Promise((r) => setTimeout(r, 1_500)); // connections cut, fallbacks tried
      const heard = () => Promise.all([1, 2, 3].map((n) => receivedBytes(member(n))));
      const before = await heard();
      await new Promise((r) => setTimeout(r, 2_500)); // past an election timeout (1 s): the follower's pre-votes go to the third member
      const after = await heard();
      /** Bytes member `to` received from member `from` in the window. */
      const delta = (from: number, to: number) => (after[to - 1].get(ids[from - 1]) ?? 0) - (before[to - 1].get(ids[from - 1]) ?? 0);
      expect(delta(f, l), 'the leader heard from the cut-off follower').toBe(0);
      expect(delta(l, f), 'the follower heard from the leader').toBe(0);
      expect(delta(l, third), 'the third member heard from the leader').toBeGreaterThan(0);
      expect(delta(third, l), 'the leader heard from the third member').toBeGreaterThan(0);
      expect(delta(f, third), 'the third member heard from the follower').toBeGreaterThan(0);
      // The majority (leader and third) serves; the follower, cut from the leader, cannot serve a linearizable read.
      await eventually(() => put(member(third), 'k3', 'during-cut'), 10_000);
      await expect(get(member(f), 'k3')).rejects.toThrow();
    } finally {
      await setEnabled(`etcd-${l}-to-etcd-${f}`, true);
      await setEnabled(`etcd-${f}-to-etcd-${l}`, true);
    }
    expect(await eventually(() => get(member(f), 'k3'))).toBe('during-cut');
  });

  it('disabling one direction of a pair alone cuts nothing for good: each side falls back to the connections the other dialled', async () => {
    const l = await leader();
    const f = l === 3 ? 2 : 3;
    await setEnabled(`etcd-${f}-to-etcd-${l}`, false);
    try {
      await new Promise((r) => setTimeout(r, 2_000)); // past an election timeout, had the follower really been cut off
      await eventually(() => put(member(f), 'k', 'one-way-down'), 5_000);
      expect(await get(member(f), 'k')).toBe('one-way-down');
    } finally {
      await setEnabled(`etcd-${f}-to-etcd-${l}`, true);
    }
  });
});
