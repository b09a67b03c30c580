import { setMaxListeners } from 'node:events';
import { parseDuration, type Duration } from './duration.ts';
import type { Fault } from './fault.ts';
import { createFault, parseFaultAttributes } from './index.ts';
import type { Nemesis } from './nemesis.ts';
import { mulberry32 } from './prng.ts';

/** One fault in a plan: `kind` on `on`, active from `atMs` for `forMs` milliseconds after the schedule starts. */
export interface PlannedFault {
  kind: string;
  on: string;
  /** Validated, with defaults filled in. */
  attributes: Record<string, unknown>;
  atMs: number;
  forMs: number;
}

/** A timeline entry as a suite file writes it: `{ fault: 'latency', on: 'target-to-redis', at: '5s', for: '10s', latency: 100 }`. */
export interface TimelineEntry {
  fault: string;
  on: string;
  at: Duration;
  for: Duration;
  [attribute: string]: unknown;
}

/**
 * Compiles a fixed timeline into a plan sorted by start time. Pure. Throws an
 * Error naming the entry (`faults[2]`) for a bad duration, an unknown fault
 * kind or a bad attribute; links and components are checked when it runs.
 */
export function planTimeline(entries: readonly TimelineEntry[]): PlannedFault[] {
  return entries
    .map(({ fault, on, at, for: span, ...attributes }, i) => {
      try {
        return { kind: fault, on, attributes: parseFaultAttributes(fault, attributes), atMs: parseDuration(at, 'at'), forMs: parseDuration(span, 'for') };
      } catch (err) {
        throw new Error(`faults[${i}] (${fault} on ${on}): ${(err as Error).message}`, { cause: err });
      }
    })
    .sort((a, b) => a.atMs - b.atMs);
}

/** A random nemesis: which faults it may choose (each on any of its `on` names), and the ranges of its intervals. */
export interface RandomNemesisOptions {
  seed: number;
  faults: ReadonlyArray<{ fault: string; on: readonly string[]; [attribute: string]: unknown }>;
  /** How long each fault stays active: uniformly within [minFor, maxFor]; minFor must be > 0. */
  minFor: Duration;
  maxFor: Duration;
  /** The quiet time before each fault: uniformly within [minGap, maxGap]. */
  minGap: Duration;
  maxGap: Duration;
  /** The run's length: no planned fault outlasts it. */
  durationMs: number;
}

/** More than this many faults in one plan is a misconfiguration (minFor of a millisecond over an hour), not a test. */
const maxPlannedFaults = 10_000;

/**
 * Plans a random nemesis: one fault at a time, each preceded by a random gap
 * and active for a random span, chosen by a mulberry32 PRNG from `seed` —
 * so the same options always give the same plan (pure). Stops planning at
 * the first fault that would outlast `durationMs`. Throws an Error naming the
 * bad option: a bad duration, min > max, minFor of 0, no faults or no `on`
 * names, an unknown fault kind or bad attribute, or more than 10 000 faults.
 */
export function planRandomNemesis(opts: RandomNemesisOptions): PlannedFault[] {
  const minFor = parseDuration(opts.minFor, 'minFor');
  const maxFor = parseDuration(opts.maxFor, 'maxFor');
  const minGap = parseDuration(opts.minGap, 'minGap');
  const maxGap = parseDuration(opts.maxGap, 'maxGap');
  if (!Number.isInteger(opts.seed)) throw new Error(`seed: expected an integer, got ${JSON.stringify(opts.seed)}`);
  if (minFor <= 0) throw new Error('minFor: expected a duration > 0 (a fault active for no time is no fault)');
  if (minFor > maxFor) throw new Error(`minFor (${minFor} ms) is longer than maxFor (${maxFor} ms)`);
  if (minGap > maxGap) throw new Error(`minGap (${minGap} ms) is longer than maxGap (${maxGap} ms)`);
  if (opts.faults.length === 0) throw new Error('faults: expected at least one fault to choose from');
  const choices = opts.faults.map(({ fault, on, ...attributes }, i) => {
    if (on.length === 0) throw new Error(`faults[${i}] (${fault}): on: expected at least one link or component name`);
    try {
      return { kind: fault, on, attributes: parseFaultAttributes(fault, attributes) };
    } catch (err) {
      throw new Error(`faults[${i}] (${fault}): ${(err as Error).message}`, { cause: err });
    }
  });

  const random = mulberry32(opts.seed);
  const between = (lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(lo + random() * (hi - lo))));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const plan: PlannedFault[] = [];
  let atMs = between(minGap, maxGap);
  for (;;) {
    const choice = pick(choices);
    const on = pick(choice.on);
    const forMs = between(minFor, maxFor);
    if (atMs + forMs > opts.durationMs) return plan;
    if (plan.length === maxPlannedFaults) throw new Error(`the random nemesis would plan more than ${maxPlannedFaults} faults; raise minFor or minGap`);
    plan.push({ kind: choice.kind, on, attributes: { ...choice.attributes }, atMs, forMs });
    atMs += forMs + between(minGap, maxGap);
  }
}

/**
 * Plays `plan` through `nemesis`: each fault starts `atMs` after the call and
 * stops `forMs` later. Every fault is built (so an unknown link or component
 * is caught) before any starts. Resolves once the plan is over or `signal`
 * aborts — either way with every fault it started reverted. If a start or a
 * stop fails, the schedule ends early (reverting what it started) and
 * rejects with that error (an `AggregateError` if several failed).
 */
export async function runSchedule(plan: readonly PlannedFault[], nemesis: Nemesis, opts: { signal: AbortSignal }): Promise<void> {
  const built = plan.map((p) => ({ p, fault: createFault(p.kind, p.on, p.attributes, nemesis.ctx) }));
  const t0 = performance.now();
  const end = new AbortController();
  setMaxListeners(built.length + 10, end.signal);
  const onAbort = () => end.abort();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  if (opts.signal.aborted) end.abort();
  const errors: Error[] = [];
  const fail = (err: unknown, fault: Fault, action: string) => {
    errors.push(new Error(`${action} ${fault.kind} on ${fault.on}: ${(err as Error).message}`, { cause: err }));
    end.abort();
  };
  try {
    await Promise.all(
      built.map(async ({ p, fault }) => {
        await sleepUntil(t0 + p.atMs, end.signal);
        if (end.signal.aborted) return;
        try {
          await nemesis.start(fault);
        } catch (err) {
          return fail(err, fault, 'starting');
        }
        await sleepUntil(t0 + p.atMs + p.forMs, end.signal);
        await nemesis.stop(fault).catch((err: unknown) => fail(err, fault, 'stopping'));
      }),
    );
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `the fault schedule failed: ${errors.map((e) => e.message).join('; ')}`);
}

/** Resolves at `deadline` (a `performance.now()` time) or as soon as `signal` aborts, whichever comes first; never rejects. */
function sleepUntil(deadline: number, signal: AbortSignal): Promise<void> {
  const ms = deadline - performance.now();
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
