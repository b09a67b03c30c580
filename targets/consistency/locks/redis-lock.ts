import { randomUUID } from 'node:crypto';
import type { RedisClientType } from 'redis';
import type { DistributedLock, Held } from './lock.ts';

// SET NX PX, and with fencing an INCR of the lock's own counter in the same atomic step: the token.
const acquireScript = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  if ARGV[3] == '1' then return redis.call('INCR', KEYS[2]) end
  return 0
end
return -1`;
// Deletes the lock only if it is still ours: after the lease ran out someone else may hold it.
const releaseScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** One Redis, `SET lock:<name> <random> NX PX <lease>`; fencing tokens from an INCR in the same script. */
export class RedisLock implements DistributedLock {
  constructor(private readonly redis: Pick<RedisClientType, 'eval' | 'close'>) {}

  async tryAcquire(name: string, leaseMs: number, fencing: boolean): Promise<Held | undefined> {
    const id = randomUUID();
    const keys = [`lock:${name}`, `fence:${name}`];
    const got = Number(await this.redis.eval(acquireScript, { keys, arguments: [id, String(leaseMs), fencing ? '1' : '0'] }));
    if (got < 0) return undefined;
    return {
      ...(fencing ? { token: got } : {}),
      release: () =>
        this.redis
          .eval(releaseScript, { keys: [keys[0]], arguments: [id] })
          .then(() => undefined)
          .catch(() => undefined),
    };
  }

  close(): Promise<unknown> {
    return this.redis.close();
  }
}
