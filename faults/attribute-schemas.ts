import { z } from 'zod';

/** How a rejected value reads in an error: `"fast"`, `-1`, or `nothing` when absent. */
function shown(input: unknown): string {
  return input === undefined ? 'nothing' : JSON.stringify(input);
}

/**
 * A number ≥ `min` (and ≤ `max` when given), whole unless `integer: false`
 * (Toxiproxy reads its attributes as Go int64s), described as `what` in
 * errors: `expected a number of milliseconds ≥ 0, got "fast"`. Numeric
 * strings are accepted because CLI flags arrive as strings (`--latency 100`).
 */
export function numberAttribute(what: string, min: number, opts: { max?: number; integer?: boolean } = {}): z.ZodType<number> {
  const { max, integer = true } = opts;
  const range = max === undefined ? `≥ ${min}` : `from ${min} to ${max}`;
  const error = (issue: { input?: unknown }) => `expected ${integer ? 'a whole' : 'a'} ${what} ${range}, got ${shown(issue.input)}`;
  let n = (integer ? z.int({ error }) : z.number({ error })).min(min, { error });
  if (max !== undefined) n = n.max(max, { error });
  return z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v), n) as unknown as z.ZodType<number>;
}

/** Which direction a toxic acts on; `both` adds one toxic per direction. Toxiproxy's default is `downstream`. */
const streamAttribute = z
  .enum(['upstream', 'downstream', 'both'], { error: (issue) => `expected "upstream", "downstream" or "both", got ${shown(issue.input)}` })
  .default('downstream');

/** The attributes every toxic shares: `stream` and `toxicity` (the share of connections affected, 0..1, default 1). */
export const toxicCommon = {
  stream: streamAttribute,
  toxicity: numberAttribute('fraction of connections', 0, { max: 1, integer: false }).default(1),
};

/**
 * A strict object schema: an unknown attribute is an error naming it and
 * listing the known ones, so a typo (`latncy`) never silently does nothing.
 */
export function attributesSchema<S extends z.ZodRawShape>(shape: S) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown attribute${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; known: ${known.join(', ') || '(none)'}`
        : undefined,
  });
}

/**
 * Which of the components `on` matches a process fault acts on: `all` of
 * them (the default), or the `leader` alone — the one that leads when the
 * fault starts (`leader-fault.ts`).
 */
export const pickAttribute = z.enum(['all', 'leader'], { error: (issue) => `expected "all" or "leader", got ${shown(issue.input)}` }).default('all');
