import { z } from 'zod';
import { parseDuration } from '../faults/duration.ts';
import { faults, isFaultKind, matchNames } from '../faults/index.ts';
import { planRandomNemesis, planTimeline, type PlannedFault } from '../faults/schedule.ts';
import { planTopology, type Topology } from '../runtime/topology.ts';
import { type Family, families, findPattern, findWorkload, type Pattern, patternNames, type Workload } from '../targets/index.ts';
import { familyViews } from '../reports/family-views.ts';
import { knownFigures } from '../reports/figures.ts';
import { parseThreshold, unitOf } from '../reports/thresholds.ts';
import { commonWorkload, type Suite } from './suite.ts';
import { SuiteError } from './suite-error.ts';

/** A case's workload as run: the runner's settings (rate, duration …), the script, and the family's own options. */
export type WorkloadSettings = Omit<z.infer<z.ZodObject<typeof commonWorkload>>, 'script'> & { script: string } & Record<string, unknown>;

/** One case, resolved against its family: everything the runner needs, all of it checked. */
export interface PlannedCase {
  /** Its folder's name. */
  name: string;
  family: Family;
  pattern: Pattern;
  /** The pattern's options, defaults filled in. */
  options: Record<string, unknown>;
  workload: Workload;
  /** The runner's workload settings and the family's, defaults filled in; `script` is the workload's. */
  settings: WorkloadSettings;
  checks: string[];
  topology: Topology;
}

/** A whole suite, planned: its cases and one fault plan they all meet. */
export interface SuitePlan {
  cases: PlannedCase[];
  faults: PlannedFault[];
}

/**
 * Resolves and checks a whole suite before anything starts: each case's
 * pattern (and that its workload belongs to the same family), the pattern's
 * options, the workload's options, the checks, the topology, and that every
 * fault names a link or component that case's topology has (a `*` in `on`
 * matches any run of characters) and starts before the load ends. Pure;
 * `registry` is every family (tests pass their own).
 * Throws `SuiteError` naming `file`, the field and what was expected.
 */
export function planSuite(suite: Suite, file: string, registry: Readonly<Record<string, Family>> = families): SuitePlan {
  const fail = (field: string, message: string): never => {
    throw new SuiteError(file, `field "${field}": ${message}`);
  };
  const cases = suite.cases.map((c, i): PlannedCase => {
    const name = c.name ?? c.target;
    const found =
      findPattern(c.target, registry) ?? fail(`cases.${i}.target`, `unknown target "${c.target}"; known targets: ${patternNames(registry).join(', ')}`);
    const { family, pattern } = found;
    const raw: Record<string, unknown> = { ...suite.workload, ...c.workload };
    const scriptField = c.workload?.script !== undefined ? `cases.${i}.workload.script` : 'workload.script';
    const workload = raw.script === undefined ? family.workloads[0] : findWorkload(String(raw.script), registry)?.workload;
    if (!workload) {
      const known = family.workloads.map((w) => w.script).join(', ');
      if (/^[a-z][a-z0-9+.-]*:/i.test(String(raw.script)))
        return fail(scriptField, `"${raw.script}" is not a local file (k6 would fetch it); a workload is one of the ${family.name} family's: ${known}`);
      return fail(scriptField, `unknown workload script "${raw.script}"; the ${family.name} family's: ${known}`);
    }
    if (!family.workloads.includes(workload)) {
      const owner = findWorkload(workload.script, registry)!.family.name;
      return fail(
        `cases.${i}.target`,
        `case "${name}": "${c.target}" is a ${family.name} pattern, but its workload ${workload.script} belongs to the ${owner} family`,
      );
    }
    const settings = parseOrFail(file, z.object({ ...commonWorkload, ...workload.options.shape }).strict(), { ...raw, script: workload.script }, (path) =>
      c.workload && path[0] !== undefined && Object.hasOwn(c.workload, path[0]) ? `cases.${i}.workload` : 'workload',
    );
    const options = parseOrFail(file, pattern.options, c.options ?? {}, () => `cases.${i}.options`);
    const checks = c.checkers ?? suite.checkers;
    const checksField = c.checkers ? `cases.${i}.checkers` : 'checkers';
    for (const check of checks) {
      if (!Object.hasOwn(family.checks, check))
        fail(checksField, `unknown check "${check}" for case "${name}" (${family.name}); known: ${Object.keys(family.checks).join(', ')}`);
    }
    checkThresholds(suite, i, family.name, checks, fail);
    let topology: Topology;
    try {
      topology = pattern.topology(options);
      planTopology(topology);
    } catch (err) {
      return fail(`cases.${i}.options`, `${pattern.name} cannot be set up so: ${(err as Error).message}`);
    }
    return { name, family, pattern, options, workload, settings: settings as WorkloadSettings, checks, topology };
  });

  const durations = new Set(cases.map((c) => parseDuration(c.settings.duration)));
  const runMs = Math.min(...durations);
  const faultPlan = [
    ...planOrThrow(file, 'faults', () => planTimeline(suite.faults)),
    ...(suite.nemesis ? planOrThrow(file, 'nemesis', () => planRandomNemesis({ ...suite.nemesis!, durationMs: runMs })) : []),
  ];
  suite.faults.forEach((f, i) => {
    const at = parseDuration(f.at);
    if (at >= runMs) fail(`faults.${i}.at`, `${f.fault} on ${f.on} would start at ${at} ms, when the load (${runMs} ms) is over`);
  });
  const named: Array<{ field: string; kind: string; on: string }> = [
    ...suite.faults.map((f, i) => ({ field: `faults.${i}.on`, kind: f.fault, on: f.on })),
    ...(suite.nemesis?.faults ?? []).flatMap((f, i) => f.on.map((on, j) => ({ field: `nemesis.faults.${i}.on.${j}`, kind: f.fault, on }))),
  ];
  for (const c of cases) {
    const plan = planTopology(c.topology);
    const names = {
      link: plan.links.map((l) => l.name),
      component: plan.components.map((x) => x.name),
    };
    for (const { field, kind, on } of named) {
      if (!isFaultKind(kind)) continue; // planTimeline has named it
      const what = faults[kind].network ? 'link' : 'component';
      if (matchNames(on, names[what]).length === 0) {
        fail(field, `case "${c.name}" has no ${what} "${on}"; its ${what}s: ${names[what].join(', ') || '(none)'}`);
      }
    }
  }
  return { cases, faults: faultPlan };
}

