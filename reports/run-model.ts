import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readMetrics } from '../history/metrics.ts';
import { type CaseStats, computeCaseStats } from './case-stats.ts';
import { type FamilyView, familyViews } from './family-views.ts';
import { backendRates, type RateLine } from './metrics-series.ts';
import { type Results, type ResultsCase, resultsSchema } from './results-schema.ts';

/** A run folder that cannot be reported on: not one, or its results.json is unreadable. The message names the file. */
export class RunFolderError extends Error {
  override name = 'RunFolderError';
}

/** One case of a run as the reports see it: its results.json entry, and what the report computed from its files. */
export interface CaseModel {
  result: ResultsCase;
  /** The case's folder, absolute. */
  dir: string;
  /** Computed from history.jsonl; absent, with `statsError`, when it is missing or unreadable. */
  stats?: CaseStats;
  statsError?: string;
  /** The backends' work per second, from metrics.jsonl. */
  rates: RateLine[];
  view: FamilyView;
  /** Thresholds that apply to this case (the suite's, with the case's own laid over them), as the suite wrote them. */
  thresholds: Record<string, string | boolean>;
}

export interface RunModel {
  /** The run folder, absolute. */
  dir: string;
  results: Results;
  cases: CaseModel[];
}

/**
 * Reads a run folder — results.json, suite.json, and each case's
 * history.jsonl and metrics.jsonl — and computes every case's generic
 * figures. Reads nothing else and nothing live. Throws `RunFolderError` when
 * `dir` has no readable results.json; a case whose history cannot be read is
 * kept, with `statsError` saying why.
 */
export function loadRun(dir: string): RunModel {
  const abs = resolve(dir);
  const results = readResults(abs);
  const suite = readSuite(abs);
  const cases = results.cases.map((result): CaseModel => {
    const caseDir = join(abs, result.dir);
    const view = familyViews[result.family] ?? {};
    const model: CaseModel = { result, dir: caseDir, rates: [], view, thresholds: thresholdsOf(suite, result.name) };
    const historyPath = join(caseDir, 'history.jsonl');
    if (!existsSync(historyPath)) model.statsError = `${historyPath}: no such file`;
    else {
      try {
        model.stats = computeCaseStats(historyPath, view.ratios);
      } catch (err) {
        model.statsError = (err as Error).message;
      }
    }
    model.rates = backendRates(readMetrics(join(caseDir, 'metrics.jsonl')));
    return model;
  });
  return { dir: abs, results, cases };
}

/** results.json, checked against its schema; throws `RunFolderError` naming the file and the bad field. */
export function readResults(dir: string): Results {
  const file = join(dir, 'results.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new RunFolderError(e.code === 'ENOENT' ? `${dir} is not a run folder: it has no results.json` : `${file}: ${e.message}`);
  }
  const parsed = resultsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RunFolderError(`${file}: field "${issue.path.join('.') || '(top level)'}": ${issue.message}`);
  }
  return parsed.data;
}

type SuiteThresholds = {
  thresholds?: Record<string, string | boolean>;
  cases?: Array<{ name?: string; target?: string; thresholds?: Record<string, string | boolean> }>;
};

/** The suite as run (suite.json); an old or partial folder without one reads as no thresholds. */
function readSuite(dir: string): SuiteThresholds {
  try {
    return JSON.parse(readFileSync(join(dir, 'suite.json'), 'utf8')) as SuiteThresholds;
  } catch {
    return {};
  }
}

function thresholdsOf(suite: SuiteThresholds, caseName: string): Record<string, string | boolean> {
  const own = suite.cases?.find((c) => (c.name ?? c.target) === caseName)?.thresholds;
  return { ...suite.thresholds, ...own };
}
