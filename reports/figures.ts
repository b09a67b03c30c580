import type { Validity } from '../checkers/verdict.ts';
import type { CaseModel } from './run-model.ts';
import type { FamilyView, Unit } from './family-views.ts';

/** A figure the summary shows, thresholds test and baselines compare: by name, with its unit and which way is better. */
export interface FigureDef {
  name: string;
  label: string;
  unit: Unit;
  /** Absent: not better either way (client ops), never marked best nor a regression. */
  better?: 'higher' | 'lower';
  /** false: marked best, never a baseline regression (it follows the run's length, or measures the load generator rather than the pattern). */
  gate?: false;
  value(c: CaseModel): number | undefined;
}

/** The figures every case has, from its history (and k6's dropped iterations), the same for every family. */
export const genericFigures: readonly FigureDef[] = [
  { name: 'throughput', label: 'throughput', unit: 'perSecond', better: 'higher', value: (c) => c.stats?.throughput },
  { name: 'p50', label: 'p50', unit: 'ms', better: 'lower', value: (c) => c.stats?.latencyMs?.p50 },
  { name: 'p95', label: 'p95', unit: 'ms', better: 'lower', value: (c) => c.stats?.latencyMs?.p95 },
  { name: 'p99', label: 'p99', unit: 'ms', better: 'lower', value: (c) => c.stats?.latencyMs?.p99 },
  { name: 'maxLatency', label: 'max', unit: 'ms', better: 'lower', value: (c) => c.stats?.latencyMs?.max },
  { name: 'errors', label: 'errors', unit: 'count', better: 'lower', gate: false, value: (c) => c.stats?.errors },
  { name: 'errorRate', label: 'error rate', unit: 'ratio', better: 'lower', value: (c) => c.stats?.errorRate },
  { name: 'availability', label: 'availability', unit: 'ratio', better: 'higher', value: (c) => c.stats?.availability },
  { name: 'ops', label: 'client ops', unit: 'count', value: (c) => c.stats?.ops },
  { name: 'droppedIterations', label: 'dropped (k6)', unit: 'count', better: 'lower', gate: false, value: (c) => c.result.k6?.droppedIterations },
];

/** The generic figures and a family view's own, in the summary's column order. */
export function figureDefs(view: FamilyView): FigureDef[] {
  const own = Object.entries(view.figures ?? {}).map(
    ([name, f]): FigureDef => ({ name, label: f.label, unit: f.unit, better: f.better, value: (c) => numberAt(c, f.from) }),
  );
  return [...genericFigures, ...own];
}

/** Every figure name a suite may use for a case of a family, and its unit: generic, the view's, and (as verdicts) the case's checks. */
export function knownFigures(view: FamilyView): Map<string, Unit> {
  return new Map(figureDefs(view).map((f) => [f.name, f.unit]));
}

/**
 * A value at a view's `from` path: `ratios.<name>` is the history ratio the
 * report counted, anything else a dotted path into the case's results.json
 * entry; of several paths, the first that holds one. Only finite numbers
 * count; anything else is no value.
 */
export function numberAt(c: CaseModel, from: string | readonly string[]): number | undefined {
  if (typeof from !== 'string') {
    for (const path of from) {
      const v = numberAt(c, path);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  if (from.startsWith('ratios.')) return c.stats?.ratios[from.slice('ratios.'.length)]?.value;
  const v = valueAt(c.result, from);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The value at a dotted path (`checks.results.staleness.tMs.max`), or undefined. Pure. */
export function valueAt(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** A check's verdict validity for a case, or undefined when the case ran no such check. */
export function verdictOf(c: CaseModel, check: string): Validity | undefined {
  return c.result.checks?.results[check]?.valid;
}

/** A figure's value as people read it: ratios as %, ms with sensible digits, rates per second. */
export function formatFigure(value: number | undefined | null, unit: Unit): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '–';
  switch (unit) {
    case 'ratio':
      return `${(value * 100).toFixed(value !== 0 && Math.abs(value) < 0.001 ? 3 : 1)}%`;
    case 'ms':
      return `${value < 10 ? value.toFixed(2) : value < 1000 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')} ms`;
    case 'perSecond':
      return `${value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')}/s`;
    case 'count':
      return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(2);
  }
}

/** Every numeric leaf of a nested object, by dotted path (arrays are skipped: they are curves, not figures). Pure. */
export function numericLeaves(value: unknown, prefix = ''): Array<[string, number]> {
  if (typeof value === 'number') return Number.isFinite(value) ? [[prefix, value]] : [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => numericLeaves(v, prefix ? `${prefix}.${k}` : k));
}
