import type { Validity } from '../checkers/verdict.ts';
import type { Unit } from './family-views.ts';
import { figureDefs, verdictOf } from './figures.ts';
import type { ThresholdOutcome } from './results-schema.ts';
import type { RunModel } from './run-model.ts';

/**
 * A suite's threshold, parsed: a figure compared with a limit in the
 * figure's own unit (`p99: < 50ms`, `staleReads: <= 1%`, `throughput: >= 45/s`),
 * or a check that must hold (`linearizable: true`).
 */
export type Threshold = { figure: string; expected: string; kind: 'verdict' } | { figure: string; expected: string; kind: 'compare'; op: Op; limit: number };

type Op = '<' | '<=' | '>' | '>=' | '==';

const EXPRESSION = /^\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*(ms|s|%|\/s)?\s*$/;

/** The suffixes a limit may carry for a figure of each unit, and what they multiply it by to reach that unit. */
const SUFFIXES: Record<Unit, Record<string, number>> = {
  ms: { '': 1, ms: 1, s: 1000 },
  ratio: { '': 1, '%': 0.01 },
  perSecond: { '': 1, '/s': 1 },
  count: { '': 1 },
};

/**
 * Parses one threshold for a figure of `unit`, or for a check (`'verdict'`).
 * Pure. Throws an Error saying what was expected: a check takes only `true`;
 * a figure takes `<op> <number>[suffix]` with op one of < <= > >= == and a
 * suffix that fits its unit (ms or s for latencies, % for ratios, /s for
 * rates, none for counts).
 */
export function parseThreshold(figure: string, spec: unknown, unit: Unit | 'verdict'): Threshold {
  if (unit === 'verdict') {
    if (spec !== true) throw new Error(`"${figure}" is a check: its threshold can only be true (the check must hold), got ${JSON.stringify(spec)}`);
    return { figure, expected: 'true', kind: 'verdict' };
  }
  const suffixes = SUFFIXES[unit];
  const m = typeof spec === 'string' ? EXPRESSION.exec(spec) : null;
  const allowed = Object.keys(suffixes).filter(Boolean);
  const form = `"<op> <number>${allowed.length ? `[${allowed.join('|')}]` : ''}" (op: < <= > >= ==), e.g. "${example(unit)}"`;
  if (!m) throw new Error(`"${figure}" (${unit}) takes ${form}, got ${JSON.stringify(spec)}`);
  const [, op, number, suffix = ''] = m;
  if (!Object.hasOwn(suffixes, suffix)) throw new Error(`"${figure}" is in ${unit}: "${suffix}" does not fit; it takes ${form}`);
  return { figure, expected: String(spec).trim(), kind: 'compare', op: op as Op, limit: Number(number) * suffixes[suffix] };
}

function example(unit: Unit): string {
  return { ms: '< 50ms', ratio: '<= 1%', perSecond: '>= 45/s', count: '== 0' }[unit];
}

/** Whether `value` meets the threshold. Pure. */
export function meets(t: Extract<Threshold, { kind: 'compare' }>, value: number): boolean {
  switch (t.op) {
    case '<':
      return value < t.limit;
    case '<=':
      return value <= t.limit;
    case '>':
      return value > t.limit;
    case '>=':
      return value >= t.limit;
    case '==':
      return value === t.limit;
  }
}

/** The unit of a name for a case: a check it ran is a verdict, else the figure's unit; undefined when it names neither. */
export function unitOf(name: string, checks: readonly string[], figures: ReadonlyMap<string, Unit>): Unit | 'verdict' | undefined {
  return checks.includes(name) ? 'verdict' : figures.get(name);
}

/**
 * Every case's thresholds, tested. A figure the run does not have (a case
 * that failed before its history, a family figure it did not write) fails
 * its threshold with `actual: null`; a check that could not decide leaves
 * its threshold `unknown`. Thresholds were checked when the suite was
 * planned; one that no longer parses here (a results folder edited by hand)
 * fails, never passes. Pure over the model.
 */
export function evaluateThresholds(run: RunModel): ThresholdOutcome[] {
  const out: ThresholdOutcome[] = [];
  for (const c of run.cases) {
    const defs = new Map(figureDefs(c.view).map((f) => [f.name, f]));
    const checks = Object.keys(c.result.checks?.results ?? {});
    for (const [figure, spec] of Object.entries(c.thresholds)) {
      const expected = String(spec);
      const unit = unitOf(figure, checks, new Map([...defs].map(([n, d]) => [n, d.unit])));
      if (unit === undefined || (unit !== 'verdict' && spec === true)) {
        out.push({ case: c.result.name, figure, expected, actual: null, pass: false });
        continue;
      }
      let t: Threshold;
      try {
        t = parseThreshold(figure, spec, unit);
      } catch {
        out.push({ case: c.result.name, figure, expected, actual: null, pass: false });
        continue;
      }
      if (t.kind === 'verdict') {
        const v: Validity | undefined = verdictOf(c, figure);
        out.push({ case: c.result.name, figure, expected, actual: v ?? null, pass: v === undefined ? false : v });
        continue;
      }
      const value = defs.get(figure)!.value(c);
      out.push({ case: c.result.name, figure, expected, actual: value ?? null, pass: value === undefined ? false : meets(t, value) });
    }
  }
  return out;
}
