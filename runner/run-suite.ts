import { mkdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { targets } from '../targets/index.ts';
import type { Target } from '../targets/target.ts';
import type { Environment } from '../runtime/environment.ts';
import { startEnvironment } from './start-environment.ts';
import { planTimeline, planRandomNemesis, type PlannedFault } from '../faults/schedule.ts';
import { runCase, type CaseResult } from './run-case.ts';
import { writeJsonAtomic } from './atomic-write.ts';
import { parseDuration } from '../faults/duration.ts';
import { Progress } from './progress.ts';
import type { Verdict } from '../checkers/verdict.ts';
import { onShutdown } from '../runtime/local/supervisor.ts';
import { SuiteError, type Suite } from './suite.ts';

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
}

export interface RunOptions {
  suite: Suite;
  suiteFile: string;
  /** The run folder; default `runs/<timestamp>-<suite name>`. */
  outDir?: string;
  allowRemote?: string[];
  progress?: Progress;
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
  const cases = suite.cases.map((c) => ({ ...c, name: c.name ?? c.target, resolved: resolveTarget(c.target, opts.suiteFile) }));
  const runMs = parseDuration(suite.workload.duration);
  const plan = [
    ...planOrThrow(opts.suiteFile, 'faults', () => planTimeline(suite.faults)),
    ...(suite.nemesis ? planOrThrow(opts.suiteFile, 'nemesis', () => planRandomNemesis({ ...suite.nemesis!, durationMs: runMs })) : []),
  ];
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
    progress.line(`${label}: starting (${c.resolved.family}, ${suite.workload.rate}/s for ${suite.workload.duration}, ${plan.length} planned fault(s))`);
    const result = await runCase(c.name, c.resolved, {
      runDir,
      workload: suite.workload,
      plan,
      checks: suite.checkers,
      allowRemote: opts.allowRemote ?? [],
      startEnvironment: (target: Target, dir: string): Promise<Environment> => startEnvironment(suite.runtime, target.topology, { runDir: dir }),
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
    for (const [check, verdict] of Object.entries(result.checks?.results ?? {})) progress.line(`  ${check}: ${describeVerdict(verdict)}`);
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
  return { runDir, results };
}

/** Runs a planner, turning its error into a `SuiteError` naming the file and the section (faults / nemesis). */
function planOrThrow(file: string, section: string, plan: () => PlannedFault[]): PlannedFault[] {
  try {
    return plan();
  } catch (err) {
    const message = (err as Error).message;
    throw new SuiteError(file, message.startsWith(section) ? message : `${section}: ${message}`);
  }
}

function describeVerdict(v: Verdict): string {
  const valid = v.valid === true ? 'valid' : v.valid === false ? 'INVALID' : 'unknown';
  if (typeof v.staleFraction === 'number')
    return `${valid}, ${(v.staleFraction * 100).toFixed(1)}% of ${v.reads} reads stale (k max ${(v.k as { max: number } | null)?.max ?? 0}, t max ${(v.tMs as { max: number } | null)?.max ?? 0} ms)`;
  return `${valid}${v.reason ? ` (${v.reason})` : ''}${v.error ? ` (${v.error})` : ''}`;
}

function resolveTarget(name: string, file: string): Target {
  const target = (targets as Record<string, Target>)[name];
  if (!target) throw new SuiteError(file, `field "cases.target": unknown target "${name}"; known targets: ${Object.keys(targets).join(', ')}`);
  return target;
}
