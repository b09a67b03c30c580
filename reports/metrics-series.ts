import type { MetricsSample } from '../history/metrics.ts';

/** One line of a chart: per-second rates of a counter of one component, at each sample after the first. */
export interface RateLine {
  /** What it counts and of which component: `postgres transactions/s`. */
  name: string;
  points: Array<[tS: number, perS: number | null]>;
}

/**
 * The backends' work per second from `metrics.jsonl`: every PostgreSQL
 * instance's transactions (`xact_commit + xact_rollback`) and every Redis
 * instance's commands (`total_commands_processed`), as rates between
 * consecutive samples, by component name. A sample a source could not give
 * (`{ error }`), or a counter that went backwards (the process restarted),
 * leaves a gap (`null`) rather than a made-up rate. Pure.
 */
export function backendRates(samples: readonly MetricsSample[]): RateLine[] {
  const lines = new Map<string, RateLine>();
  const counters: Array<{ kind: 'postgres' | 'redis'; what: string; read: (s: Record<string, number>) => number | undefined }> = [
    { kind: 'postgres', what: 'transactions/s', read: (s) => sum(s.xact_commit, s.xact_rollback) },
    { kind: 'redis', what: 'commands/s', read: (s) => s.total_commands_processed },
  ];
  for (let i = 1; i < samples.length; i++) {
    const [prev, cur] = [samples[i - 1], samples[i]];
    const dtS = (cur.time - prev.time) / 1e9;
    if (!(dtS > 0)) continue;
    for (const { kind, what, read } of counters) {
      for (const [component, now] of Object.entries(cur[kind] ?? {})) {
        const name = `${component} ${what}`;
        const line = lines.get(name) ?? { name, points: [] };
        lines.set(name, line);
        const before = prev[kind]?.[component];
        const a = before && !('error' in before) ? read(before) : undefined;
        const b = !('error' in now) ? read(now) : undefined;
        line.points.push([cur.time / 1e9, a !== undefined && b !== undefined && b >= a ? (b - a) / dtS : null]);
      }
    }
  }
  return [...lines.values()];
}

function sum(...xs: Array<number | undefined>): number | undefined {
  return xs.every((x) => typeof x === 'number') ? (xs as number[]).reduce((a, b) => a + b, 0) : undefined;
}
