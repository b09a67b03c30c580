import { z } from 'zod';

/**
 * results.json as a schema: what the runner writes (runner/run-suite.ts's
 * `RunResults`; a test holds the two together) and what the reports add at
 * the end of a run (`stats`, `thresholds`, `baseline`). Published as
 * docs/results.schema.json (JSON Schema 2020-12, generated from this by
 * `resultsJsonSchema()`; a test fails when the committed file is stale).
 * Objects are open: a family's figures and a checker's details are its own,
 * and new fields must not break old readers.
 */
const validity = z.union([z.literal(true), z.literal(false), z.literal('unknown')]).describe('true: holds; false: violated; "unknown": could not decide');

export const verdictSchema = z
  .looseObject({
    valid: validity,
    reason: z.string().optional(),
    error: z.string().optional(),
  })
  .describe("A checker's verdict; every other field is the checker's own (figures, counterexample)");

const quantiles = z.object({ p50: z.number(), p95: z.number(), p99: z.number(), max: z.number() }).describe('nearest-rank latency quantiles, ms');

export const caseStatsSchema = z
  .looseObject({
    ops: z.number().int().describe('client operations (invokes)'),
    ok: z.number().int(),
    fail: z.number().int(),
    info: z.number().int(),
    open: z.number().int().describe('invoked, never completed'),
    errors: z.number().int().describe('fail + info'),
    errorRate: z.number().nullable().describe('errors / completed ops'),
    availability: z.number().nullable().describe('ok / completed ops'),
    throughput: z.number().nullable().describe('ok completions per second, first client invoke to last client completion'),
    latencyMs: quantiles.nullable().describe('over every completion, ms'),
    ratios: z.record(z.string(), z.number().nullable()).describe("the family's history ratios (hitRatio …)"),
    faultWindows: z.array(
      z.object({ fault: z.string(), on: z.string(), startNs: z.number(), endNs: z.number(), open: z.boolean().describe('the history ended before its stop') }),
    ),
  })
  .describe("Generic figures of a case, computed by the report from the case's history the same way for every family");

export const thresholdOutcomeSchema = z.object({
  case: z.string(),
  figure: z.string(),
  /** As the suite wrote it: `< 50ms`, `true`. */
  expected: z.string(),
  actual: z
    .union([z.number(), validity, z.null()])
    .describe('the figure (in its unit: ms, ratio 0..1, per second, count) or a verdict; null: the run has no such figure'),
  pass: validity,
});

export const regressionSchema = z.object({
  case: z.string(),
  figure: z.string(),
  baseline: z.union([z.number(), validity]),
  value: z.union([z.number(), validity, z.null()]),
  /** Relative change for ms, per-second and count figures; percentage points / 100 for ratios. */
  change: z.number().nullable(),
});

const caseResult = z.looseObject({
  name: z.string().describe("the case's name, which is also its folder"),
  target: z.string().describe('the pattern'),
  family: z.string(),
  options: z.record(z.string(), z.unknown()),
  workload: z.record(z.string(), z.unknown()),
  status: z.enum(['running', 'completed', 'interrupted', 'error']),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  error: z.string().optional(),
  dir: z.string().describe('relative to the run folder'),
  history: z.looseObject({
    ops: z.number().int(),
    ok: z.number().int(),
    fail: z.number().int(),
    info: z.number().int(),
    nemesis: z.number().int(),
    skippedLines: z.number().int(),
  }),
  k6: z
    .looseObject({
      exitCode: z.number().int().nullable(),
      droppedIterations: z.number(),
      iterations: z.number(),
      httpReqs: z.number(),
      httpReqDurationMs: z.record(z.string(), z.number()),
    })
    .optional(),
  checks: verdictSchema
    .extend({ results: z.record(z.string(), verdictSchema) })
    .optional()
    .describe("the suite's checks; the merged valid is the worst"),
  figures: z.record(z.string(), z.unknown()).optional().describe("the family's own figures (targets/<family>/FIGURES.md)"),
  links: z.array(z.string()),
  stats: caseStatsSchema.optional(),
});

export const resultsSchema = z
  .looseObject({
    suite: z.string(),
    status: z.enum(['running', 'completed', 'interrupted', 'error']),
    startedAt: z.string(),
    endedAt: z.string().optional(),
    runtime: z.enum(['local', 'docker']),
    workload: z.record(z.string(), z.unknown()),
    plan: z.array(z.looseObject({ kind: z.string(), on: z.string(), attributes: z.record(z.string(), z.unknown()), atMs: z.number(), forMs: z.number() })),
    cases: z.array(caseResult),
    thresholds: z.array(thresholdOutcomeSchema).optional().describe("the suite's thresholds, each case's outcome; they decide run's exit code"),
    baseline: z
      .object({
        dir: z.string(),
        tolerance: z.object({ relative: z.number(), ratioPoints: z.number() }),
        compared: z.number().int().describe('figures compared'),
        regressions: z.array(regressionSchema),
      })
      .optional()
      .describe('run --baseline: figures that regressed past the tolerance'),
  })
  .describe('results.json of a patternbench run folder');

export type Results = z.infer<typeof resultsSchema>;
export type ResultsCase = Results['cases'][number];
export type ThresholdOutcome = z.infer<typeof thresholdOutcomeSchema>;
export type Regression = z.infer<typeof regressionSchema>;
export type CaseStatsJson = z.infer<typeof caseStatsSchema>;

/** The published JSON Schema of results.json (draft 2020-12). Pure. */
export function resultsJsonSchema(): Record<string, unknown> {
  return {
    title: 'patternbench results.json',
    ...z.toJSONSchema(resultsSchema, { target: 'draft-2020-12', io: 'input' }),
  };
}
