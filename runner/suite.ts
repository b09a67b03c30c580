import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { caseCheckNames, type CaseCheckName } from './case-checks.ts';
import { SuiteError } from './suite-error.ts';

export { SuiteError };

/**
 * A suite: which targets to put through which workload and faults. One case
 * a target; every case gets the same workload and fault schedule, so the
 * report can set them side by side. Durations are `'500ms' | '5s' | '1m'`.
 */
const duration = z
  .union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a duration such as "500ms", "5s" or "1m"')])
  .describe('duration');

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

const workload = z
  .object({
    script: z.string().default('workloads/caching.ts'),
    rate: z.number().positive().default(50),
    duration: duration.default('20s'),
    keys: z.number().int().positive().default(100),
    readRatio: z.number().min(0).max(1).default(0.9),
    timeout: duration.default('2s'),
    preVUs: z.number().int().positive().default(10),
    maxVUs: z.number().int().positive().default(100),
  })
  .strict();

const suiteCase = z
  .object({
    target: z.string().min(1),
    name: z.string().min(1).optional(),
  })
  .strict();

export const suiteSchema = z
  .object({
    name: z.string().min(1),
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
    checkers: z.array(z.enum(caseCheckNames as [CaseCheckName, ...CaseCheckName[]])).default([]),
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
