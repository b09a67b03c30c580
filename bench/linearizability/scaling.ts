/**
 * How our checker scales: `npx tsx bench/linearizability/scaling.ts`. Prints
 * two markdown tables, time and memory against (a) history length (kv, 1000
 * keys, linearizable) and (b) concurrency (one cas-register, 2000 ops).
 * Each row runs in its own child process (this file with `--row`), so one
 * row's heap never inflates another's peak, and a row that runs out of time
 * or memory is reported as such rather than dropped. Measures; asserts
 * nothing. Times are wall-clock on whatever else the machine runs.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkLinearizable } from '../../checkers/linearizability/index.ts';
import { generateHistory, type HistorySpec } from './generate.ts';

/** What one child measures. */
interface RowSpec {
  history: HistorySpec;
  runs: number;
  timeoutMs: number;
}

/** What one child reports. */
interface RowResult {
  valid: boolean | 'unknown';
  /** Median check time over the runs, ms (generation excluded). */
  ms: number;
  ops: number;
  states: number;
  /** Mean number of ops in flight when an op is invoked. */
  inFlight: number;
  /** RSS once the history is built, before any check, MB. */
  rssBeforeMb: number;
  /** The process's RSS high-water mark after the checks, MB. */
  peakRssMb: number;
  reason?: string;
}

const MB = 1024 * 1024;

function measureRow(spec: RowSpec): RowResult {
  const history = generateHistory(spec.history);
  let open = 0;
  let sum = 0;
  let invokes = 0;
  for (const op of history) {
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') {
      sum += open++;
      invokes++;
    } else open--;
  }
  const rssBeforeMb = process.memoryUsage().rss / MB;
  const timesMs: number[] = [];
  let verdict: ReturnType<typeof checkLinearizable> | undefined;
  for (let r = 0; r < spec.runs; r++) {
    const start = performance.now();
    verdict = checkLinearizable(history, { model: spec.history.model, timeoutMs: spec.timeoutMs });
    timesMs.push(performance.now() - start);
    // A check that gave up would give up again: once is enough to say so.
    if (verdict.valid === 'unknown') break;
  }
  timesMs.sort((a, b) => a - b);
  return {
    valid: verdict!.valid,
    ms: timesMs[Math.floor(timesMs.length / 2)],
    ops: verdict!.ops,
    states: verdict!.states ?? 0,
    inFlight: sum / invokes,
    rssBeforeMb,
    // resourceUsage reports kilobytes.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    ...(verdict!.reason === undefined ? {} : { reason: verdict!.reason }),
  };
}

/** Runs one row in a child process; a crash, an out-of-memory or a kill by `wallMs` comes back as its reason. */
function runRow(spec: RowSpec, wallMs: number, heapMb: number): RowResult | { failed: string } {
  const self = fileURLToPath(import.meta.url);
  // With bin/patternbench's V8 flags, so the rows time what the command runs.
  const r = spawnSync(
    process.execPath,
    [`--max-old-space-size=${heapMb}`, '--no-wasm-lazy-compilation', '--no-wasm-dynamic-tiering', '--import', 'tsx', self, '--row', JSON.stringify(spec)],
    {
      encoding: 'utf8',
      timeout: wallMs,
      maxBuffer: 1 << 24,
    },
  );
  if (r.error || r.status !== 0) {
    const why =
      r.signal === 'SIGTERM'
        ? `killed after ${wallMs / 1000} s`
        : /heap out of memory/i.test(r.stderr)
          ? `out of memory (heap ${heapMb} MB)`
          : `exit ${r.status ?? r.signal}`;
    return { failed: why };
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as RowResult;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function cells(r: RowResult | { failed: string }, lead: string[]): string[] {
  if ('failed' in r) return [...lead, `did not finish: ${r.failed}`, '-', '-', '-', '-', '-'];
  const verdict = r.valid === 'unknown' ? `unknown (${r.reason})` : String(r.valid);
  return [...lead, verdict, r.ms.toFixed(1), String(r.states), r.inFlight.toFixed(1), r.rssBeforeMb.toFixed(0), r.peakRssMb.toFixed(0)];
}

if (process.argv[2] === '--row') {
  console.log(JSON.stringify(measureRow(JSON.parse(process.argv[3]) as RowSpec)));
} else {
  const columns = ['verdict', 'check ms (median)', 'memo states', 'mean ops in flight', 'RSS before check MB', 'peak RSS MB'];

  console.log('## Time and memory against history length\n');
  console.log(
    'kv, 1000 keys, 10 clients, linearizable store, 2% info; one process per row, so the RSS includes the history itself (before check) and the checker (peak).\n',
  );
  const lengthRows: string[][] = [];
  for (const [ops, runs] of [
    [10_000, 3],
    [100_000, 3],
    [1_000_000, 1],
  ] as const) {
    const spec: RowSpec = { history: { model: 'kv', keys: 1000, processes: 10, ops, seed: 42, store: 'linearizable' }, runs, timeoutMs: 60_000 };
    lengthRows.push(cells(runRow(spec, 150_000, 8192), [ops.toLocaleString('en-US'), String(runs)]));
  }
  console.log(table(['ops', 'runs', ...columns], lengthRows));

  console.log('\n## Time and memory against concurrency\n');
  console.log(
    'One cas-register, 2000 ops, linearizable store, 2% info, think time up to 10 ms for every client count (so more clients means more ops in flight); median of 3 runs, 20 s budget a check.\n',
  );
  const concurrencyRows: string[][] = [];
  for (const processes of [5, 10, 20, 50]) {
    const spec: RowSpec = {
      history: { model: 'cas-register', processes, ops: 2000, seed: 7, store: 'linearizable', maxThinkMs: 10 },
      runs: 3,
      timeoutMs: 20_000,
    };
    concurrencyRows.push(cells(runRow(spec, 90_000, 4096), [String(processes)]));
  }
  console.log(table(['clients', ...columns], concurrencyRows));
}
