import { z } from 'zod';

/** One failpoint's setting: pause this long each time the code passes the point, for the next `times` passes (absent: every pass). */
export const failpointSetting = z.object({ pauseMs: z.number().int().nonnegative(), times: z.number().int().positive().optional() }).strict();
export type FailpointSetting = z.infer<typeof failpointSetting>;

/**
 * A pattern's `failpoints` option: settings by point name, checked against
 * the points the pattern has, so a misspelt point is refused when the suite
 * is planned rather than silently never hit.
 */
export function failpointsOption(points: readonly string[]) {
  return z
    .record(z.string(), failpointSetting)
    .default({})
    .superRefine((settings, ctx) => {
      for (const name of Object.keys(settings))
        if (!points.includes(name)) ctx.addIssue({ code: 'custom', path: [name], message: `no failpoint "${name}" here; known: ${points.join(', ')}` });
    });
}

/** What `GET /failpoints` shows of one point: its setting, and how many passes are paused there now. */
export interface FailpointState {
  pauseMs: number;
  /** Passes still to pause; absent: every pass. */
  remaining?: number;
  waiting: number;
}

/**
 * Named points in a pattern's code where a test or a suite can make the
 * process stop for a while, in the manner of etcd's gofail and TiKV's
 * fail-rs: `after-prepare` holds a 2PC coordinator between PREPARE and its
 * commit decision. A kill then lands between the two for sure, rather than
 * when a fault happens to meet a millisecond-wide window, and `waiting`
 * tells a test the moment a pass is held there. Points with no setting cost
 * one map lookup.
 */
export class Failpoints {
  private readonly settings = new Map<string, { pauseMs: number; remaining?: number }>();
  private readonly waiting = new Map<string, number>();

  /** `initial` comes from the pattern's options (already checked against `points`). */
  constructor(
    readonly points: readonly string[],
    initial: Readonly<Record<string, FailpointSetting>> = {},
  ) {
    for (const [name, setting] of Object.entries(initial)) this.set(name, setting);
  }

  /** Sets point `name`; throws for a point this pattern does not have. */
  set(name: string, setting: FailpointSetting): void {
    if (!this.points.includes(name)) throw new Error(`no failpoint "${name}"; known: ${this.points.join(', ')}`);
    this.settings.set(name, { pauseMs: setting.pauseMs, remaining: setting.times });
  }

  clear(name: string): void {
    this.settings.delete(name);
  }

  /** Every point that is set or has passes waiting. */
  state(): Record<string, FailpointState> {
    const names = new Set([...this.settings.keys(), ...this.waiting.keys()]);
    return Object.fromEntries(
      [...names].map((name) => {
        const s = this.settings.get(name);
        return [name, { pauseMs: s?.pauseMs ?? 0, ...(s?.remaining !== undefined ? { remaining: s.remaining } : {}), waiting: this.waiting.get(name) ?? 0 }];
      }),
    );
  }

  /** Passes point `name`: resolves at once when it is not set, else after its pause. */
  async pass(name: string): Promise<void> {
    const setting = this.settings.get(name);
    if (!setting) return;
    if (setting.remaining !== undefined && --setting.remaining <= 0) this.settings.delete(name);
    this.waiting.set(name, (this.waiting.get(name) ?? 0) + 1);
    try {
      await new Promise((resolve) => setTimeout(resolve, setting.pauseMs));
    } finally {
      const left = (this.waiting.get(name) ?? 1) - 1;
      if (left > 0) this.waiting.set(name, left);
      else this.waiting.delete(name);
    }
  }
}
