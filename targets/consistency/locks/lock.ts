/** A lock this process holds until `release` or until its lease runs out, whichever comes first. */
export interface Held {
  /** A fencing token: larger for every later holder. Absent for a lock that issues none. */
  token?: number;
  /** Gives the lock up; never throws (a lease that ran out is released already). */
  release(): Promise<void>;
}

/**
 * A distributed lock with a lease: `tryAcquire` takes it for `leaseMs` or
 * answers `undefined` at once when someone else holds it. The lease is what
 * makes it safe against a holder that crashes, and unsafe against one that
 * pauses: a holder frozen past its lease still believes it holds the lock.
 */
export interface DistributedLock {
  tryAcquire(name: string, leaseMs: number, fencing: boolean): Promise<Held | undefined>;
  close(): Promise<unknown>;
}
