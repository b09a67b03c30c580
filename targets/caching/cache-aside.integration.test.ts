import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import type { Environment } from '../../runtime/environment.ts';
import { startLocalEnvironment } from '../../runtime/local/start-local-environment.ts';
import { caching } from './index.ts';

/** A started service, as the tests reach it. */
type StartedTarget = { url: string };

/** The item as the target answers for it: HTTP status and JSON body. */
async function getItem(target: StartedTarget, id: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${target.url}/items/${id}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function putItem(target: StartedTarget, id: string, value: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${target.url}/items/${id}`, { method: 'PUT', body: JSON.stringify({ value }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

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

  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), 'patternbench-cache-aside-'));
    const pattern = caching.patterns['cache-aside'];
    env = await startLocalEnvironment(pattern.topology(pattern.options.parse({})), { runDir });
    target = { url: env.services.get('target')![0] };
  });

  afterAll(async () => {
    await env?.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('serves a seeded item from PostgreSQL on a miss, then from Redis', async () => {
    expect(await getItem(target, 'k1')).toEqual({ status: 200, body: { id: 'k1', value: 'seed-1', version: 1, cache: 'miss' } });
    expect(await getItem(target, 'k1')).toEqual({ status: 200, body: { id: 'k1', value: 'seed-1', version: 1, cache: 'hit' } });
  });

  it('invalidates on put: the next read misses and sees the new version', async () => {
    await getItem(target, 'k2');
    expect((await getItem(target, 'k2')).body.cache).toBe('hit');
    expect(await putItem(target, 'k2', 'new')).toEqual({ status: 200, body: { id: 'k2', version: 2 } });
    expect(await getItem(target, 'k2')).toEqual({ status: 200, body: { id: 'k2', value: 'new', version: 2, cache: 'miss' } });
    expect(await getItem(target, 'k2')).toEqual({ status: 200, body: { id: 'k2', value: 'new', version: 2, cache: 'hit' } });
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
    expect((await getItem(target, 'k3')).body).toMatchObject({ value: 'seed-3', version: 1 });
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

  it('answers 503 within a few seconds when Redis is blackholed', async () => {
    const link = await new Toxiproxy(env.toxiproxyUrl).get('target-to-redis');
    const toxic = await link.addToxic({ name: 'redis-blackhole', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } });
    try {
      const res = await fetch(`${target.url}/items/k5`, { signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: string }).error).not.toBe('');
    } finally {
      await toxic.remove();
    }
  });
});
