import type { Pool } from 'pg';
import { z } from 'zod';
import type { Topology } from '../../runtime/topology.ts';
import { nodesOf, type ServiceSettings } from '../kit/world.ts';
import type { ConsistencyPattern } from './api.ts';
import { pgNode, redisNode } from './backends.ts';
import { EtcdRegister } from './etcd-register.ts';
import { CounterStore, prepareCounters } from './locks/counter-store.ts';
import { EtcdLeaseLock } from './locks/etcd-lease-lock.ts';
import type { DistributedLock } from './locks/lock.ts';
import { LockedCounter } from './locks/locked-counter.ts';
import { PgAdvisoryLock } from './locks/pg-advisory-lock.ts';
import { RedisLock } from './locks/redis-lock.ts';
import { Redlocks } from './locks/redlock-lock.ts';
import { MultiLeaderStore } from './multi-leader.ts';
import { PgRegister, prepareRegisters } from './pg-register.ts';
import { RedisRegister } from './redis-register.ts';

/**
 * Names every pattern's topology uses, so that one suite's faults fit them
 * all: the replicated store is `db` (PostgreSQL or Redis `db` and
 * `db-replica-1`, etcd members `db-1`…`db-3`); the service the workload
 * drives is `target` — one replica, or three (`target-1`…) for the
 * multi-leader and lock patterns, whose replicas are the nodes (multi-leader)
 * or the lock's competing holders.
 */
const service = 'targets/consistency/server.ts';

const common = {
  /** How long a call to a store may take before the service gives up on it (503: it may still happen). */
  callTimeoutMs: z.number().int().positive().default(1_500),
};

const pgOptions = z.object({ ...common }).strict();
const lockOptions = z
  .object({
    ...common,
    /** Checked by the store: every access carries the lock's token, an older one is refused. */
    fencing: z.boolean().default(false),
    leaseMs: z.number().int().positive().default(1_000),
    workMs: z.number().int().nonnegative().default(50),
    waitMs: z.number().int().positive().default(1_500),
    retryMs: z.number().int().positive().default(20),
  })
  .strict();
type LockOptions = z.infer<typeof lockOptions>;

/** A PostgreSQL primary with one streaming replica, the primary's own settings as given, and the one service in front. */
function pgTopology(name: string, o: { callTimeoutMs: number }, settings: string[] = []): Topology {
  return {
    postgres: { db: { replicas: 1, settings } },
    services: { target: { file: service, uses: ['db'], env: { PB_PATTERN: name, PB_OPTIONS: JSON.stringify(o) } } },
  };
}

/** The primary and the replica as a service sees them (its links), by role. */
function pgNodes(s: ServiceSettings, timeoutMs: number) {
  const [primary, replica] = nodesOf(s, 'db').map((n) => pgNode(n.name, n.url, timeoutMs));
  return { primary, replica };
}

async function pgRegister(s: ServiceSettings, o: { callTimeoutMs: number }, readFrom: 'primary' | 'replica'): Promise<ConsistencyPattern> {
  const { primary, replica } = pgNodes(s, o.callTimeoutMs);
  const reader = readFrom === 'primary' ? primary : replica;
  await prepareRegisters(primary.pool, reader.pool);
  if (reader !== replica) await replica.pool.end();
  return new PgRegister(primary, reader);
}

/**
 * Names `standby` in the primary's `synchronous_standby_names` and waits (up
 * to 10 s) until the primary reports it as its synchronous standby; closes
 * `primary`. Done here, once the replica streams, rather than as a server
 * setting: with a synchronous standby named from the start, the primary's
 * own set-up commits (its database) would wait for a replica that can only
 * be made from it afterwards. Until this is done, commits are asynchronous.
 */
