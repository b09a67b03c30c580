import { renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CaseStats } from './case-stats.ts';
import { DEFAULT_TOLERANCE, label, regressionsAgainst, type Tolerance } from './compare.ts';
import { renderJunit } from './junit.ts';
import { renderReportHtml } from './report-html.ts';
import type { CaseStatsJson, Regression, ThresholdOutcome } from './results-schema.ts';
import { loadRun, type RunModel } from './run-model.ts';
import { renderSummaryMd } from './summary-md.ts';
import { evaluateThresholds } from './thresholds.ts';

export interface ReportOptions {
  /** A run folder to compare with: its figures that got worse past `tolerance` are regressions. */
  baseline?: string;
  tolerance?: Tolerance;
}

/** What writing a report found, for results.json and the exit code. */
export interface WrittenReport {
  files: { html: string; junit: string; summary: string };
  thresholds: ThresholdOutcome[];
  baseline?: { dir: string; tolerance: Tolerance; compared: number; regressions: Regression[] };
  /** Each case's generic figures, by case name, as results.json records them. */
  stats: Record<string, CaseStatsJson>;
}

/**
 * Renders a run folder into `report.html`, `junit.xml` and `summary.md`
 * beside its results.json, from the folder's files alone, and returns the
 * thresholds' outcomes, the regressions against `opts.baseline` and each
 * case's generic figures. Each file is replaced whole (written aside, then
 * renamed). Throws `RunFolderError` for a folder (or baseline) without a
 * readable results.json.
 */
export function writeReport(runDir: string, opts: ReportOptions = {}): WrittenReport {
  const run = loadRun(runDir);
  const thresholds = evaluateThresholds(run);
  let baseline: WrittenReport['baseline'];
  if (opts.baseline !== undefined) {
    const tolerance = opts.tolerance ?? DEFAULT_TOLERANCE;
    const base = loadRun(opts.baseline);
    const { compared, regressions } = regressionsAgainst(run, base, tolerance);
    baseline = { dir: label(base) === label(run) ? base.dir : resolve(opts.baseline), tolerance, compared, regressions };
  }
  const extras = { thresholds, baseline };
  const files = { html: join(run.dir, 'report.html'), junit: join(run.dir, 'junit.xml'), summary: join(run.dir, 'summary.md') };
  replace(files.html, renderReportHtml(run, extras));
  replace(files.junit, renderJunit(run, extras));
  replace(files.summary, renderSummaryMd(run, extras));
  return { files, thresholds, baseline, stats: statsJson(run) };
}

function replace(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function statsJson(run: RunModel): Record<string, CaseStatsJson> {
  const out: Record<string, CaseStatsJson> = {};
  for (const c of run.cases) if (c.stats) out[c.result.name] = toJson(c.stats);
  return out;
}

/** The figures of results.json's `stats`: the series stay in the report, undefined becomes null. */
export function toJson(s: CaseStats): CaseStatsJson {
  return {
    ops: s.ops,
    ok: s.ok,
    fail: s.fail,
    info: s.info,
    open: s.open,
    errors: s.errors,
    errorRate: s.errorRate ?? null,
    availability: s.availability ?? null,
    throughput: s.throughput ?? null,
    latencyMs: s.latencyMs ?? null,
    ratios: Object.fromEntries(Object.entries(s.ratios).map(([k, v]) => [k, v.value ?? null])),
    faultWindows: s.windows,
  };
}
