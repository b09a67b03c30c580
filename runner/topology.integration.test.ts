import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { readMetrics } from '../history/metrics.ts';
import type { Environment } from '../runtime/environment.ts';
import { startLocalEnvironment } from '../runtime/local/start-local-environment.ts';
import { Sampler } from './sampler.ts';

const probeService = 'runner/fixtures/probe-service.ts';
const runDir = mkdtempSync(join(tmpdir(), 'patternbench-topology-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

/** What service replica `name` can reach now: `{ node: 'ok' | error }`. A downed link refuses at once; the probe's 5 s timeouts are for a busy machine. */
async function probe(env: Environment, service: string, replica: number): Promise<Record<string, string>> {
  const url = env.services.get(service)![replica - 1];
  return (await (await fetch(`${url}/probe`, { signal: AbortSignal.timeout(30_000) })).json()) as Record<string, string>;
}

const reached = (answers: Record<string, string>) =>
  Object.entries(answers)
    .filter(([, a]) => a === 'ok')
    .map(([n]) => n)
    .sort();

async function setEnabled(env: Environment, link: string, enabled: boolean): Promise<void> {
  const proxy = await new Toxiproxy(env.toxiproxyUrl).get(link);
  await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
}

describe('a topology of named instances: two PostgreSQL (one with a replica), two Redis, two replicas of one service', () => {
  let env: Environment;
  const stores = ['cache-1', 'cache-2', 'shard-a', 'shard-a-replica-1', 'shard-b'];

  beforeAll(async () => {
    env = await startLocalEnvironment(
      {
        postgres: { 'shard-a': { replicas: 1 }, 'shard-b': {} },
        redis: { 'cache-1': {}, 'cache-2': {} },
        services: { target: { file: probeService, replicas: 2, uses: ['shard-a', 'shard-b', 'cache-1', 'cache-2'] } },
      },
      { runDir: join(runDir, 'named') },
    );
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('gives each replica a link of its own to every node, and nothing else', () => {
    for (const replica of ['target-1', 'target-2']) {
      expect(
        [...env.links.values()]
          .filter((l) => l.from === replica)
          .map((l) => l.to)
          .sort(),
      ).toEqual(stores);
    }
    expect(env.links.has('shard-a-replica-1-to-shard-a')).toBe(true);
  });

  it('reaches each node only through its own named link: downing one cuts exactly that node off exactly that replica', async () => {
    expect(reached(await probe(env, 'target', 1))).toEqual(stores);
    for (const store of stores) {
      const link = `target-1-to-${store}`;
      await setEnabled(env, link, false);
      try {
        expect(reached(await probe(env, 'target', 1)), link).toEqual(stores.filter((s) => s !== store));
        expect(reached(await probe(env, 'target', 2)), link).toEqual(stores);
      } finally {
        await setEnabled(env, link, true);
      }
    }
  });

  it('samples every Redis and PostgreSQL instance and every process into metrics.jsonl', async () => {
    const path = join(runDir, 'named', 'metrics.jsonl');
    const cache1 = env.components.get('cache-1')!;
    const client = createClient({ socket: { host: cache1.host, port: cache1.port } });
    await client.connect();
    await client.mSet({ a: '1', b: '2', c: '3' });
    client.destroy();
    const start = process.hrtime.bigint();
    const sampler = new Sampler(env, path, () => Number(process.hrtime.bigint() - start));
    await sampler.start(300);
    // Until two samples, the last one with every source answering (each has 900 ms): a loaded machine may take longer.
    const answered = (last = readMetrics(path).at(-1)) =>
      [...Object.values(last?.redis ?? {}), ...Object.values(last?.postgres ?? {})].every((s) => !('error' in s));
    const deadline = Date.now() + 15_000;
    while ((readMetrics(path).length < 2 || !answered()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await sampler.stop();
    const samples = readMetrics(path);
    expect(samples.length).toBeGreaterThanOrEqual(2);
    const last = samples.at(-1)!;
    expect(Object.keys(last.redis ?? {}).sort()).toEqual(['cache-1', 'cache-2']);
    expect(Object.keys(last.postgres ?? {}).sort()).toEqual(['shard-a', 'shard-a-replica-1', 'shard-b']);
    for (const source of [...Object.values(last.redis!), ...Object.values(last.postgres!)]) expect(source).not.toHaveProperty('error');
    // How many keys each Redis holds: three written into cache-1, none into cache-2.
    expect(last.redis!['cache-1']).toMatchObject({ keys: 3 });
    expect(last.redis!['cache-2']).toMatchObject({ keys: 0 });
    expect(last.postgres!['shard-a-replica-1']).toMatchObject({ replay_lag_ms: expect.any(Number) });
    expect(last.postgres!['shard-a']).toMatchObject({ replay_lag_ms: -1 });
    // WAL positions in bytes: written on the primary, replayed on the replica (sampled a moment apart, so not compared here).
    for (const name of ['shard-a', 'shard-a-replica-1']) expect((last.postgres![name] as Record<string, number>).wal_lsn).toBeGreaterThan(0);
    expect(Object.keys(last.processes ?? {}).sort()).toEqual([...stores, 'target-1', 'target-2', 'toxiproxy'].sort());
  });
});

describe('three service replicas that talk to each other', () => {
  let env: Environment;

  beforeAll(async () => {
    env = await startLocalEnvironment({ services: { target: { file: probeService, replicas: 3, peers: true } } }, { runDir: join(runDir, 'peers') });
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('has a link for every ordered pair', () => {
    expect([...env.links.keys()].sort()).toEqual([
      'target-1-to-target-2',
      'target-1-to-target-3',
      'target-2-to-target-1',
      'target-2-to-target-3',
      'target-3-to-target-1',
      'target-3-to-target-2',
    ]);
  });

  it('cut 1 off from 2 in both directions: 1 and 2 no longer reach each other, both still reach 3, and 3 reaches both', async () => {
    for (const n of [1, 2, 3]) expect(Object.values(await probe(env, 'target', n))).toEqual(['ok', 'ok']);
    await setEnabled(env, 'target-1-to-target-2', false);
    await setEnabled(env, 'target-2-to-target-1', false);
    try {
      expect(reached(await probe(env, 'target', 1))).toEqual(['target-3']);
      expect(reached(await probe(env, 'target', 2))).toEqual(['target-3']);
      expect(reached(await probe(env, 'target', 3))).toEqual(['target-1', 'target-2']);
    } finally {
      await setEnabled(env, 'target-1-to-target-2', true);
      await setEnabled(env, 'target-2-to-target-1', true);
    }
    expect(reached(await probe(env, 'target', 1))).toEqual(['target-2', 'target-3']);
  });
});
