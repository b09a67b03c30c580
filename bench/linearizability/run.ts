/**
 * The Porcupine benchmark: `npx tsx bench/linearizability/run.ts`. Generates
 * a seeded set of histories into a temp dir, builds the Go program, checks
 * every file with our checker and with Porcupine, prints a DISAGREEMENT
 * loudly when the verdicts differ, and a table with each side's times, the
 * ratios ours/porcupine and each side's peak RSS (from `/usr/bin/time -f %M`
 * when present). Exits 1 on a disagreement. Times are wall-clock on whatever
 * else the machine runs.
 *
 * Ours is timed through the command users run, `bin/patternbench check
 * --json`, which reports each file's `verdictMs`, from the parsed history to
 * the verdict, and `elapsedMs`, counterexample included. Porcupine's program
 * is timed from the same point (pairing invokes with completions, then its
 * default CheckOperationsTimeout, which builds no counterexample: against
 * our verdictMs; and CheckOperationsVerbose, which does: against our
 * elapsedMs). Parsing is excluded on both sides.
 *
 * Ours is shown three ways, because no one number is the truth:
 * - `cold`: a `patternbench check` of that one file in a fresh process: the
 *   check runs while V8 is still compiling the checker's JavaScript (the
 *   search itself is WebAssembly, compiled at start-up). The median of
 *   COLD_RUNS fresh processes: one is at the mercy of whatever else the
 *   machine does in those few milliseconds.
 * - `steady`: the median of the 2nd to 5th check of the same file in one
 *   process.
 * - `batch`: one `patternbench check` of every decided file, in the order of
 *   the table, each once: the command's many-files mode; the first file
 *   pays the warm-up. Porcupine's batch figure is its program over the same
 *   files, each once, in one process.
 * Porcupine is compiled ahead of time; its per-file figure is the median of
 * three checks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHistory, type HistorySpec } from './generate.ts';
import { atMostOne, buildPorcupine, checkOurs, checkPorcupine, geometricMean, median } from './measure.ts';

/** Checks of a file by ours in one process: the median of the 2nd onwards is `steady`. */
const OUR_RUNS = 5;
/** Fresh processes that check a file once each (the first check of the steady process among them): their median is `cold`. */
const COLD_RUNS = 5;
/** Checks of a file by Porcupine (median). */
const PORCUPINE_RUNS = 3;
const TIMEOUT_MS = 20_000;
const ourTimeout = ['--timeout', String(TIMEOUT_MS / 1000)];

const specs: Array<Omit<HistorySpec, 'seed'>> = [];
for (const model of ['register', 'cas-register', 'kv'] as const) {
  for (const processes of [10, 50]) {
    for (const store of ['linearizable', 'lagging'] as const) specs.push({ model, processes, store, ops: model === 'kv' ? 5000 : 2000 });
  }
}

