/**
 * Benchmark: the harness's own ceiling. The highest request rate the caching
 * workload drives on cache-aside's hit path while recording every operation
 * into the history, as a ratio of the same k6 script with recording off
 * (`RECORD=false`: `record()` logs nothing), side by side. Goal ≥ 0.9:
 * recording what clients saw must not be what limits the load.
 *
 * Both sides run exactly as a suite's case does: the runner's `runK6` (k6
 * with its console output to a file, its summary and web-dashboard export),
 * the workload script, the same service; with recording on, the runner's
 * history tail appends every line to a history.jsonl as it comes. The load
 * is the workload's open model asked for far more than can be served
 * (RATE 20000) with a fixed pool of VUs, so each VU sends its next request
 * as soon as it may: the achieved rate is the ceiling. Every request is a
 * hit (10 keys, read before the rounds, a TTL longer than the bench; the
 * bench fails on a miss). Rounds alternate ABBA so drift in the machine's
 * load falls on both alike; a warm-up of each is discarded.
 *
 * Run: `npx tsx bench/caching/harness-ceiling.ts` (about 2 minutes).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryWriter } from '../../history/writer.ts';
import { startLocalEnvironment } from '../../runtime/local/start-local-environment.ts';
import { runK6 } from '../../runner/k6.ts';
import { K6HistoryTail } from '../../runner/k6-history.ts';
import { caching } from '../../targets/caching/index.ts';

const vus = 32;
const roundSeconds = 6;
const rounds = 4;
const keys = 10;

const runDir = mkdtempSync(join(tmpdir(), 'patternbench-bench-harness-ceiling-'));
const pattern = caching.patterns['cache-aside'];
const env = await startLocalEnvironment(pattern.topology(pattern.options.parse({ ttlSeconds: 3600, seedItems: keys })), { runDir });

/** One measured run: achieved requests/s and, with recording, how many history lines were written. */
async function measure(recording: boolean, name: string): Promise<{ reqsPerSec: number; historyLines: number; dropped: number; misses: number }> {
  const dir = join(runDir, name);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const history = new HistoryWriter(join(dir, 'history.jsonl'));
  const tail = recording ? new K6HistoryTail(join(dir, 'k6-console.log'), history, Date.now()) : undefined;
  tail?.start();
  const result = await runK6({
    script: 'targets/caching/workload.k6.ts',
    dir,
    env: {
      TARGET_URLS: env.services.get('target')!.join(','),
      RATE: '20000',
      DURATION: `${roundSeconds}s`,
      TIMEOUT: '2s',
      PRE_VUS: String(vus),
      MAX_VUS: String(vus),
      KEYS: String(keys),
      MIX: 'c',
      DISTRIBUTION: 'uniform',
      FINAL_READS: 'false',
      ...(recording ? {} : { RECORD: 'false' }),
    },
  });
  tail?.stop();
  const historyLines = history.count;
  history.close();
  if (result.exitCode !== 0) throw new Error(`k6 exited with ${result.exitCode}; see ${dir}/logs/k6.log`);
  const summary = JSON.parse(readFileSync(join(dir, 'k6-summary.json'), 'utf8')) as { metrics: Record<string, Record<string, number>> };
  const misses = summary.metrics.cache_hits ? summary.metrics.cache_hits.fails : 0;
  return { reqsPerSec: summary.metrics.http_reqs.rate, historyLines, dropped: result.droppedIterations, misses };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  const url = env.services.get('target')![0];
  for (let i = 0; i < keys; i++) await fetch(`${url}/items/k${i}`); // cache every key
  await measure(true, 'warmup-on');
  await measure(false, 'warmup-off');
  const on: number[] = [];
  const off: number[] = [];
  let lines = 0;
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [true, false] : [false, true];
    for (const recording of order) {
      const m = await measure(recording, `round-${round}-${recording ? 'on' : 'off'}`);
      if (m.misses > 0) throw new Error(`round ${round + 1}: ${m.misses} reads missed the cache: not a pure hit-path measurement`);
      (recording ? on : off).push(m.reqsPerSec);
      if (recording) lines += m.historyLines;
    }
  }
  const ratios = on.map((r, i) => r / off[i]);
  console.log(
    `\nharness ceiling: caching workload (mix C, ${keys} cached keys), cache-aside hit path, ${vus} VUs, ${rounds} rounds × ${roundSeconds} s each (ABBA)\n`,
  );
  console.table([
    { recording: 'on (every op into history.jsonl)', 'req/s (median)': Math.round(median(on)), 'req/s (rounds)': on.map(Math.round).join(', ') },
    { recording: 'off (RECORD=false)', 'req/s (median)': Math.round(median(off)), 'req/s (rounds)': off.map(Math.round).join(', ') },
  ]);
  console.log(
    `ratio on/off: median ${median(ratios).toFixed(3)}, rounds ${ratios.map((r) => r.toFixed(3)).join(', ')}; ${lines} history lines written with recording on`,
  );
} finally {
  await env.stop();
  rmSync(runDir, { recursive: true, force: true });
}
