import { Command, Option } from 'commander';
import { relative } from 'node:path';
import type { Suite } from '../../runner/suite.ts';
import type { RunResults } from '../../runner/run-suite.ts';
import { UsageError } from '../../runner/usage-error.ts';

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
    .action(async (file: string, flags: { only?: string; duration?: string; rate?: string; out?: string; runtime?: string; allowRemote: string[] }) => {
      const { loadSuite, parseSuite } = await import('../../runner/suite.ts');
      const { runSuite } = await import('../../runner/run-suite.ts');
      const suite = parseSuite(withFlags(loadSuite(file), flags, file), `${file} (with command-line flags)`);
      // One line, exit 3 and no run folder where the chosen runtime is not there.
      if (suite.runtime === 'docker') {
        const { findDockerEngine } = await import('../../runtime/docker/find-docker-engine.ts');
        await findDockerEngine().catch((err: Error) => Promise.reject(new UsageError(err.message)));
      }
      const { runDir, results } = await runSuite({ suite, suiteFile: file, outDir: flags.out, allowRemote: flags.allowRemote });
      const shown = relative(process.cwd(), runDir);
      console.log(`run folder: ${shown.startsWith('..') ? runDir : shown} (${results.status})`);
      process.exitCode = exitCode(results);
    });
}

/** One host a flag, repeated for more: a variadic option would swallow the suite path after it. */
function collect(host: string, hosts: string[]): string[] {
  return [...hosts, host];
}

/** 0 when every case completed and every check held; 1 when a case failed or a check is invalid; 2 when a check could not decide. */
function exitCode(results: RunResults): number {
  if (results.status !== 'completed') return 1;
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
