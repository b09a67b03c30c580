import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { UsageError } from '../../runner/usage-error.ts';
import { checkRunFolders } from './report.ts';
import { parseTolerance, toleranceOptions } from './tolerance.ts';

/**
 * `patternbench compare RUN_DIR... [--baseline RUN_DIR]`: run against run
 * (each case against the same case of the baseline, by default the first
 * folder), or with one folder pattern against pattern (each case against the
 * first). Prints every figure with its change, regressions first, and
 * writes the same as a page with `--html`. Exit 1 when a figure regressed
 * past the tolerance or crosses its run's threshold, 0 otherwise, 3 for a
 * folder that is not a run.
 */
export function compareCommand(): Command {
  const cmd = new Command('compare')
    .description('compare run folders (or the patterns of one), regressions first')
    .argument('<runDirs...>', 'run folders; the first is the reference unless --baseline names one')
    .option('--baseline <runDir>', 'the run everything is compared with')
    .option('--html <file>', 'also write the comparison as a self-contained HTML page')
    .option('--json', 'print the comparison as JSON instead of text');
  for (const o of toleranceOptions()) cmd.addOption(o);
  return cmd.action(async (runDirs: string[], flags: { baseline?: string; html?: string; json?: boolean; tolerance: string; tolerancePoints: string }) => {
    const tolerance = parseTolerance(flags);
    await checkRunFolders([...runDirs, ...(flags.baseline === undefined ? [] : [flags.baseline])]);
    // Not reports/index.ts: a comparison draws no chart, so the charting library stays unloaded.
    const [{ loadRun, RunFolderError }, { compareRuns }, { renderCompareText }, { renderCompareHtml }] = await Promise.all([
      import('../../reports/run-model.ts'),
      import('../../reports/compare.ts'),
      import('../../reports/compare-text.ts'),
      import('../../reports/compare-html.ts'),
    ]);
    let report: ReturnType<typeof compareRuns>;
    try {
      const runs = runDirs.map(loadRun);
      report = compareRuns(runs, flags.baseline === undefined ? undefined : loadRun(flags.baseline), tolerance);
    } catch (err) {
      throw err instanceof RunFolderError ? new UsageError(err.message) : err;
    }
    console.log(flags.json ? JSON.stringify(report, null, 2) : renderCompareText(report));
    if (flags.html) writeFileSync(flags.html, renderCompareHtml(report));
    const bad = report.comparisons.some((c) => c.regressed || c.threshold?.pass === false);
    process.exitCode = bad ? 1 : 0;
  });
}
