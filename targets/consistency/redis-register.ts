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
 */
export class RedisRegister implements ConsistencyPattern {
  private next = 0;

  constructor(
    private readonly primary: RedisNode,
    private readonly replicas: readonly RedisNode[],
    private readonly wait: { replicas: number; timeoutMs: number },
  ) {}

  async read(key: string): Promise<Served & { value: string | null }> {
    const node = this.replicas.length > 0 ? this.replicas[this.next++ % this.replicas.length] : this.primary;
    return { value: (await node.client.get(key)) ?? null, node: node.name };
  }

  async write(key: string, value: string): Promise<Served> {
    await this.primary.client.set(key, value);
    await this.waitForReplicas();
    return { node: this.primary.name };
  }

  async cas(key: string, from: string | null, to: string): Promise<Served & { swapped: boolean }> {
    const swapped = (await this.primary.client.eval(casScript, { keys: [key], arguments: [from ?? '', to] })) === 1;
    if (swapped) await this.waitForReplicas();
    return { swapped, node: this.primary.name };
  }

  private async waitForReplicas(): Promise<void> {
    if (this.wait.replicas === 0) return;
    const acked = Number(await this.primary.client.sendCommand(['WAIT', String(this.wait.replicas), String(this.wait.timeoutMs)]));
    if (acked < this.wait.replicas) throw new Error(`WAIT: ${acked} of ${this.wait.replicas} replica(s) acknowledged within ${this.wait.timeoutMs} ms`);
  }

  close(): Promise<unknown> {
    return Promise.allSettled([this.primary, ...this.replicas].map((n) => n.client.close()));
  }
}
