import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PlannedFault } from '../faults/schedule.ts';
import type { Tolerance } from '../reports/compare.ts';
import type { Regression, ThresholdOutcome } from '../reports/results-schema.ts';
import { describeVerdict } from '../reports/verdict-text.ts';
import { onShutdown } from '../runtime/shutdown.ts';
import { writeReport } from '../reports/write-report.ts';
import { writeJsonAtomic } from './atomic-write.ts';
import { planSuite } from './plan-suite.ts';
import { Progress } from './progress.ts';
import { type CaseResult, runCase } from './run-case.ts';
import { startEnvironment } from './start-environment.ts';
import type { Suite } from './suite.ts';

/** results.json: written at start, after every change of a case, and at the end — atomically each time. */
export interface RunResults {
  suite: string;
  status: 'running' | 'completed' | 'interrupted' | 'error';
  startedAt: string;
  endedAt?: string;
  runtime: Suite['runtime'];
  workload: Suite['workload'];
  plan: PlannedFault[];
  cases: CaseResult[];
  /** The suite's thresholds, each case's outcome; written with the report when the run ends. */
  thresholds?: ThresholdOutcome[];
  /** With `baseline`: the figures that regressed against it. */
  baseline?: { dir: string; tolerance: Tolerance; compared: number; regressions: Regression[] };
}

export interface RunOptions {
  suite: Suite;
  suiteFile: string;
  /** The run folder; default `runs/<timestamp>-<suite name>`. */
  outDir?: string;
  allowRemote?: string[];
  progress?: Progress;
  /** A run folder to compare with when the run ends (reports/compare.ts). */
  baseline?: string;
  tolerance?: Tolerance;
}

/**
 * Runs every case of a suite, one after another, into one run folder: the
 * suite as run (`suite.json`), one folder a case (history, metrics, k6
 * summary and dashboard, logs) and `results.json`. A run killed midway leaves
 * a readable folder: results.json says which case was running.
 */
export async function runSuite(opts: RunOptions): Promise<{ runDir: string; results: RunResults }> {
  const { suite } = opts;
  const progress = opts.progress ?? new Progress();
  const { cases, faults: plan } = planSuite(suite, opts.suiteFile);
  const runDir = resolve(opts.outDir ?? join('runs', `${new Date().toISOString().replace(/[:.]/g, '-')}-${suite.name}`));
  if (existsSync(join(runDir, 'results.json'))) throw new Error(`${runDir} already holds a run; choose another --out`);
  mkdirSync(runDir, { recursive: true });
  writeJsonAtomic(join(runDir, 'suite.json'), suite);

  const results: RunResults = {
    suite: suite.name,
    status: 'running',
    startedAt: new Date().toISOString(),
    runtime: suite.runtime,
    workload: suite.workload,
    plan,
    cases: [],
  };
  const save = () => writeJsonAtomic(join(runDir, 'results.json'), results);
  save();
  // Registered first, so on SIGINT it runs last, after the running case saved itself.
  const unregister = onShutdown(async () => {
    for (const c of results.cases) if (c.status === 'running') c.status = 'interrupted';
    results.status = 'interrupted';
    results.endedAt = new Date().toISOString();
    save();
  });

  for (const [i, c] of cases.entries()) {
    const label = `case ${i + 1}/${cases.length} ${c.name}`;
    progress.line(`${label}: starting (${c.family.name}, ${c.settings.rate}/s for ${c.settings.duration}, ${plan.length} planned fault(s))`);
    const result = await runCase(c, {
      runDir,
      plan,
      allowRemote: opts.allowRemote ?? [],
      startEnvironment: (topology, dir) => startEnvironment(suite.runtime, topology, { runDir: dir }),
      onUpdate: (r) => {
        results.cases[i] = r;
        save();
      },
      onStatus: (s) => progress.status(`${label}: ${s}`),
    });
    progress.clear();
    progress.line(
      `${label}: ${result.status}${result.error ? ` — ${result.error}` : ''} — ${result.history.ok + result.history.fail + result.history.info} client ops (${result.history.info} info, ${result.history.fail} fail), ${result.k6?.droppedIterations ?? 0} dropped iterations, ${result.history.nemesis} fault events`,
    );
    for (const [check, verdict] of Object.entries(result.checks?.results ?? {})) {
      progress.line(`  ${check}: ${c.family.checks[check].summary?.(verdict) ?? describeVerdict(verdict)}`);
    }
    if (result.status === 'interrupted') break;
  }
  results.status = results.cases.some((c) => c.status === 'interrupted')
    ? 'interrupted'
    : results.cases.some((c) => c.status === 'error')
      ? 'error'
      : 'completed';
  results.endedAt = new Date().toISOString();
  unregister();
  save();
  if (results.status !== 'interrupted') writeRunReport(runDir, results, opts, progress);
  save();
  return { runDir, results };
}

/**
 * Writes report.html, junit.xml and summary.md from the run folder, and
 * records in results what they found: each case's generic figures, the
 * thresholds' outcomes, the regressions against a baseline. A report that
 * fails to render loses nothing of the run: it says why, and the run's
 * files stay as they are (`patternbench report` can try again).
 */
function writeRunReport(runDir: string, results: RunResults, opts: RunOptions, progress: Progress): void {
  try {
    const written = writeReport(runDir, { baseline: opts.baseline, tolerance: opts.tolerance });
    for (const c of results.cases) if (written.stats[c.name]) c.stats = written.stats[c.name];
    results.thresholds = written.thresholds;
    if (written.baseline) results.baseline = written.baseline;
    const failed = written.thresholds.filter((t) => t.pass !== true);
    if (written.thresholds.length) progress.line(`thresholds: ${written.thresholds.length - failed.length} of ${written.thresholds.length} met`);
    for (const t of failed)
      progress.line(
        `  ${t.case}: ${t.figure} ${t.expected} — ${t.pass === 'unknown' ? 'undecided' : 'not met'}, got ${typeof t.actual === 'number' ? +t.actual.toPrecision(4) : (t.actual ?? 'no value')}`,
      );
    if (written.baseline) progress.line(`baseline: ${written.baseline.regressions.length} regression(s) of ${written.baseline.compared} figures compared`);
    for (const g of written.baseline?.regressions ?? []) progress.line(`  ${g.case}: ${g.figure} ${g.baseline} → ${g.value}`);
    progress.line(`report: ${written.files.html}`);
  } catch (err) {
    progress.line(`report: not written — ${(err as Error).message}`);
  }
}
