import type { z } from 'zod';
import type { Verdict } from '../checkers/verdict.ts';
import type { MetricsSample } from '../history/metrics.ts';
import type { Op } from '../history/op.ts';
import type { Topology } from '../runtime/topology.ts';

/**
 * A pattern family as one module (`targets/<family>/index.ts`): its patterns,
 * the k6 workloads that drive them through the family's one HTTP API, and the
 * named checks over what clients saw. The runner and the CLI know families
 * only through this interface: they never name a family, a pattern, a link
 * or a checker's field.
 */
export interface Family {
  readonly name: string;
  /** One line: what the family compares. */
  readonly description: string;
  readonly patterns: Readonly<Record<string, Pattern>>;
  readonly workloads: readonly Workload[];
  readonly checks: Readonly<Record<string, Check>>;
  /** Figures of one case beyond the runner's own (hit ratio, lost writes …), from its saved files; written into results.json. */
  figures?(input: CaseFiles): Record<string, unknown>;
}

/**
 * A pattern: a plain class behind a service, set up by options. Its
 * `topology` names what it needs, its own service(s) included; the workload
 * drives the replicas of the service named `target`.
 */
export interface Pattern {
  readonly name: string;
  /** One line. */
  readonly description: string;
  /** What a suite case may set in `options`: defaults filled in, unknown fields refused. */
  readonly options: z.ZodType<Record<string, unknown>>;
  topology(options: Record<string, unknown>): Topology;
}

/** A k6 script of a family and the options it takes beside the runner's own (rate, duration, timeout, VUs). */
export interface Workload {
  /** Relative to the repository root; what a suite's `workload.script` names. */
  readonly script: string;
  readonly description: string;
  /** The family's options (`keys`, `readRatio` …), defaults filled in. */
  readonly options: z.ZodObject<z.ZodRawShape>;
  /** The options as k6 environment variables (`KEYS`, `READ_RATIO` …). */
  env(options: Record<string, unknown>): Record<string, string>;
}

/** A case's saved files, parsed: what checks and figures are computed from. */
export interface CaseFiles {
  history: readonly Op[];
  metrics: readonly MetricsSample[];
  /** The pattern's options and the workload's, as run. */
  options: Readonly<Record<string, unknown>>;
  workload: Readonly<Record<string, unknown>>;
}

/** A named check a suite may ask for: a checker, the adapter from the case's files to its input, and how its verdict reads. */
export interface Check {
  readonly description: string;
  /** Pure: files in, verdict out; may throw (the runner then says `unknown`). */
  run(files: CaseFiles): Verdict;
  /** One line for the terminal; absent: the reports' generic line (validity, reason). */
  summary?(verdict: Verdict): string;
  /** The report view that draws a failed verdict (`linearizability`: one lane per process, the failure marked). */
  readonly view?: 'linearizability';
}

/** A family's pattern registry entry as the runner sees it, built from the family's own registry. */
export function definePattern(
  name: string,
  entry: { description: string; options: z.ZodType<Record<string, unknown>> },
  topology: Pattern['topology'],
): Pattern {
  return { name, description: entry.description, options: entry.options, topology };
}