const dir = mkdtempSync(join(tmpdir(), 'patternbench-linear-'));
try {
  const bin = buildPorcupine(dir);

  const rows: string[][] = [];
  const ratios = { cold: [] as number[], steady: [] as number[], batch: [] as number[], coldVerbose: [] as number[], steadyVerbose: [] as number[] };
  const decided: Array<{ file: string; model: string; row: string[]; porcupineMs: number }> = [];
  let disagreements = 0;
  /** Whole commands checking one file once: start-up, parsing and the check, as a user waits for them. */
  const wall = { ours: [] as number[], porcupine: [] as number[] };
  specs.forEach((spec, i) => {
    const history = generateHistory({ ...spec, seed: 1000 + i });
    const name = `${spec.model}-${spec.store}-p${spec.processes}.jsonl`;
    const file = join(dir, name);
    writeFileSync(file, `${history.map((op) => JSON.stringify(op)).join('\n')}\n`);
    const ours = checkOurs(Array<string>(OUR_RUNS).fill(file), spec.model, ourTimeout);
    const colds = [ours.results[0].ms];
    const coldsElapsed = [ours.results[0].elapsedMs];
    const oursWallMs: number[] = [];
    for (let k = 1; k < COLD_RUNS; k++) {
      const cold = checkOurs([file], spec.model, ourTimeout);
      colds.push(cold.results[0].ms);
      coldsElapsed.push(cold.results[0].elapsedMs);
      oursWallMs.push(cold.wallMs);
    }
    const theirs = checkPorcupine(bin, [file], spec.model, { runs: PORCUPINE_RUNS, timeoutMs: TIMEOUT_MS });
    // Where Porcupine gave up, verbose would only give up again, as slowly.
    const verbose =
      theirs.results[0].valid === 'unknown'
        ? undefined
        : checkPorcupine(bin, [file], spec.model, { runs: PORCUPINE_RUNS, timeoutMs: TIMEOUT_MS, api: 'verbose' }).results[0];
    const valid = ours.results[0].valid;
    const theirValid = theirs.results[0].valid;
    const expected = spec.store === 'linearizable';
    // An unknown is a budget spent, not a verdict: only two verdicts can disagree.
    if (valid !== theirValid && valid !== 'unknown' && theirValid !== 'unknown') {
      disagreements++;
      console.error(`\n!!! DISAGREEMENT on ${name}: ours says ${valid}, porcupine says ${theirValid} !!!\n`);
    }
    if (verbose !== undefined && verbose.valid !== 'unknown' && verbose.valid !== valid) {
      disagreements++;
      console.error(`\n!!! DISAGREEMENT on ${name}: ours says ${valid}, porcupine verbose says ${verbose.valid} !!!\n`);
    }
    const coldMs = median(colds);
    const steadyMs = median(ours.results.slice(1).map((r) => r.ms));
    const porcupineMs = theirs.results[0].ms;
    const procs = new Set(history.filter((op) => op.process !== 'nemesis').map((op) => op.process)).size;
    const row = [
      name,
      String(history.filter((op) => op.type === 'invoke').length),
      `${spec.processes}/${procs}`,
      `${valid}${valid === expected ? '' : ' (!)'}`,
      String(theirValid),
      coldMs.toFixed(1),
      steadyMs.toFixed(1),
      '',
      porcupineMs.toFixed(1),
      '',
      verbose === undefined ? 'n/a' : verbose.valid === theirValid ? verbose.ms.toFixed(1) : `${verbose.ms.toFixed(1)} (${verbose.valid})`,
      '',
      '',
      '',
      ours.peakKb === null ? '-' : (ours.peakKb / 1024).toFixed(0),
      theirs.peakKb === null ? '-' : (theirs.peakKb / 1024).toFixed(0),
    ];
    rows.push(row);
    // A time to 'unknown' is a time to give up, not to decide: no ratio.
    if (valid !== 'unknown' && verbose !== undefined) {
      ratios.cold.push(coldMs / porcupineMs);
      ratios.steady.push(steadyMs / porcupineMs);
      // Verbose has a budget of its own: where it gave up, or disagrees, it gets no ratio either.
      if (verbose.valid === valid) {
        ratios.coldVerbose.push(median(coldsElapsed) / verbose.ms);
        ratios.steadyVerbose.push(median(ours.results.slice(1).map((r) => r.elapsedMs)) / verbose.ms);
      }
      wall.ours.push(...oursWallMs);
      wall.porcupine.push(checkPorcupine(bin, [file], spec.model, { runs: 1, timeoutMs: TIMEOUT_MS }).wallMs);
      row[11] = (coldMs / porcupineMs).toFixed(2);
      row[12] = (steadyMs / porcupineMs).toFixed(2);
      decided.push({ file, model: spec.model, row, porcupineMs });
    }
  });

  // Batch: every decided file once, in one process per side (a command takes one model, so one process per model).
  let oursBatchMs = 0;
  let theirBatchMs = 0;
  for (const model of new Set(decided.map((d) => d.model))) {
    const files = decided.filter((d) => d.model === model);
    const ours = checkOurs(
      files.map((d) => d.file),
      model,
      ourTimeout,
    ).results;
    const theirs = checkPorcupine(
      bin,
      files.map((d) => d.file),
      model,
      { runs: 1, timeoutMs: TIMEOUT_MS },
    ).results;
    files.forEach((d, k) => {
      d.row[7] = ours[k].ms.toFixed(1);
      d.row[9] = theirs[k].ms.toFixed(1);
      d.row[13] = (ours[k].ms / theirs[k].ms).toFixed(2);
      ratios.batch.push(ours[k].ms / theirs[k].ms);
      oursBatchMs += ours[k].ms;
      theirBatchMs += theirs[k].ms;
    });
  }
  for (const row of rows) {
    if (!row[7]) row[7] = row[9] = row[11] = row[12] = row[13] = 'n/a';
  }

  const header = [
    'file',
    'ops',
    'procs (slots/ids)',
    'ours',
    'porcupine',
    'ours cold ms',
    'ours steady ms',
    'ours batch ms',
    'porc ms',
    'porc batch ms',
    'porc verbose ms',
    'cold ratio',
    'steady ratio',
    'batch ratio',
    'ours MB',
    'porc MB',
  ];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(
    `\nours: patternbench check --json verdictMs (elapsedMs against verbose). cold = median of ${COLD_RUNS} fresh processes checking that file once; steady = median of checks 2..${OUR_RUNS} of it in one process;` +
      `\nbatch = one process checking every decided file of its model once, in table order. porc = median of ${PORCUPINE_RUNS} checks (keys in parallel goroutines, stops at the first failing key);` +
      `\nporc batch = one check each, one process; porc verbose = CheckOperationsVerbose, every key to the end with partial linearizations, median of ${PORCUPINE_RUNS}.` +
      `\nratio = ours / porcupine (below 1.0: ours is faster). Parsing excluded on both sides; peak RSS of the steady process (node includes its runtime); (!) = not the generator's intent\n`,
  );
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log(
    `\ngeometric mean of ours/porcupine over ${ratios.cold.length} decided files: cold ${geometricMean(ratios.cold).toFixed(2)}, steady ${geometricMean(ratios.steady).toFixed(2)}, batch ${geometricMean(ratios.batch).toFixed(2)}` +
      `\nfiles at or below 1.0: cold ${atMostOne(ratios.cold)}, steady ${atMostOne(ratios.steady)}, batch ${atMostOne(ratios.batch)}` +
      `\nagainst porcupine verbose (every key to the end, as our verdict), over the ${ratios.coldVerbose.length} files it decided as we did: cold ${geometricMean(ratios.coldVerbose).toFixed(2)}, steady ${geometricMean(ratios.steadyVerbose).toFixed(2)}` +
      `\nbatch totals: ours ${oursBatchMs.toFixed(1)} ms, porcupine ${theirBatchMs.toFixed(1)} ms (ratio ${(oursBatchMs / theirBatchMs).toFixed(2)})`,
  );
  console.log(
    `whole command checking one file once (start-up, parsing, check), median over the decided files' runs: ours ${median(wall.ours).toFixed(0)} ms, porcupine ${median(wall.porcupine).toFixed(0)} ms` +
      `\n(ours pays Node's start-up and the loading of the compiled command; the command checks many files in one process to pay it once)`,
  );
  console.log(disagreements ? `${disagreements} DISAGREEMENT(S)` : 'verdicts agree on every file');
  if (disagreements > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
