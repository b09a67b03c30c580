import { describe, expect, it } from 'vitest';
import type { MetricsSample } from '../../history/metrics.ts';
import type { Op, OpInput } from '../../history/op.ts';
import { cachingFigures } from './figures.ts';

const S = 1e9;

/** A history from compact rows: [process, f, key, invoke s, done s, done type, extra of the completion]. */
function history(rows: Array<[number, string, string, number, number, Op['type'], Record<string, unknown>?]>, nemesis: Op[] = []): Op[] {
  const ops: OpInput[] = [...nemesis];
  for (const [process, f, key, at, done, type, extra] of rows) {
    ops.push({ process, type: 'invoke', f, key, value: f === 'write' ? `${process}-${at}` : null, time: at * S });
    ops.push({ process, type, f, key, value: f === 'write' ? `${process}-${at}` : 'seed-k0', time: done * S, latencyMs: (done - at) * 1000, ...extra });
  }
  return ops.sort((a, b) => a.time - b.time).map((op, index) => ({ ...op, index }) as Op);
}

const read = (
  p: number,
  at: number,
  cache: 'hit' | 'miss',
  loaded = cache === 'miss',
): [number, string, string, number, number, Op['type'], Record<string, unknown>] => [p, 'read', 'k0', at, at + 0.01, 'ok', { status: 200, cache, loaded }];

describe('caching figures', () => {
  it('counts hits client-side, latency by kind, and throughput over the load; final reads (k6 teardown, load: false) stay out', () => {
    const rows = [read(1, 1, 'miss'), read(2, 2, 'hit'), read(3, 3, 'hit'), [4, 'write', 'k0', 4, 4.02, 'ok', { version: 2 }] as const, read(0, 10, 'hit')];
    const h = history(rows as Parameters<typeof history>[0]).map((op) => (op.process === 0 ? { ...op, load: false } : op));
    const f = cachingFigures({ history: h, metrics: [], options: { ttlSeconds: 60 }, workload: { keys: 1 } });
    expect(f.operations).toEqual({ invoked: 4, ok: 4, fail: 0, info: 0 });
    expect(f.hitRatio).toMatchObject({ client: 0.6667, redis: null });
    expect(f.durationSeconds).toBeCloseTo(3.02, 3);
    expect(f.dbLoads).toBe(1);
    expect((f.latencyMs as { write: { max: number } }).write.max).toBeCloseTo(20, 6);
  });

  it('takes Redis’s hit ratio and database queries per second from the samples, across a Redis restart', () => {
    const sample = (t: number, hits: number, misses: number, commits: number): MetricsSample => ({
      time: t * S,
      redis: { redis: { keyspace_hits: hits, keyspace_misses: misses } },
      postgres: { postgres: { xact_commit: commits } },
    });
    // Redis restarts between 2 s and 3 s: its counters start again from 0.
    const metrics = [sample(1, 10, 10, 100), sample(2, 30, 10, 111), sample(3, 5, 5, 122)];
    const f = cachingFigures({ history: [], metrics, options: {}, workload: {} });
    // Hits 10 → 30 → (restart) 5: 20 + 5; misses 10 → 10 → (restart) 5: 0 + 5.
    expect(f.hitRatio).toMatchObject({ redis: round(25 / 30) });
    // 11 commits a second, less the sampler's own one.
    expect(f.dbQueriesPerSecond).toEqual({
      mean: 10,
      max: 10,
      series: [
        { second: 2, value: 10 },
        { second: 3, value: 10 },
      ],
    });
  });

  it('splits the herd’s loads into expiry windows, the first the cold start, and leaves windows under a fault out of the means', () => {
    const rows = [
      read(1, 0.0, 'miss'),
      read(2, 0.1, 'miss'),
      read(3, 2.0, 'hit'),
      read(1, 5.0, 'miss'),
      read(2, 5.05, 'miss'),
      read(3, 5.1, 'miss'),
      read(4, 10.0, 'miss'),
      read(5, 15.0, 'hit', true), // an early refresh: a hit that loaded
    ];
    const nemesis: OpInput[] = [
      { process: 'nemesis', type: 'info', f: 'start-kill', value: { on: 'redis' }, time: 9.5 * S },
      { process: 'nemesis', type: 'info', f: 'stop-kill', value: { on: 'redis' }, time: 10.5 * S },
    ];
    const f = cachingFigures({ history: history(rows, nemesis as Op[]), metrics: [], options: { ttlSeconds: 5 }, workload: { hotKey: 'k0' } });
    expect(f.loadsPerExpiry).toEqual({
      expiries: 2,
      loadsMean: 2,
      loadsMax: 3,
      missesMean: 1.5,
      coldStart: { loads: 2, misses: 2 },
      windows: [
        { startSeconds: 0, endSeconds: 0.11, loads: 2, misses: 2, faulted: false },
        { startSeconds: 5, endSeconds: 5.11, loads: 3, misses: 3, faulted: false },
        { startSeconds: 10, endSeconds: 10.01, loads: 1, misses: 1, faulted: true },
        { startSeconds: 15, endSeconds: 15.01, loads: 1, misses: 0, faulted: false },
      ],
    });
    expect(f.faults).toEqual([
      { fault: 'kill', on: 'redis', startSeconds: 9.5, endSeconds: 10.5, invoked: 1, okFraction: 1, readHitRatio: 0, latencyMsP50: expect.closeTo(10, 6) },
    ]);
  });

  it('gives the best hit ratio of an evicting Redis from the key count it held', () => {
    const metrics: MetricsSample[] = [0, 1, 2, 3].map((t) => ({ time: t * S, redis: { redis: { keys: 100 } } }));
    const f = cachingFigures({
      history: [],
      metrics,
      options: { redisMaxmemory: { bytes: 1, policy: 'allkeys-lru' } },
      workload: { keys: 1000, distribution: 'uniform' },
    });
    expect(f.bestHitRatio).toEqual({ capacityItems: 100, topMass: 0.1 });
    expect(cachingFigures({ history: [], metrics, options: {}, workload: { keys: 1000 } }).bestHitRatio).toBeNull();
  });
});

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