async function requireSynchronousReplica(primary: Pool, standby: string): Promise<void> {
  try {
    await primary.query(`ALTER SYSTEM SET synchronous_standby_names = '"${standby}"'`);
    await primary.query('SELECT pg_reload_conf()');
    for (const deadline = Date.now() + 10_000; ; ) {
      const { rows } = await primary.query<{ sync_state: string }>('SELECT sync_state FROM pg_stat_replication WHERE application_name = $1', [standby]);
      if (rows[0]?.sync_state === 'sync') return;
      if (Date.now() > deadline) throw new Error(`${standby} did not become the primary's synchronous standby within 10 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await primary.end();
  }
}

/** Three holders (`target-1`…`target-3`) of `lock`'s instances, incrementing counters kept in PostgreSQL `db`. */
function lockTopology(name: string, o: LockOptions, locks: Topology, lockUses: string[]): Topology {
  return {
    ...locks,
    postgres: { db: {}, ...locks.postgres },
    services: { target: { file: service, replicas: 3, uses: ['db', ...lockUses], env: { PB_PATTERN: name, PB_OPTIONS: JSON.stringify(o) } } },
  };
}

async function lockedCounter(s: ServiceSettings, o: LockOptions, lock: DistributedLock): Promise<ConsistencyPattern> {
  const db = pgNode('db', nodesOf(s, 'db')[0].url, o.callTimeoutMs);
  await prepareCounters(db.pool);
  return new LockedCounter(s.name, lock, new CounterStore(db.pool), o);
}

/**
 * The consistency family's one registry: each pattern once, with its options
 * (defaults filled in, unknown ones refused), the topology it runs on, and
 * how its service builds it from its settings. The service (`server.ts`)
 * and the runner (`index.ts`) both read it.
 */
export const consistencyPatterns = {
  'pg-primary': {
    description: 'strong: reads, writes and compare-and-set on the PostgreSQL primary (its streaming replica unused)',
    options: pgOptions,
    topology: (o: z.infer<typeof pgOptions>) => pgTopology('pg-primary', o),
    create: (s: ServiceSettings, o: z.infer<typeof pgOptions>) => pgRegister(s, o, 'primary'),
  },
  'pg-sync-replica': {
    description: 'strong: writes on the PostgreSQL primary with synchronous_commit = remote_apply, reads on the synchronous replica',
    options: pgOptions,
    topology: (o: z.infer<typeof pgOptions>) => pgTopology('pg-sync-replica', o, ['synchronous_commit=remote_apply']),
    create: async (s: ServiceSettings, o: z.infer<typeof pgOptions>) => {
      const register = await pgRegister(s, o, 'replica');
      await requireSynchronousReplica(pgNode('db', nodesOf(s, 'db')[0].url, o.callTimeoutMs).pool, 'db-replica-1');
      return register;
    },
  },
  'pg-async-replica': {
    description: 'eventual: writes on the PostgreSQL primary, reads on an asynchronous streaming replica',
    options: pgOptions,
    topology: (o: z.infer<typeof pgOptions>) => pgTopology('pg-async-replica', o),
    create: (s: ServiceSettings, o: z.infer<typeof pgOptions>) => pgRegister(s, o, 'replica'),
  },
  'redis-replicas': {
    description: 'eventual: writes on the Redis primary (optionally followed by WAIT), reads on its replica; optionally the service fails over to the replica',
    options: z
      .object({
        ...common,
        /** After each write, `WAIT waitReplicas waitTimeoutMs`; 0: no WAIT. */
        waitReplicas: z.number().int().nonnegative().max(1).default(0),
        waitTimeoutMs: z.number().int().positive().default(1_000),
        /** Promote the replica when the primary fails to answer a write (as Sentinel would). */
        failover: z.boolean().default(false),
      })
      .strict(),
    topology: (o: { callTimeoutMs: number }) => ({
      redis: { db: { replicas: 1 } },
      services: { target: { file: service, uses: ['db'], env: { PB_PATTERN: 'redis-replicas', PB_OPTIONS: JSON.stringify(o) } } },
    }),
    create: async (s: ServiceSettings, o: { callTimeoutMs: number; waitReplicas: number; waitTimeoutMs: number; failover: boolean }) => {
      const [primary, ...replicas] = await Promise.all(nodesOf(s, 'db').map((n) => redisNode(n.name, n.url, o.callTimeoutMs)));
      return new RedisRegister(primary, replicas, o);
    },
  },
  'etcd-raft': {
    description: 'consensus (CP): a 3-member etcd cluster, each request to the next member in turn; linearizable or serializable reads',
    options: z.object({ ...common, reads: z.enum(['linearizable', 'serializable']).default('linearizable') }).strict(),
    topology: (o: { callTimeoutMs: number }) => ({
      etcd: { db: { members: 3 } },
      services: { target: { file: service, uses: ['db'], env: { PB_PATTERN: 'etcd-raft', PB_OPTIONS: JSON.stringify(o) } } },
    }),
    create: async (s: ServiceSettings, o: { callTimeoutMs: number; reads: 'linearizable' | 'serializable' }) =>
      new EtcdRegister(nodesOf(s, 'db'), o.reads, o.callTimeoutMs),
  },
  'multi-leader': {
    description: 'multi-leader (AP): three replicas, each taking every write on its own store and replicating to the others; LWW or CRDTs',
    options: z
      .object({
        ...common,
        resolution: z.enum(['lww', 'crdt']).default('lww'),
        /** How often each replica sends its whole state to each peer (anti-entropy). */
        syncMs: z.number().int().positive().default(200),
      })
      .strict(),
    topology: (o: { callTimeoutMs: number }) => ({
      services: { target: { file: service, replicas: 3, peers: true, env: { PB_PATTERN: 'multi-leader', PB_OPTIONS: JSON.stringify(o) } } },
    }),
    create: async (s: ServiceSettings, o: { resolution: 'lww' | 'crdt'; syncMs: number }) => new MultiLeaderStore(s.name, s.peers, o.resolution, o.syncMs),
  },
  'lock-redis': {
    description: 'a counter incremented under a Redis lock (SET NX PX); fencing tokens from INCR',
    options: lockOptions,
    topology: (o: LockOptions) => lockTopology('lock-redis', o, { redis: { lock: {} } }, ['lock']),
    create: async (s: ServiceSettings, o: LockOptions) =>
      lockedCounter(s, o, new RedisLock((await redisNode('lock', nodesOf(s, 'lock')[0].url, o.callTimeoutMs)).client)),
  },
  'lock-redlock': {
    description: 'a counter incremented under Redlock over five Redis instances; Redlock has no fencing token',
    options: lockOptions.refine((o) => !o.fencing, {
      message: 'Redlock issues no fencing token (Kleppmann\u2019s critique): fencing must be false',
      path: ['fencing'],
    }),
    topology: (o: LockOptions) =>
      lockTopology(
        'lock-redlock',
        o,
        { redis: Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`lock-${i}`, {}])) },
        [1, 2, 3, 4, 5].map((i) => `lock-${i}`),
      ),
    create: async (s: ServiceSettings, o: LockOptions) =>
      lockedCounter(
        s,
        o,
        new Redlocks(
          [1, 2, 3, 4, 5].map((i) => nodesOf(s, `lock-${i}`)[0].url),
          o.callTimeoutMs,
        ),
      ),
  },
  'lock-pg-advisory': {
    description: 'a counter incremented under a PostgreSQL advisory lock whose lease is idle_session_timeout; fencing tokens from a sequence',
    options: lockOptions,
    topology: (o: LockOptions) => lockTopology('lock-pg-advisory', o, {}, []),
    create: async (s: ServiceSettings, o: LockOptions) => lockedCounter(s, o, new PgAdvisoryLock(nodesOf(s, 'db')[0].url, o.callTimeoutMs)),
  },
  'lock-etcd': {
    description: 'a counter incremented under an etcd lease lock; fencing tokens are the lock key\u2019s create revision',
    options: lockOptions,
    topology: (o: LockOptions) => lockTopology('lock-etcd', o, { etcd: { lock: { members: 3 } } }, ['lock']),
    create: async (s: ServiceSettings, o: LockOptions) =>
      lockedCounter(
        s,
        o,
        new EtcdLeaseLock(
          nodesOf(s, 'lock').map((n) => n.url),
          o.callTimeoutMs,
        ),
      ),
  },
} as const;

export type ConsistencyPatternName = keyof typeof consistencyPatterns;
