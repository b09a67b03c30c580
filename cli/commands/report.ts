import { Command } from 'commander';
import { relative } from 'node:path';
import { UsageError } from '../../runner/usage-error.ts';
import { parseTolerance, toleranceOptions } from './tolerance.ts';

/**
 * `patternbench report RUN_DIR`: renders report.html, junit.xml and
 * summary.md from a run folder's files (a run writes them itself when it
 * ends; this renders them again, e.g. after an upgrade, or against a
 * baseline). Exit 0 when the report was written; 3 when RUN_DIR or the
 * baseline is not a run folder.
 */
export function reportCommand(): Command {
  const cmd = new Command('report')
    .description('render report.html, junit.xml and summary.md of a run folder, from its files alone')
    .argument('<runDir>', 'a run folder (holds results.json)')
    .option('--baseline <runDir>', 'show the figures that regressed against this run folder');
  for (const o of toleranceOptions()) cmd.addOption(o);
  return cmd.action(async (runDir: string, flags: { baseline?: string; tolerance: string; tolerancePoints: string }) => {
    const tolerance = parseTolerance(flags);
    await checkRunFolders([runDir, ...(flags.baseline === undefined ? [] : [flags.baseline])]);
    const { writeReport, RunFolderError } = await import('../../reports/write-report.ts').then(async (m) => ({
      ...m,
      ...(await import('../../reports/run-model.ts')),
    }));
    try {
      const started = performance.now();
      const written = writeReport(runDir, { baseline: flags.baseline, tolerance });
      for (const file of Object.values(written.files)) console.log(shown(file));
      const failed = written.thresholds.filter((t) => t.pass !== true).length;
      if (written.thresholds.length) console.log(`thresholds: ${written.thresholds.length - failed} of ${written.thresholds.length} met`);
      if (written.baseline) console.log(`baseline: ${written.baseline.regressions.length} regression(s) of ${written.baseline.compared} figures compared`);
      console.error(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
    } catch (err) {
      throw err instanceof RunFolderError ? new UsageError(err.message) : err;
    }
  });
}

/** Each folder's results.json read and checked before the charting library loads: a wrong path is said at once, exit 3. */
export async function checkRunFolders(dirs: readonly string[]): Promise<void> {
  const { readResults, RunFolderError } = await import('../../reports/run-model.ts');
  for (const dir of dirs) {
    try {
      readResults(dir);
    } catch (err) {
      throw err instanceof RunFolderError ? new UsageError(err.message) : err;
    }
  }
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
