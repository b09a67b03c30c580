/**
 * The Porcupine benchmark: `npx tsx bench/linearizability/run.ts`. Generates
 * a seeded set of histories into a temp dir, builds the Go program, checks
 * every file with our checker and with Porcupine (each in its own process),
 * prints a DISAGREEMENT loudly when the verdicts differ, and a table with
 * each side's times, the ratios ours/porcupine and each side's peak RSS
 * (from `/usr/bin/time -f %M` when present). Exits 1 on a disagreement.
 * Times are wall-clock on whatever else the machine runs.
 *
 * Ours is shown twice, because neither number alone is the truth. `cold` is
 * the first check in a fresh Node process: what a one-off `patternbench
 * check` of one file costs, V8 compiling and optimising the checker as it
 * goes. `steady` is the median of the later checks of the same file in that
 * process, as in a `patternbench check` of many files, which pays start-up
 * once. Porcupine is compiled ahead of time, so its median is compared with
 * both.
 *
 * `steady` is not yet optimised code. On a 2-core machine V8's optimising
 * compiles of the checker (walkList, prepare, Layout, explain: some 100 ms
 * of compile work, on up to 4 background threads by default) finish around
 * checks 3 to 7 and take CPU from the checks meanwhile; GC is not it (a
 * scavenge or two, under 2 ms, in checks 2..5). Measured with check-ours, 5
 * processes each: steady 8.1 -> 5.0 ms (cas-register-lagging-p10), 12.5 ->
 * 6.8 (kv-lagging-p10), 10.4 -> 6.8 (register-linearizable-p10) under
 * `node --v8-pool-size=1`, cold unchanged; from check 15 or so the same
 * files take about 0.8, 2.0 and 3.1 ms (Porcupine 1.6-2.3, 3.0-3.4, 7.8-10.3).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHistory, type HistorySpec } from './generate.ts';

/** Checks of a file by ours: the first is `cold`, the median of the rest `steady`. */
const OUR_RUNS = 5;
/** Checks of a file by Porcupine (median). */
const PORCUPINE_RUNS = 3;
const TIMEOUT_MS = 20_000;
const here = fileURLToPath(new URL('.', import.meta.url));
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const specs: Array<Omit<HistorySpec, 'seed'>> = [];
for (const model of ['register', 'cas-register', 'kv'] as const) {
  for (const processes of [10, 50]) {
    for (const store of ['linearizable', 'lagging'] as const) specs.push({ model, processes, store, ops: model === 'kv' ? 5000 : 2000 });
  }
}

/** What one side printed for a file (Porcupine prints `ms`; ours `coldMs` and `steadyMs`), and its peak RSS. */
interface SideResult {
  valid: boolean | 'unknown';
  ms?: number;
  coldMs?: number;
  steadyMs?: number;
  peakKb: number | null;
}

/** Runs one side on one file under `/usr/bin/time`; throws with its stderr when it fails. */
function runSide(command: string, args: string[]): SideResult {
  const argv = timeBin ? ['-f', '%M', command, ...args] : args;
  const r = spawnSync(timeBin ?? command, argv, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Omit<SideResult, 'peakKb'>;
  const peak = timeBin ? Number(r.stderr.trim().split('\n').at(-1)) : NaN;
  return { ...result, peakKb: Number.isFinite(peak) ? peak : null };
}

function geometricMean(xs: readonly number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

const dir = mkdtempSync(join(tmpdir(), 'patternbench-linear-'));
try {
  const bin = join(dir, 'porcupine-bench');
  const build = spawnSync('go', ['build', '-o', bin, '.'], { cwd: join(here, 'porcupine'), encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`go build failed: ${build.stderr}`);

  const rows: string[][] = [];
  const coldRatios: number[] = [];
  const steadyRatios: number[] = [];
  let disagreements = 0;
  specs.forEach((spec, i) => {
    const history = generateHistory({ ...spec, seed: 1000 + i });
    const name = `${spec.model}-${spec.store}-p${spec.processes}.jsonl`;
    const file = join(dir, name);
    writeFileSync(file, history.map((op) => JSON.stringify(op)).join('\n') + '\n');
    const ours = runSide(process.execPath, ['--import', 'tsx', join(here, 'check-ours.ts'), spec.model, String(OUR_RUNS), String(TIMEOUT_MS), file]);
    const theirs = runSide(bin, ['-model', spec.model, '-runs', String(PORCUPINE_RUNS), '-timeout', `${TIMEOUT_MS}ms`, file]);
    const expected = spec.store === 'linearizable';
    if (ours.valid !== theirs.valid) {
      disagreements++;
      console.error(`\n!!! DISAGREEMENT on ${name}: ours says ${ours.valid}, porcupine says ${theirs.valid} !!!\n`);
    }
    // A time to 'unknown' is a time to give up, not to decide: no ratio.
    const decided = ours.valid !== 'unknown' && theirs.valid !== 'unknown';
    const coldMs = ours.coldMs!;
    const steadyMs = ours.steadyMs!;
    const porcupineMs = theirs.ms!;
    if (decided) {
      coldRatios.push(coldMs / porcupineMs);
      steadyRatios.push(steadyMs / porcupineMs);
    }
    const procs = new Set(history.filter((op) => op.process !== 'nemesis').map((op) => op.process)).size;
    rows.push([
      name,
      String(history.filter((op) => op.type === 'invoke').length),
      `${spec.processes}/${procs}`,
      `${ours.valid}${ours.valid === expected ? '' : ' (!)'}`,
      String(theirs.valid),
      coldMs.toFixed(1),
      steadyMs.toFixed(1),
      porcupineMs.toFixed(1),
      decided ? (coldMs / porcupineMs).toFixed(2) : 'n/a',
      decided ? (steadyMs / porcupineMs).toFixed(2) : 'n/a',
      ours.peakKb === null ? '-' : (ours.peakKb / 1024).toFixed(0),
      theirs.peakKb === null ? '-' : (theirs.peakKb / 1024).toFixed(0),
    ]);
  });

  const header = ['file', 'ops', 'procs (slots/ids)', 'ours', 'porcupine', 'ours cold ms', 'ours steady ms', 'porc ms', 'cold/porc', 'steady/porc', 'ours MB', 'porc MB'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(
    `\nours cold = first check in a fresh process; ours steady = median of checks 2..${OUR_RUNS} in that process; porc = median of ${PORCUPINE_RUNS} checks.` +
      `\nParsing excluded; peak RSS of each process (node includes its runtime); (!) = not the generator's intent\n`,
  );
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log(`\ngeometric mean over ${coldRatios.length} decided files: cold/porcupine ${geometricMean(coldRatios).toFixed(2)}, steady/porcupine ${geometricMean(steadyRatios).toFixed(2)}`);
  console.log(disagreements ? `${disagreements} DISAGREEMENT(S)` : 'verdicts agree on every file');
  if (disagreements > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
