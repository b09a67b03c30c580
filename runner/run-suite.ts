import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PlannedFault } from '../faults/schedule.ts';
import { describeVerdict } from '../reports/verdict-text.ts';
import { onShutdown } from '../runtime/shutdown.ts';
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
  return { runDir, results };
}
