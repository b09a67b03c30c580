import { Redlock, ResourceLockedError } from '@sesamecare-oss/redlock';
import { Redis } from 'ioredis';
import type { DistributedLock, Held } from './lock.ts';

/**
 * Redlock (antirez) over five independent Redis instances, through the
 * maintained `@sesamecare-oss/redlock` implementation: the lock is held when
 * a majority granted it within the lease, less clock drift. It issues no
 * fencing token — nothing in the algorithm increases with each holder, which
 * is Kleppmann's critique — so asking it for one is refused.
 */
export class Redlocks implements DistributedLock {
  private readonly redlock: Redlock;
  private readonly clients: Redis[];

  constructor(urls: readonly string[], connectTimeoutMs: number) {
    this.clients = urls.map((url) => new Redis(url, { connectTimeout: connectTimeoutMs, maxRetriesPerRequest: 1, enableOfflineQueue: false }));
    for (const c of this.clients) c.on('error', () => undefined);
    // One attempt: the pattern retries itself, so that every attempt is the same for every lock.
    this.redlock = new Redlock(this.clients, { retryCount: 0 });
  }

  async tryAcquire(name: string, leaseMs: number, fencing: boolean): Promise<Held | undefined> {
    if (fencing) throw new Error('Redlock issues no fencing token');
    try {
      const lock = await this.redlock.acquire([`lock:${name}`], leaseMs);
      return {
        release: () =>
          lock.release().then(
            () => undefined,
            () => undefined,
          ),
      };
    } catch (err) {
      // Not granted by a majority (someone holds it, or too few instances answered): not acquired.
      if (err instanceof ResourceLockedError || (err as Error).name === 'ExecutionError') return undefined;
      throw err;
    }
  }

  close(): Promise<unknown> {
    return Promise.allSettled(this.clients.map((c) => c.quit()));
  }
}
