import { Option } from 'commander';
import { UsageError } from '../../runner/usage-error.ts';

/** `--tolerance` and `--tolerance-points`, shared by `run --baseline` and `compare`. */
export function toleranceOptions(): Option[] {
  return [
    new Option('--tolerance <percent>', 'how much worse a latency, rate or count may get before it is a regression').default('10%'),
    new Option('--tolerance-points <points>', 'how many percentage points worse a ratio (hit ratio, error rate) may get').default('1'),
  ];
}

/** The flags as a tolerance: `10%` (or `10`) → 0.1 relative, `1` (or `1pt`) → 0.01 of a ratio. Throws `UsageError` naming the flag. */
export function parseTolerance(flags: { tolerance: string; tolerancePoints: string }): { relative: number; ratioPoints: number } {
  const number = (flag: string, raw: string, suffix: RegExp) => {
    const v = Number(raw.trim().replace(suffix, ''));
    if (!Number.isFinite(v) || v < 0) throw new UsageError(`${flag}: expected a number ≥ 0 such as 10%, got "${raw}"`);
    return v / 100;
  };
  return { relative: number('--tolerance', flags.tolerance, /%$/), ratioPoints: number('--tolerance-points', flags.tolerancePoints, /\s*(pt|points?)$/) };
}