/**
 * Each threshold that applies to case `i` (the suite's and its own) names a
 * figure the case will have — generic, its family view's, or one of its
 * checks — and reads as that figure's threshold (`< 50ms` for a latency,
 * `<= 1%` for a ratio, `true` for a check).
 */
function checkThresholds(suite: Suite, i: number, family: string, checks: readonly string[], fail: (field: string, message: string) => never): void {
  const figures = knownFigures(familyViews[family] ?? {});
  const own = suite.cases[i].thresholds ?? {};
  const entries: Array<[string, string, unknown]> = [
    ...Object.entries(suite.thresholds ?? {})
      .filter(([name]) => !Object.hasOwn(own, name))
      .map(([name, spec]): [string, string, unknown] => [`thresholds.${name}`, name, spec]),
    ...Object.entries(own).map(([name, spec]): [string, string, unknown] => [`cases.${i}.thresholds.${name}`, name, spec]),
  ];
  for (const [field, name, spec] of entries) {
    const unit = unitOf(name, checks, figures);
    if (unit === undefined) {
      fail(
        field,
        `case "${suite.cases[i].name ?? suite.cases[i].target}" has no figure or check "${name}"; its figures: ${[...figures.keys()].join(', ')}; its checks: ${checks.join(', ') || '(none)'}`,
      );
    }
    try {
      parseThreshold(name, spec, unit!);
    } catch (err) {
      fail(field, (err as Error).message);
    }
  }
}

/** Parses `value` with `schema`, or throws a `SuiteError` naming each bad field under `prefix(path)`. */
function parseOrFail<T>(file: string, schema: z.ZodType<T>, value: unknown, prefix: (path: PropertyKey[]) => string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const path = [...issue.path, ...(keys.length === 1 ? keys : [])];
    const field = [prefix(path), ...path.map(String)].join('.');
    return `field "${field}": ${issue.message}`;
  });
  throw new SuiteError(file, lines.join('; '));
}

/** Runs a planner, turning its error into a `SuiteError` naming the file and the section (faults / nemesis). */
function planOrThrow(file: string, section: string, plan: () => PlannedFault[]): PlannedFault[] {
  try {
    return plan();
  } catch (err) {
    const message = (err as Error).message;
    throw new SuiteError(file, message.startsWith(section) ? message : `${section}: ${message}`);
  }
}
