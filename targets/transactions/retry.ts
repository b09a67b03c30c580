import { z } from 'zod';

/**
 * A retry policy in Temporal's words and with Temporal's defaults (its
 * `RetryPolicy`: initial interval 1 s, backoff coefficient 2.0, maximum
 * interval 100 × the initial one, unlimited attempts), since that is the
 * behaviour users of saga engines expect. `maximumAttempts: 0` is unlimited.
 */
export const retryPolicy = z
  .object({
    initialIntervalMs: z.number().int().positive().default(1_000),
    backoffCoefficient: z.number().min(1).default(2),
    maximumIntervalMs: z.number().int().positive().default(100_000),
    maximumAttempts: z.number().int().nonnegative().default(0),
  })
  .strict();

export type RetryPolicy = z.infer<typeof retryPolicy>;

/** The wait before attempt `attempt + 1`, after `attempt` (≥ 1) attempts failed: initial × coefficient^(attempt−1), capped at the maximum. Pure. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maximumIntervalMs, policy.initialIntervalMs * policy.backoffCoefficient ** Math.max(0, attempt - 1));
}

/** Whether another attempt is allowed after `attempts` failed ones. Pure. */
export function mayRetry(policy: RetryPolicy, attempts: number): boolean {
  return policy.maximumAttempts === 0 || attempts < policy.maximumAttempts;
}

/** `work`, or a rejection once `ms` have passed (the work itself runs on). */
export function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  work.catch(() => undefined); // a late rejection of work given up on is no one's error
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` until it succeeds, waiting `everyMs` between tries, for at most
 * `forMs`; then throws its last error. For a service's start: a database it
 * needs may be restarting or cut off by a fault just then, and a service
 * that gave up at once would stay down for the rest of the run.
 */
export async function persist<T>(what: string, work: () => Promise<T>, opts: { everyMs?: number; forMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.forMs ?? 60_000);
  for (;;) {
    try {
      return await work();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      console.error(`${what}: ${(err as Error).message}; trying again`);
      await sleep(opts.everyMs ?? 500);
    }
  }
}
