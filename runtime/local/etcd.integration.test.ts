import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint, Link } from '../environment.ts';
import { startEtcdCluster, type StartedEtcdCluster } from './etcd.ts';
import { createLink } from './links.ts';
import { startToxiproxyServer, type ToxiproxyServer } from './toxiproxy-server.ts';

const runDir = mkdtempSync(join(tmpdir(), 'patternbench-etcd-test-'));
let toxiproxyServer: ToxiproxyServer;
let toxiproxy: Toxiproxy;

/** The `link` callback the local environment gives etcd: one real Toxiproxy proxy. */
const link = (name: string, upstream: Endpoint): Promise<Link> => createLink(toxiproxyServer.apiUrl, name, upstream);

async function setEnabled(name: string, enabled: boolean): Promise<void> {
  const proxy = await toxiproxy.get(name);
  await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
}

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

beforeAll(async () => {
  toxiproxyServer = await startToxiproxyServer({ runDir });
  toxiproxy = new Toxiproxy(toxiproxyServer.apiUrl);
});

afterAll(async () => {
  await toxiproxyServer?.stop();
  rmSync(runDir, { recursive: true, force: true });
});

describe('a single etcd member', () => {
  it('serves put and get through its client link, and only through Toxiproxy', async () => {
    const dir = join(runDir, 'single');
    const single = await startEtcdCluster({ members: 1, runDir: dir, link: (name, up) => link(`single-${name}`, up) });
    try {
      expect(single.links.map((l) => l.name)).toEqual(['single-target-to-etcd-1']);
      const [endpoint] = single.clientEndpoints;
      expect(endpoint).toEqual(single.links[0].listen);
      expect(endpoint.port).not.toBe(single.components[0].port);
      await put(endpoint, 'greeting', 'hello');
      expect(await get(endpoint, 'greeting')).toBe('hello');
      await setEnabled('single-target-to-etcd-1', false);
      await expect(get(endpoint, 'greeting')).rejects.toThrow();
    } finally {
      await single.components[0].stop();
    }
  });
});

describe('a 3-member etcd cluster', () => {
  let cluster: StartedEtcdCluster;
  const member = (n: 1 | 2 | 3) => cluster.clientEndpoints[n - 1];

  /** Which member (1-based) is the leader, as member 1 sees it once all agree. */
  async function leader(): Promise<1 | 2 | 3> {
    return eventually(async () => {
      const statuses = await Promise.all([1, 2, 3].map((n) => on(member(n as 1 | 2 | 3), (c) => c.maintenance.status())));
      const leaderId = statuses[0].leader;
      if (!statuses.every((s) => s.leader === leaderId)) throw new Error('members disagree on the leader');
      const index = statuses.findIndex((s) => s.header.member_id === leaderId);
      if (index < 0) throw new Error('no leader');
      return (index + 1) as 1 | 2 | 3;
    });
  }

  beforeAll(async () => {
    cluster = await startEtcdCluster({ members: 3, runDir: join(runDir, 'cluster'), link });
  });

  afterAll(async () => {
    await Promise.all(cluster?.components.map((c) => c.stop()) ?? []);
  });

  it('names its links as the runtime does and logs per member', () => {
    expect(cluster.links.map((l) => l.name).sort()).toEqual(
      ['target-to-etcd-1', 'target-to-etcd-2', 'target-to-etcd-3', 'peers-to-etcd-1', 'peers-to-etcd-2', 'peers-to-etcd-3'].sort(),
    );
    expect(cluster.components.map((c) => c.name)).toEqual(['etcd-1', 'etcd-2', 'etcd-3']);
  });

  it('reads through member 3 what was written through member 1', async () => {
    await put(member(1), 'k', 'v1');
    expect(await get(member(3), 'k')).toBe('v1');
  });

  it('keeps serving writes with one member killed, and the restarted member catches up', async () => {
    const victim = cluster.components[1];
    await victim.kill();
    await eventually(() => put(member(1), 'k', 'while-2-dead'));
    await eventually(() => put(member(3), 'k2', 'also-while-2-dead'));
    await expect(get(member(2), 'k', 1_000)).rejects.toThrow();
    await victim.restart();
    const log = readFileSync(join(runDir, 'cluster', 'logs', 'etcd-2.log'), 'utf8');
    expect(log.match(/"initial-cluster-state":"(\w+)"/g)).toEqual(['"initial-cluster-state":"new"', '"initial-cluster-state":"existing"']);
    expect(await eventually(() => get(member(2), 'k'))).toBe('while-2-dead');
    expect(await eventually(() => get(member(2), 'k2'))).toBe('also-while-2-dead');
  });

  it('stops answering while paused and catches up when resumed', async () => {
    const paused: 2 | 3 = (await leader()) === 3 ? 2 : 3;
    await cluster.components[paused - 1].pause();
    try {
      await eventually(() => put(member(1), 'k', 'while-paused'));
      await expect(get(member(paused), 'k', 1_000)).rejects.toThrow();
    } finally {
      await cluster.components[paused - 1].resume();
    }
    expect(await eventually(() => get(member(paused), 'k'))).toBe('while-paused');
  });

  it('is not partitioned by disabling one member’s peer link alone: etcd reroutes over the others', async () => {
    const n = (await leader()) === 3 ? 2 : 3;
    await setEnabled(`peers-to-etcd-${n}`, false);
    try {
      // Long enough for an election timeout (1 s) to pass had the member really been cut off.
      await new Promise((r) => setTimeout(r, 2_000));
      await eventually(() => put(member(n), 'k', `through-${n}-with-its-peer-link-down`), 5_000);
      expect(await get(member(n), 'k')).toBe(`through-${n}-with-its-peer-link-down`);
    } finally {
      await setEnabled(`peers-to-etcd-${n}`, true);
    }
  });

  it('cuts a member off by disabling its peer link and the leader’s: the majority serves, it cannot, then it catches up', async () => {
    const l = await leader();
    const x = l === 3 ? 2 : 3;
    const bridge = ([1, 2, 3] as const).find((m) => m !== l && m !== x)!;
    await setEnabled(`peers-to-etcd-${x}`, false);
    await setEnabled(`peers-to-etcd-${l}`, false);
    try {
      await eventually(() => put(member(l), 'k', 'during-partition'), 10_000);
      await eventually(() => put(member(bridge), 'k3', 'via-bridge'), 10_000);
      expect(await get(member(bridge), 'k')).toBe('during-partition');
      await expect(put(member(x), 'k', 'from-the-cut-off-member')).rejects.toThrow();
      await expect(get(member(x), 'k')).rejects.toThrow();
    } finally {
      await setEnabled(`peers-to-etcd-${x}`, true);
      await setEnabled(`peers-to-etcd-${l}`, true);
    }
    expect(await eventually(() => get(member(x), 'k'))).toBe('during-partition');
    expect(await eventually(() => get(member(x), 'k3'))).toBe('via-bridge');
  });
});
