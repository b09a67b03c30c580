import { Command, Option } from 'commander';
import { relative } from 'node:path';
import type { Suite } from '../../runner/suite.ts';
import type { RunResults } from '../../runner/run-suite.ts';
import { UsageError } from '../../runner/usage-error.ts';
import { parseTolerance, toleranceOptions } from './tolerance.ts';

/** `patternbench run [suite]`: runs a suite file into a new run folder. Flags override the file and are validated by the same schema. */
export function runCommand(): Command {
  return new Command('run')
    .description('run a suite (default suites/quickstart.yaml) into a run folder')
    .argument('[suite]', 'suite file, YAML or JSON', 'suites/quickstart.yaml')
    .option('--only <targets>', 'comma-separated targets of the suite to run')
    .option('--duration <duration>', 'workload duration, e.g. 30s (overrides the suite)')
    .option('--rate <perSecond>', 'arrival rate, iterations per second (overrides the suite)')
    .option('--out <dir>', 'run folder (default runs/<timestamp>-<suite>)')
    .addOption(new Option('--runtime <runtime>', 'where components run').choices(['local', 'docker']))
    .option('--allow-remote <host>', 'allow traffic to this non-loopback host (refused otherwise); repeat for more', collect, [])
    .option('--baseline <runDir>', 'fail the run when a figure regressed past the tolerance against this run folder')
    .addOption(toleranceOptions()[0])
    .addOption(toleranceOptions()[1])
    .action(async (file: string, flags: RunFlags) => {
      const { loadSuite, parseSuite } = await import('../../runner/suite.ts');
      const { runSuite } = await import('../../runner/run-suite.ts');
      const suite = parseSuite(withFlags(loadSuite(file), flags, file), `${file} (with command-line flags)`);
      // One line, exit 3 and no run folder where the chosen runtime is not there.
      if (suite.runtime === 'docker') {
        const { findDockerEngine } = await import('../../runtime/docker/find-docker-engine.ts');
        await findDockerEngine().catch((err: Error) => Promise.reject(new UsageError(err.message)));
      }
      const tolerance = parseTolerance(flags);
      // A baseline that is not a run folder is bad input: said before anything starts.
      if (flags.baseline !== undefined) {
        const { readResults, RunFolderError } = await import('../../reports/run-model.ts');
        try {
          readResults(flags.baseline);
        } catch (err) {
          throw err instanceof RunFolderError ? new UsageError(`--baseline: ${err.message}`) : err;
        }
      }
      const { runDir, results } = await runSuite({
        suite,
        suiteFile: file,
        outDir: flags.out,
        allowRemote: flags.allowRemote,
        baseline: flags.baseline,
        tolerance,
      });
      const shown = relative(process.cwd(), runDir);
      console.log(`run folder: ${shown.startsWith('..') ? runDir : shown} (${results.status})`);
      process.exitCode = exitCode(results, hasThresholds(suite), flags.baseline !== undefined);
    });
}

/** One host a flag, repeated for more: a variadic option would swallow the suite path after it. */
function collect(host: string, hosts: string[]): string[] {
  return [...hosts, host];
}

interface RunFlags {
  only?: string;
  duration?: string;
  rate?: string;
  out?: string;
  runtime?: string;
  allowRemote: string[];
  baseline?: string;
  tolerance: string;
  tolerancePoints: string;
}

function hasThresholds(suite: Suite): boolean {
  return Object.keys(suite.thresholds ?? {}).length > 0 || suite.cases.some((c) => Object.keys(c.thresholds ?? {}).length > 0);
}

/**
 * 1 when a case did not complete, or a figure regressed against the
 * baseline (or the comparison could not be made). Then, a suite with thresholds is judged by them alone (a weak
 * pattern may fail `linearizable` without failing the run, unless a
 * threshold asks for it): 1 when one is not met (or the report that tests
 * them could not be written), 2 when one is undecided. A suite without
 * thresholds is judged by its checks: 1 when one is invalid, 2 when one
 * could not decide. Else 0.
 */
function exitCode(results: RunResults, thresholds: boolean, baseline: boolean): number {
  if (results.status !== 'completed') return 1;
  if (baseline && (!results.baseline || results.baseline.regressions.length > 0)) return 1;
  if (thresholds) {
    const outcomes = results.thresholds;
    if (!outcomes) return 1;
    if (outcomes.some((o) => o.pass === false)) return 1;
    return outcomes.some((o) => o.pass === 'unknown') ? 2 : 0;
  }
  const verdicts = results.cases.map((c) => c.checks?.valid ?? true);
  if (verdicts.includes(false)) return 1;
  return verdicts.includes('unknown') ? 2 : 0;
}

/** The suite with the flags laid over it, still to be validated (they are strings from a command line). */
function withFlags(suite: Suite, flags: { only?: string; duration?: string; rate?: string; runtime?: string }, file: string): Record<string, unknown> {
  const raw: Record<string, unknown> = { ...suite, workload: { ...suite.workload } };
  const workload = raw.workload as Record<string, unknown>;
  if (flags.duration !== undefined) workload.duration = flags.duration;
  if (flags.rate !== undefined) workload.rate = Number(flags.rate);
  if (flags.runtime !== undefined) raw.runtime = flags.runtime;
  if (flags.only !== undefined) {
    const only = flags.only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = only.filter((t) => !suite.cases.some((c) => c.target === t || c.name === t));
    if (unknown.length)
      throw new UsageError(`--only: ${unknown.join(', ')} not in ${file}; its cases: ${suite.cases.map((c) => c.name ?? c.target).join(', ')}`);
    raw.cases = suite.cases.filter((c) => only.includes(c.target) || (c.name !== undefined && only.includes(c.name)));
  }
  return raw;
}
