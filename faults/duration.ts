/** A duration as users write it: `'500ms' | '5s' | '1m' | '1h'`, or a number of milliseconds. */
export type Duration = string | number;

const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/**
 * Milliseconds in `input`: a number of milliseconds ≥ 0, or a string such as
 * `'500ms'`, `'1.5s'`, `'1m'`, `'2h'`. Pure. Throws an Error naming `field`
 * and the rejected value otherwise (`for: expected a duration such as "500ms",
 * "5s" or "1m", or a number of milliseconds ≥ 0, got "soon"`).
 */
export function parseDuration(input: Duration, field = 'duration'): number {
  if (typeof input === 'number' && Number.isFinite(input) && input >= 0) return input;
  const match = typeof input === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(input) : null;
  if (match) return Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
  throw new Error(`${field}: expected a duration such as "500ms", "5s" or "1m", or a number of milliseconds ≥ 0, got ${JSON.stringify(input)}`);
}
