import type { RedisClientType } from 'redis';
import type { ConsistencyPattern, Served } from './api.ts';

/** A Redis server the pattern talks to, and its component name. */
export interface RedisNode {
  client: Pick<RedisClientType, 'get' | 'set' | 'eval' | 'sendCommand' | 'close'>;
  name: string;
}

// Compare-and-set in one step on the primary: Redis runs a script atomically.
const casScript = `
local current = redis.call('GET', KEYS[1])
if (ARGV[1] == '' and current == false) or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/**
 * Registers in Redis: writes and compare-and-set on the primary, reads on
 * its replicas in turn. Redis replicates asynchronously, so a replica may
 * not have an acknowledged write yet. With `waitReplicas` > 0 every write
 * (and successful compare-and-set) is followed by `WAIT n timeoutMs`, and
 * answered only when `n` replicas have acknowledged it; when fewer did in
 * time the write has still happened on the primary, so the answer is an
 * error (503: it may have taken effect), never a refusal. WAIT makes a write
 * wait for the replicas; it does not make Redis strongly consistent — a
 * failover may still lose it.
 *
 * With `failover`, the service promotes a replica itself, as Sentinel would
 * after its timeout: when the primary fails to answer a write or
 * compare-and-set within `callTimeoutMs`, the first replica is made primary
 * (`REPLICAOF NO ONE`) and takes every operation from then on; the old
 * primary is never used again. Whatever the old primary had acknowledged and
 * the replica had not received is gone — the writes Jepsen saw Redis lose.
 */
export class RedisRegister implements ConsistencyPattern {
  private next = 0;
  private primary: RedisNode;
  private replicas: RedisNode[];

  constructor(
    primary: RedisNode,
    replicas: readonly RedisNode[],
    private readonly o: { waitReplicas: number; waitTimeoutMs: number; failover: boolean; callTimeoutMs: number },
  ) {
    this.primary = primary;
    this.replicas = [...replicas];
  }

  async read(key: string): Promise<Served & { value: string | null }> {
    const node = this.replicas.length > 0 ? this.replicas[this.next++ % this.replicas.length] : this.primary;
    return { value: (await node.client.get(key)) ?? null, node: node.name };
  }

  async write(key: string, value: string): Promise<Served> {
    const node = this.primary;
    await this.onPrimary(() => node.client.set(key, value));
    await this.waitForReplicas(node);
    return { node: node.name };
  }

  async cas(key: string, from: string | null, to: string): Promise<Served & { swapped: boolean }> {
    const node = this.primary;
    const swapped = (await this.onPrimary(() => node.client.eval(casScript, { keys: [key], arguments: [from ?? '', to] }))) === 1;
    if (swapped) await this.waitForReplicas(node);
    return { swapped, node: node.name };
  }

  /** Runs `command` on the primary; with `failover`, a primary that fails or does not answer in time is replaced, and the error rethrown (the op may have happened). */
  private async onPrimary<T>(command: () => Promise<T>): Promise<T> {
    if (!this.o.failover) return command();
    const deposed = this.primary;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        command(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${deposed.name} did not answer within ${this.o.callTimeoutMs} ms`)), this.o.callTimeoutMs);
        }),
      ]);
    } catch (err) {
      await this.promote(deposed);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Makes the first replica primary, once per deposed primary; with no replica left there is nothing to fail over to. */
  private async promote(deposed: RedisNode): Promise<void> {
    if (this.primary !== deposed || this.replicas.length === 0) return;
    const [next, ...rest] = this.replicas;
    await next.client.sendCommand(['REPLICAOF', 'NO', 'ONE']);
    if (this.primary !== deposed) return;
    console.error(`failover: ${deposed.name} did not answer; ${next.name} is the primary now`);
    this.primary = next;
    this.replicas = rest;
  }

  private async waitForReplicas(primary: RedisNode): Promise<void> {
    if (this.o.waitReplicas === 0) return;
    const acked = Number(await primary.client.sendCommand(['WAIT', String(this.o.waitReplicas), String(this.o.waitTimeoutMs)]));
    if (acked < this.o.waitReplicas) throw new Error(`WAIT: ${acked} of ${this.o.waitReplicas} replica(s) acknowledged within ${this.o.waitTimeoutMs} ms`);
  }

  close(): Promise<unknown> {
    return Promise.allSettled([this.primary, ...this.replicas].map((n) => n.client.close()));
  }
}
