import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type Duration, parseDuration } from '../faults/duration.ts';
import { SuiteError } from './suite-error.ts';

export { SuiteError };

/**
 * A suite: which patterns to put through which workload and faults. One case
 * a pattern; every case gets the same workload and fault schedule, so the
 * report can set them side by side. Durations are faults/duration.ts's one
 * grammar: `'500ms' | '5s' | '1m'`, or a number of milliseconds.
 */
const duration = z.custom<Duration>(
  (v) => {
    try {
      parseDuration(v as Duration);
      return true;
    } catch {
      return false;
    }
  },
  { error: (issue) => `expected a duration such as "500ms", "5s" or "1m", or a number of milliseconds ≥ 0, got ${JSON.stringify(issue.input)}` },
);

const timelineFault = z
  .object({
    fault: z.string().min(1),
    on: z.string().min(1),
    at: duration,
    for: duration,
  })
  .catchall(z.unknown());

const randomNemesis = z.object({
  seed: z.number().int(),
  faults: z.array(z.object({ fault: z.string().min(1), on: z.array(z.string().min(1)).min(1) }).catchall(z.unknown())).min(1),
  minFor: duration.default('2s'),
  maxFor: duration.default('5s'),
  minGap: duration.default('2s'),
  maxGap: duration.default('5s'),
});

/**
 * The runner's own workload settings. A family's workload adds its own
 * (`keys`, `readRatio` …), checked against that workload's schema when the
 * suite is planned (`plan-suite.ts`); here they pass through.
 */
export const commonWorkload = {
  /** A family's k6 script; absent: the first workload of the case's family. */
  script: z.string().min(1).optional(),
  rate: z.number().positive().default(50),
  duration: duration.default('20s'),
  timeout: duration.default('2s'),
  preVUs: z.number().int().positive().default(10),
  maxVUs: z.number().int().positive().default(100),
};

const workload = z.object(commonWorkload).catchall(z.unknown());

/** A case's name becomes its folder: a plain slug. */
const slug = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a plain name of letters, digits, ".", "_" and "-" (it names a folder)');

/**
 * Thresholds by figure name: a generic figure (`p99`, `throughput`,
 * `errorRate` …), a figure of the family's report view (`staleReads`,
 * `hitRatio` …) or a check (`linearizable: true`). Names and expressions
 * are checked against the case's family when the suite is planned; they
 * decide `run`'s exit code (reports/thresholds.ts).
 */
const thresholds = z.record(z.string().min(1), z.union([z.string().min(1), z.boolean()]));

const suiteCase = z
  .object({
    target: z.string().min(1),
    name: slug.optional(),
    /** The pattern's options, checked against its schema when the suite is planned. */
    options: z.record(z.string(), z.unknown()).optional(),
    /** Workload settings of this case only, laid over the suite's. */
    workload: z.record(z.string(), z.unknown()).optional(),
    /** Checks of this case only, instead of the suite's. */
    checkers: z.array(z.string().min(1)).optional(),
    /** Thresholds of this case, laid over the suite's. */
    thresholds: thresholds.optional(),
  })
  .strict();

export const suiteSchema = z
  .object({
    name: slug,
    runtime: z.enum(['local', 'docker']).default('local'),
    workload: workload.default(workload.parse({})),
    cases: z
      .array(suiteCase)
      .min(1)
      .refine((cases) => new Set(cases.map((c) => c.name ?? c.target)).size === cases.length, {
        message: 'two cases share a name (each case gets a folder of its own): give one of them a distinct `name`',
      }),
    faults: z.array(timelineFault).default([]),
    nemesis: randomNemesis.optional(),
    /** Checks by name, from the family of the cases' targets. */
    checkers: z.array(z.string().min(1)).default([]),
    /** Thresholds every case must meet (`p99: < 50ms`); a case's own override them by name. */
    thresholds: thresholds.optional(),
  })
  .strict();

export type Suite = z.infer<typeof suiteSchema>;
export type SuiteCase = Suite['cases'][number];
export type TimelineFault = Suite['faults'][number];

/** Validates a plain object as a suite; throws `SuiteError` naming `file` and each bad field. */
export function parseSuite(raw: unknown, file: string): Suite {
  const result = suiteSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : '(top level)';
    return `field "${field}": ${issue.message}`;
  });
  throw new SuiteError(file, lines.join('; '));
}

/** Reads a `.yaml`/`.yml`/`.json` suite file; throws `SuiteError` for unreadable, unparsable or invalid files. */
export function loadSuite(path: string): Suite {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SuiteError(path, `cannot read: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new SuiteError(path, `not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  return parseSuite(raw, path);
}
