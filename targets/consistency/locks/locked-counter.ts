import type { ConsistencyPattern, Served } from '../api.ts';
import { HttpError } from '../../kit/http.ts';
import type { CounterStore } from './counter-store.ts';
import type { DistributedLock } from './lock.ts';

/** How a locked counter behaves: the lock's lease, whether it fences, how long the critical section works, how long to wait for the lock. */
export interface LockedCounterOptions {
  leaseMs: number;
  fencing: boolean;
  /** Time spent between the read and the write, as real work would: the window a pause lands in. */
  workMs: number;
  /** How long an increment waits for the lock before giving up (409: nothing happened). */
  waitMs: number;
  /** Pause between attempts to take the lock. */
  retryMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A counter in PostgreSQL incremented by read-modify-write under a
 * distributed lock: take the lock, read, work, write value + 1, release.
 * Mutual exclusion is all that keeps two increments from reading the same
 * value, and a lease can end it: a holder frozen past its lease wakes up
 * still "holding" it, and writes over what the next holder wrote — a lost
 * increment. With `fencing`, the lock's token goes with the read and the
 * write, and the store refuses the older holder (409: nothing written).
 *
 * Each answer says what the critical section saw: the value read, the one
 * written, the token, and when (wall clock, ms) the lock was taken and the
 * write done, from which a checker can find two holders at once.
 */
export class LockedCounter implements ConsistencyPattern {
  /** Critical sections running now: a lock this replica believes it holds. */
  private holding = 0;

  constructor(
    private readonly node: string,
    private readonly lock: DistributedLock,
    private readonly store: CounterStore,
    private readonly o: LockedCounterOptions,
  ) {}

  async read(key: string): Promise<Served & { value: number }> {
    return { value: (await this.store.read(key)) ?? 0, node: this.node };
  }

  async incr(key: string): Promise<Served & { [detail: string]: unknown }> {
    const giveUpAt = Date.now() + this.o.waitMs;
    let held = await this.lock.tryAcquire(key, this.o.leaseMs, this.o.fencing);
    while (!held) {
      if (Date.now() + this.o.retryMs > giveUpAt) throw new HttpError(409, `lock ${key} not acquired within ${this.o.waitMs} ms`);
      await sleep(this.o.retryMs);
      held = await this.lock.tryAcquire(key, this.o.leaseMs, this.o.fencing);
    }
    const heldFromMs = Date.now();
    const { token } = held;
    this.holding++;
    try {
      const read = await this.store.read(key, token);
      if (read === undefined) throw new HttpError(409, `fenced off: token ${token} is older than one the store has seen`);
      await sleep(this.o.workMs);
      if (!(await this.store.write(key, read + 1, token))) throw new HttpError(409, `fenced off: token ${token} is older than one the store has seen`);
      return { node: this.node, value: read + 1, read, ...(token === undefined ? {} : { token }), heldFromMs, wroteAtMs: Date.now() };
    } finally {
      this.holding--;
      await held.release();
    }
  }

  health(): Record<string, unknown> {
    return { holding: this.holding };
  }

  close(): Promise<unknown> {
    return this.lock.close();
  }
}
