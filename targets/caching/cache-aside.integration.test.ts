import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointUrl, serviceEnv } from '../../runtime/endpoint.ts';
import type { Environment } from '../../runtime/environment.ts';
import { type NodeService, startNodeService } from '../../runtime/local/node-service.ts';
import { startLocalEnvironment } from '../../runtime/local/start-local-environment.ts';
import { caching } from './index.ts';

/** A started service, as the tests reach it. */
type StartedTarget = { url: string };

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function getItem(target: StartedTarget, id: string): Promise<Answer> {
  const res = await fetch(`${target.url}/items/${id}`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function putItem(target: StartedTarget, id: string, value: string): Promise<Answer> {
  const res = await fetch(`${target.url}/items/${id}`, { method: 'PUT', body: JSON.stringify({ value }), signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The tag of a value (what the workload records): the part before the first `:`. */
const tag = (answer: Answer) => String(answer.body.value).split(':')[0];

/** Client-side latencies (sorted, ms) of `count` sequential GETs of one item, each of which must be a hit. */
async function hitLatenciesMs(target: StartedTarget, id: string, count: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const { status, body } = await getItem(target, id);
    latencies.push(performance.now() - started);
    expect(status).toBe(200);
    expect(body.cache).toBe('hit');
  }
  return latencies.sort((a, b) => a - b);
}

const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)];

describe('cache-aside target', () => {
  let runDir: string;
  let env: Environment;
  let target: StartedTarget;
  const extra: NodeService[] = [];

  /** Another cache-aside service on the same Redis and PostgreSQL (directly, not through links), with other options. */
  async function startVariant(name: string, options: Record<string, unknown>): Promise<StartedTarget> {
    const node = (c: { name: string; kind: 'redis' | 'postgres'; host: string; port: number }) => ({
      name: c.name,
      role: 'primary' as const,
      host: c.host,
      port: c.port,
      url: endpointUrl(c.kind, c),
    });
    const redis = env.components.get('redis')!;
    const postgres = env.components.get('postgres')!;
    const world = {
      name,
      replica: 1,
      replicas: 1,
      peers: {},
      endpoints: {
        redis: { kind: 'redis' as const, nodes: [node({ ...redis, kind: 'redis' })] },
        postgres: { kind: 'postgres' as const, nodes: [node({ ...postgres, kind: 'postgres' })] },
      },
    };
    const parsed = caching.patterns['cache-aside'].options.parse(options);
    const service = await startNodeService({
      name,
      file: 'targets/caching/server.ts',
      env: { ...serviceEnv(world), PB_PATTERN: 'cache-aside', PB_OPTIONS: JSON.stringify(parsed) },
      runDir,
    });
    extra.push(service);
    return { url: service.url };
  }

  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), 'patternbench-cache-aside-'));
    const pattern = caching.patterns['cache-aside'];
    env = await startLocalEnvironment(pattern.topology(pattern.options.parse({})), { runDir });
    target = { url: env.services.get('target')![0] };
  });

  afterAll(async () => {
    for (const service of extra) await service.stop();
    await env?.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('serves a seeded 1 KB item from PostgreSQL on a miss (loading it), then from Redis', async () => {
    const miss = await getItem(target, 'k1');
    expect(miss).toMatchObject({ status: 200, body: { id: 'k1', version: 1, cache: 'miss', loaded: true } });
    expect(String(miss.body.value)).toHaveLength(1000);
    expect(tag(miss)).toBe('seed-k1');
    expect(await getItem(target, 'k1')).toMatchObject({ status: 200, body: { id: 'k1', version: 1, cache: 'hit', loaded: false } });
  });

  it('invalidates on put: the next read misses and sees the new version', async () => {
    await getItem(target, 'k2');
    expect((await getItem(target, 'k2')).body.cache).toBe('hit');
    expect(await putItem(target, 'k2', 'new')).toEqual({ status: 200, body: { id: 'k2', version: 2 } });
    expect(await getItem(target, 'k2')).toMatchObject({ status: 200, body: { id: 'k2', value: 'new', version: 2, cache: 'miss' } });
    expect(await getItem(target, 'k2')).toMatchObject({ status: 200, body: { id: 'k2', value: 'new', version: 2, cache: 'hit' } });
  });

  it('creates an absent item on put and forgets a deleted one', async () => {
    expect((await getItem(target, 'fresh')).status).toBe(404);
    expect(await putItem(target, 'fresh', 'v')).toEqual({ status: 200, body: { id: 'fresh', version: 1 } });
    expect((await getItem(target, 'fresh')).body).toMatchObject({ value: 'v', version: 1 });
    expect((await fetch(`${target.url}/items/fresh`, { method: 'DELETE' })).status).toBe(204);
    expect((await getItem(target, 'fresh')).status).toBe(404);
  });

  it('refuses a put whose body is not {"value": string} with 400', async () => {
    const res = await fetch(`${target.url}/items/k3`, { method: 'PUT', body: '{"value": 3}' });
    expect(res.status).toBe(400);
    expect(tag(await getItem(target, 'k3'))).toBe('seed-k3');
  });

  it('hit-path latency follows a 100 ms latency toxic on target-to-redis, and recovers when it is removed', async () => {
    await getItem(target, 'k4'); // cache it
    const baseline = await hitLatenciesMs(target, 'k4', 20);
    const link = await new Toxiproxy(env.toxiproxyUrl).get('target-to-redis');
    const toxic = await link.addToxic({ name: 'redis-latency', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 0 } });
    let withToxic: number[];
    try {
      withToxic = await hitLatenciesMs(target, 'k4', 20);
    } finally {
      await toxic.remove();
    }
    const recovered = await hitLatenciesMs(target, 'k4', 20);
    // Every hit waits for Redis's reply, so none can beat the toxic's 100 ms…
    expect(withToxic[0]).toBeGreaterThanOrEqual(100);
    // …and the typical hit under it is 100 ms slower than the fastest without
    // it. (Two medians differ by 100 ms ± noise, so comparing them would fail
    // half the time without saying anything about the target.)
    expect(median(withToxic) - baseline[0]).toBeGreaterThanOrEqual(100);
    expect(Math.abs(median(recovered) - median(baseline))).toBeLessThanOrEqual(50);
  });

  for (const partition of [
    { name: 'down (connections refused)', toxic: undefined },
    { name: 'blackholed (no answer)', toxic: { type: 'timeout', attributes: { timeout: 0 } } },
  ]) {
    it(`keeps answering reads and writes from PostgreSQL while Redis is ${partition.name}`, async () => {
      const proxy = await new Toxiproxy(env.toxiproxyUrl).get('target-to-redis');
      const toxic = partition.toxic
        ? await proxy.addToxic({
            name: 'redis-partition',
            type: partition.toxic.type as 'timeout',
            stream: 'upstream',
            toxicity: 1,
            attributes: partition.toxic.attributes,
          })
        : undefined;
      if (!toxic) await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
      try {
        const read = await getItem(target, 'k5');
        expect(read).toMatchObject({ status: 200, body: { id: 'k5', cache: 'miss', loaded: true } });
        expect(tag(read)).toBe('seed-k5');
        const written = await putItem(target, 'k6', `during-${partition.name}`);
        expect(written.status).toBe(200);
        expect(await getItem(target, 'k6')).toMatchObject({ status: 200, body: { value: `during-${partition.name}`, version: written.body.version } });
      } finally {
        if (toxic) await toxic.remove();
        else await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
      }
    });
  }

  it('TTL-only invalidation serves the old value after a write until the TTL ends it; version invalidation never does', async () => {
    const ttl = await startVariant('ttl-only', { invalidation: 'ttl', ttlSeconds: 2 });
    const version = await startVariant('version', { invalidation: 'version', ttlSeconds: 2 });
    for (const [variant, id] of [
      [ttl, 'k10'],
      [version, 'k11'],
    ] as const) {
      await getItem(variant, id);
      expect((await getItem(variant, id)).body.cache).toBe('hit');
      expect(await putItem(variant, id, 'new')).toMatchObject({ status: 200, body: { version: 2 } });
    }
    // TTL only: the cached seed is served as a hit, version 1, after version 2 committed…
    expect(await getItem(ttl, 'k10')).toMatchObject({ body: { version: 1, cache: 'hit' } });
    // …version: the read sees the cached copy is version 1, PostgreSQL's 2, and reloads.
    expect(await getItem(version, 'k11')).toMatchObject({ body: { value: 'new', version: 2, cache: 'miss', loaded: true } });
    expect(await getItem(version, 'k11')).toMatchObject({ body: { value: 'new', version: 2, cache: 'hit', loaded: false } });
    // Once the TTL is over, the TTL-only copy is gone and the new value shows.
    await sleep(2_500);
    expect(await getItem(ttl, 'k10')).toMatchObject({ body: { value: 'new', version: 2, cache: 'miss' } });
  });

  it('an in-process tier serves its copy without Redis, and a write through the same replica drops it', async () => {
    const near = await startVariant('local-tier', { localTier: { policy: 's3-fifo', capacity: 10, ttlMs: 60_000 } });
    expect(await getItem(near, 'k12')).toMatchObject({ body: { cache: 'miss', loaded: true } });
    // Redis loses its copy; the replica's own still answers.
    const redis = env.components.get('redis')!;
    const client = createClient({ socket: { host: redis.host, port: redis.port } });
    await client.connect();
    await client.del('item:k12');
    client.destroy();
    expect(await getItem(near, 'k12')).toMatchObject({ body: { version: 1, cache: 'hit', loaded: false, tier: 'local' } });
    await putItem(near, 'k12', 'new');
    expect(await getItem(near, 'k12')).toMatchObject({ body: { value: 'new', version: 2, cache: 'miss' } });
  });
});
