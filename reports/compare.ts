import { basename } from 'node:path';
import type { Validity } from '../checkers/verdict.ts';
import type { Unit } from './family-views.ts';
import { figureDefs, verdictOf } from './figures.ts';
import type { Regression, ThresholdOutcome } from './results-schema.ts';
import type { CaseModel, RunModel } from './run-model.ts';
import { evaluateThresholds } from './thresholds.ts';

/**
 * How much worse a figure may get before it counts as a regression:
 * `relative` for latencies, rates and counts (0.1: 10 % of the reference's
 * value), `ratioPoints` for ratios, in points of the ratio (0.01: one
 * percentage point), since a relative change of an error rate of 0 is
 * infinite and of 0.1 % is noise.
 */
export interface Tolerance {
  relative: number;
  ratioPoints: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { relative: 0.1, ratioPoints: 0.01 };

/** One figure of one case against its reference (a baseline run's case, or another pattern of the same run). */
export interface Comparison {
  /** The case compared, and the run it is from (the folder's name). */
  case: string;
  run: string;
  /** What it is compared with: `<run>/<case>`. */
  reference: string;
  figure: string;
  label: string;
  unit: Unit | 'verdict';
  better?: 'higher' | 'lower';
  baseline: number | Validity | undefined;
  value: number | Validity | undefined;
  /** Relative change, or the change in ratio points for ratios; null when it has none (no value, a reference of 0, a verdict). */
  change: number | null;
  regressed: boolean;
  improved: boolean;
  /** The compared run's threshold on this figure for this case, if its suite set one. */
  threshold?: Pick<ThresholdOutcome, 'expected' | 'pass'>;
}

const rank = (v: Validity | undefined) => (v === true ? 0 : v === 'unknown' ? 1 : v === false ? 2 : 3);

/**
 * Compares every gated figure and every verdict of `cur` with `ref`. A
 * figure regresses when it got worse by more than the tolerance (from a
 * reference of 0, any worsening); a verdict when it got worse (`true` →
 * `unknown` → `false`), or when a check the reference ran is missing. Figures
 * neither way better (client ops) are listed, never judged. Pure.
 */
export function compareCases(ref: CaseModel, cur: CaseModel, tol: Tolerance, labels: { run: string; reference: string }): Comparison[] {
  const out: Comparison[] = [];
  for (const def of figureDefs(cur.view)) {
    const [a, b] = [def.value(ref), def.value(cur)];
    if (a === undefined && b === undefined) continue;
    let change: number | null = null;
    let worse = 0;
    if (a !== undefined && b !== undefined) {
      const delta = def.better === 'lower' ? b - a : a - b;
      if (def.unit === 'ratio') {
        change = b - a;
        worse = delta > tol.ratioPoints ? 1 : delta < -tol.ratioPoints ? -1 : 0;
      } else {
        change = a === 0 ? (b === 0 ? 0 : null) : (b - a) / Math.abs(a);
        const rel = a === 0 ? (delta === 0 ? 0 : Math.sign(delta) * Number.POSITIVE_INFINITY) : delta / Math.abs(a);
        worse = rel > tol.relative ? 1 : rel < -tol.relative ? -1 : 0;
      }
    } else if (a !== undefined) worse = 1; // the reference had it, this case has not (its history is gone)
    const judged = def.better !== undefined && def.gate !== false;
    out.push({
      case: cur.result.name,
      ...labels,
      figure: def.name,
      label: def.label,
      unit: def.unit,
      better: def.better,
      baseline: a,
      value: b,
      change,
      regressed: judged && worse > 0,
      improved: judged && worse < 0,
    });
  }
  const checks = new Set([...Object.keys(ref.result.checks?.results ?? {}), ...Object.keys(cur.result.checks?.results ?? {})]);
  for (const check of checks) {
    const [a, b] = [verdictOf(ref, check), verdictOf(cur, check)];
    out.push({
      case: cur.result.name,
      ...labels,
      figure: check,
      label: check,
      unit: 'verdict',
      baseline: a,
      value: b,
      change: null,
      regressed: a !== undefined && rank(b) > rank(a),
      improved: b !== undefined && rank(b) < rank(a),
    });
  }
  return out;
}

/** What `compare` shows: every comparison, regressions first, then thresholds crossed, then the rest. */
export interface CompareReport {
  runs: string[];
  /** Which run (or, within one run, which case) everything is compared with. */
  reference: string;
  tolerance: Tolerance;
  comparisons: Comparison[];
  /** Cases of a compared run that the reference run does not have. */
  unmatched: Array<{ run: string; case: string }>;
}

/**
 * Run against run: every case of each run in `runs` against the same case of
 * `baseline` (matched by case name). With a single run and no baseline,
 * pattern against pattern: each case against the run's first. Pure over
 * the models.
 */
export function compareRuns(runs: readonly RunModel[], baseline: RunModel | undefined, tol: Tolerance = DEFAULT_TOLERANCE): CompareReport {
  const comparisons: Comparison[] = [];
  const unmatched: CompareReport['unmatched'] = [];
  const withThresholds = (run: RunModel, list: Comparison[]) => {
    const outcomes = evaluateThresholds(run);
    for (const c of list) {
      const t = outcomes.find((o) => o.case === c.case && o.figure === c.figure);
      if (t) c.threshold = { expected: t.expected, pass: t.pass };
    }
    return list;
  };
  let reference: string;
  if (baseline === undefined && runs.length === 1) {
    const [run] = runs;
    const [first, ...rest] = run.cases;
    reference = `${label(run)}/${first?.result.name ?? '(no cases)'}`;
    for (const c of rest) comparisons.push(...withThresholds(run, compareCases(first, c, tol, { run: label(run), reference })));
  } else {
    const base = baseline ?? runs[0];
    reference = label(base);
    for (const run of runs) {
      if (run === base) continue;
      for (const c of run.cases) {
        const ref = base.cases.find((b) => b.result.name === c.result.name);
        if (!ref) {
          unmatched.push({ run: label(run), case: c.result.name });
          continue;
        }
        comparisons.push(...withThresholds(run, compareCases(ref, c, tol, { run: label(run), reference: `${label(base)}/${ref.result.name}` })));
      }
    }
  }
  const order = (c: Comparison) => (c.regressed ? 0 : c.threshold?.pass === false ? 1 : c.improved ? 2 : 3);
  comparisons.sort((x, y) => order(x) - order(y));
  return { runs: runs.map(label), reference, tolerance: tol, comparisons, unmatched };
}

/** A run's regressions against a baseline run, as results.json records them. Pure. */
export function regressionsAgainst(run: RunModel, baseline: RunModel, tol: Tolerance): { compared: number; regressions: Regression[]; unmatched: string[] } {
  const report = compareRuns([run], baseline, tol);
  return {
    compared: report.comparisons.length,
    regressions: report.comparisons
      .filter((c) => c.regressed)
      .map((c): Regression => ({ case: c.case, figure: c.figure, baseline: c.baseline as number | Validity, value: c.value ?? null, change: c.change })),
    unmatched: report.unmatched.map((u) => u.case),
  };
}

/** A run as comparisons name it: its folder's name. */
export function label(run: RunModel): string {
  return basename(run.dir);
}
