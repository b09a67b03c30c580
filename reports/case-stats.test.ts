import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeCaseStats, MAX_BUCKETS, quantiles } from './case-stats.ts';
import { synthesizeRun } from './fixtures/synthesize-run.ts';
import { forEachLine } from './read-lines.ts';

const dir = mkdtempSync(join(tmpdir(), 'case-stats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ms = (n: number) => n * 1e6;
const write = (name: string, ops: object[]) => {
  const path = join(dir, name);
  writeFileSync(path, `${ops.map((o) => JSON.stringify(o)).join('\n')}\n`);
  return path;
};

describe('computeCaseStats', () => {
  const path = write('h.jsonl', [
    { process: 0, type: 'invoke', f: 'read', key: 'a', value: null, time: 0 },
    { process: 0, type: 'ok', f: 'read', key: 'a', value: 1, cache: 'hit', latencyMs: 4, time: ms(4) },
    { process: 'nemesis', type: 'info', f: 'start-latency', value: { on: 'target-to-redis', latency: 100 }, time: ms(5) },
    { process: 1, type: 'invoke', f: 'write', key: 'a', value: 2, time: ms(6) },
    // No latencyMs: the time since its invoke.
    { process: 1, type: 'ok', f: 'write', key: 'a', value: 2, time: ms(16) },
    { process: 0, type: 'invoke', f: 'read', key: 'a', value: null, time: ms(20) },
    { process: 0, type: 'ok', f: 'read', key: 'a', value: 2, cache: 'miss', latencyMs: 30, time: ms(50) },
    { process: 'nemesis', type: 'info', f: 'stop-latency', value: { on: 'target-to-redis', latency: 100 }, time: ms(60) },
    { process: 2, type: 'invoke', f: 'read', key: 'b', value: null, time: ms(70) },
    { process: 2, type: 'info', f: 'read', key: 'b', value: null, latencyMs: 2000, time: ms(2070) },
    { process: 3, type: 'invoke', f: 'write', key: 'b', value: 3, time: ms(2080) },
    { process: 3, type: 'fail', f: 'write', key: 'b', value: 3, latencyMs: 1, time: ms(2081) },
    { process: 'nemesis', type: 'info', f: 'start-kill', value: { on: 'redis' }, time: ms(2090) },
    { process: 4, type: 'invoke', f: 'read', key: 'c', value: null, time: ms(2095) },
  ]);
  const s = computeCaseStats(path, { hitRatio: { label: 'hit ratio', f: 'read', field: 'cache', equals: 'hit' } });

  it('counts client ops by outcome; fault events are not ops, an invoke without completion is open', () => {
    expect([s.ops, s.ok, s.fail, s.info, s.open, s.errors]).toEqual([6, 3, 1, 1, 1, 2]);
    expect(s.errorRate).toBeCloseTo(2 / 5);
    expect(s.availability).toBeCloseTo(3 / 5);
  });

  it('takes latency from latencyMs, else from the invoke, over every completion; nearest-rank quantiles', () => {
    expect(s.latencyMs).toEqual({ p50: 10, p95: 2000, p99: 2000, max: 2000 });
  });

  it('throughput is ok completions a second from the first invoke to the last completion', () => {
    expect(s.loadNs).toEqual({ start: 0, end: ms(2081) });
    expect(s.throughput).toBeCloseTo(3 / 2.081);
  });

  it('pairs start and stop into fault windows; one never stopped runs to the end of the history', () => {
    expect(s.windows).toEqual([
      { fault: 'latency', on: 'target-to-redis', startNs: ms(5), endNs: ms(60), open: false },
      { fault: 'kill', on: 'redis', startNs: ms(2090), endNs: ms(2095), open: true },
    ]);
  });

  it('counts a history ratio over the ok completions that carry its field', () => {
    expect(s.ratios.hitRatio).toEqual({ value: 0.5, counted: 2 });
  });

  it('buckets the run into a series whose rates add up to the counts', () => {
    const { bucketMs, rows } = s.series;
    const total = rows.reduce((a, r) => a + ((r.okPerS + r.failPerS + r.infoPerS) * bucketMs) / 1000, 0);
    expect(total).toBeCloseTo(5);
    expect(rows[0].tS).toBe(0);
    expect(rows.at(-1)!.tS * 1000).toBeLessThanOrEqual(2095);
  });

  it('names the file and line of a line that is not JSON', () => {
    const bad = write('bad.jsonl', [{ process: 0, type: 'invoke', f: 'read', time: 0 }]);
    writeFileSync(bad, '{"process":0,"type":"invoke","f":"read","time":0}\n{oops\n');
    expect(() => computeCaseStats(bad)).toThrow(/bad\.jsonl:2: not JSON/);
  });

  it('never draws more than MAX_BUCKETS buckets, whatever the length of the run', () => {
    synthesizeRun(join(dir, 'long'), { rate: 50, cases: [{ name: 'c', ops: 50 * 600 }] });
    const long = computeCaseStats(join(dir, 'long', 'c', 'history.jsonl'));
    expect(long.series.rows.length).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(long.ops).toBe(50 * 600);
  });
});

describe('quantiles', () => {
  it('are nearest-rank, ignore non-finite values, and are undefined for none', () => {
    expect(quantiles(Float64Array.from([5, 1, 3, 2, 4]))).toEqual({ p50: 3, p95: 5, p99: 5, max: 5 });
    expect(quantiles(Float64Array.from({ length: 100 }, (_, i) => 100 - i))).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
    expect(quantiles(Float64Array.from([Number.NaN]))).toBeUndefined();
  });
});

describe('forEachLine', () => {
  it('keeps multi-byte characters whole across its 4 MB reads and numbers lines from 1', () => {
    const path = join(dir, 'utf8.jsonl');
    // The first line ends 1 byte short of 4 MB, so the second's "é" straddles the chunk boundary.
    const first = 'x'.repeat(4 * 1024 * 1024 - 2);
    writeFileSync(path, `${first}\n"é€😀"\n\n  \nlast`);
    const seen: Array<[string, number]> = [];
    forEachLine(path, (text, line) => seen.push([text.length > 20 ? `${text.length}` : text, line]));
    expect(seen).toEqual([
      [`${first.length}`, 1],
      ['"é€😀"', 2],
      ['last', 5],
    ]);
  });
});
