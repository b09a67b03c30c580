import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import type { ConsistencyPattern, Served } from './api.ts';

/** How an etcd member's reads are served: `linearizable` (a quorum confirms the member is current) or `serializable` (whatever the member has). */
export type EtcdReads = 'linearizable' | 'serializable';

/** One member as this service reaches it: a client of its own, through the service's link to it. */
interface Member {
  name: string;
  client: Etcd3;
}

/**
 * Registers in a 3-member etcd cluster (Raft): every write is committed by a
 * majority. Each request goes to the next member in turn, as Jepsen binds
 * each client to a node, and is not retried elsewhere: a member cut off from
 * the majority answers what it can — nothing, for a linearizable read or a
 * write (it cannot reach the leader), or its own possibly stale copy, for a
 * serializable read. Compare-and-set is one transaction (compare the value,
 * or that the key does not exist, then put). Each member's client has
 * etcd3's retries and circuit breaker off: a call goes to its member once
 * and fails within `callTimeoutMs`.
 */
export class EtcdRegister implements ConsistencyPattern {
  private readonly members: Member[];
  private next = 0;

  constructor(
    members: ReadonlyArray<{ name: string; url: string }>,
    private readonly reads: EtcdReads,
    private readonly callTimeoutMs: number,
  ) {
    this.members = members.map(({ name, url }) => ({
      name,
      client: new Etcd3({
        hosts: url,
        dialTimeout: callTimeoutMs,
        faultHandling: { host: () => noop, global: noop },
      }),
    }));
  }

  private member(): Member {
    return this.members[this.next++ % this.members.length];
  }

  private get deadline() {
    return { deadline: Date.now() + this.callTimeoutMs };
  }

  async read(key: string): Promise<Served & { value: string | null }> {
    const m = this.member();
    const value = await m.client
      .get(key)
      .serializable(this.reads === 'serializable')
      .options(this.deadline)
      .string();
    return { value, node: m.name };
  }

  async write(key: string, value: string): Promise<Served> {
    const m = this.member();
    await m.client.put(key).value(value).options(this.deadline).exec();
    return { node: m.name };
  }

  async cas(key: string, from: string | null, to: string): Promise<Served & { swapped: boolean }> {
    const m = this.member();
    const txn = from === null ? m.client.if(key, 'Create', '==', 0) : m.client.if(key, 'Value', '==', from);
    const { succeeded } = await txn.then(m.client.put(key).value(to)).options(this.deadline).commit();
    return { swapped: succeeded, node: m.name };
  }

  close(): Promise<unknown> {
    for (const m of this.members) m.client.close();
    return Promise.resolve();
  }
}
