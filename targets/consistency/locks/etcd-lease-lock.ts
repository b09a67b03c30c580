import { randomUUID } from 'node:crypto';
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import type { DistributedLock, Held } from './lock.ts';

/**
 * An etcd lock on a lease: a key created only if absent (a transaction on
 * its create revision), attached to a lease this process keeps alive. A
 * holder that stops sending keep-alives (crashed, or frozen) loses the key
 * when the lease's TTL runs out — whole seconds, and no shorter than etcd's
 * minimum (about 2 s with its default election timeout). The fencing token
 * is the revision at which the key was created: etcd's revisions only grow,
 * so a later holder's is larger (the token Kleppmann suggests for ZooKeeper's
 * zxid).
 */
export class EtcdLeaseLock implements DistributedLock {
  private readonly client: Etcd3;

  constructor(urls: readonly string[], callTimeoutMs: number) {
    this.client = new Etcd3({
      hosts: [...urls],
      dialTimeout: callTimeoutMs,
      faultHandling: { host: () => noop, global: noop },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + callTimeoutMs }),
    });
  }

  async tryAcquire(name: string, leaseMs: number, fencing: boolean): Promise<Held | undefined> {
    const lease = this.client.lease(Math.max(1, Math.ceil(leaseMs / 1000)));
    lease.on('lost', () => undefined);
    const revoke = () => lease.revoke().catch(() => undefined);
    try {
      const key = `lock/${name}`;
      const result = await this.client.if(key, 'Create', '==', 0).then(lease.put(key).value(randomUUID())).commit();
      if (!result.succeeded) {
        await revoke();
        return undefined;
      }
      return { ...(fencing ? { token: Number(result.header.revision) } : {}), release: revoke };
    } catch (err) {
      await revoke();
      throw err;
    }
  }

  close(): Promise<unknown> {
    this.client.close();
    return Promise.resolve();
  }
}
