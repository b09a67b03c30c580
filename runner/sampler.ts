import { appendFileSync } from 'node:fs';
import { createClient } from 'redis';
import pg from 'pg';
import pidusage from 'pidusage';
import type { MetricsSample, SourceSample } from '../history/metrics.ts';
import { endpointUrl } from '../runtime/endpoint.ts';
import type { Environment } from '../runtime/environment.ts';

const redisFields = [
  'keyspace_hits',
  'keyspace_misses',
  'total_commands_processed',
  'instantaneous_ops_per_sec',
  'used_memory',
  'evicted_keys',
  'expired_keys',
  'connected_clients',
  'master_repl_offset',
  'slave_repl_offset',
  'master_link_down_since_seconds',
];
// On a replica, `replay_lag_ms` is how far behind its last replayed commit the clock is (0 when caught up with an idle primary); -1 on a primary.
// It compares the replica with what it has received, so a replica cut off from its primary (receiving nothing) reads 0:
// `wal_lsn` (bytes of WAL: written, on a primary; replayed, on a replica) lets a reader compare the two instead.
const pgQuery = `SELECT xact_commit, xact_rollback, tup_fetched, tup_inserted, tup_updated, tup_deleted, blks_hit, blks_read, deadlocks,
                   CASE WHEN pg_is_in_recovery() THEN
                     CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                          ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) * 1000, 0) END
                   ELSE -1 END AS replay_lag_ms,
                   pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END, '0/0') AS wal_lsn
                 FROM pg_stat_database WHERE datname = current_database()`;

/**
 * Writes one `metrics.jsonl` line a second: every Redis instance's INFO
 * (hits, misses, ops, memory, replication), every PostgreSQL instance's
 * `pg_stat_database` (and, on a replica, how far its replay lags), each
 * keyed by component name, and every process's CPU and RSS. Components are
 * found by kind, so every instance of a topology is sampled. Connects to
 * them directly, not through their links, so a fault on a link never blinds
 * the sampler. A source that does not answer within the second is recorded
 * as `{ error }` for that second, never skipped silently.
 */
export class Sampler {
  private timer: NodeJS.Timeout | undefined;
  private readonly redis = new Map<string, ReturnType<typeof createClient>>();
  private readonly pg = new Map<string, pg.Client | undefined>();
  private busy = false;

  constructor(
    private readonly env: Environment,
    private readonly path: string,
    private readonly clockNs: () => number,
  ) {}

  async start(periodMs = 1000): Promise<void> {
    const connecting: Promise<unknown>[] = [];
    for (const c of this.env.components.values()) {
      if (c.kind === 'redis') {
        const client = createClient({ socket: { host: c.host, port: c.port, connectTimeout: 1000, reconnectStrategy: 500 } });
        client.on('error', () => undefined);
        this.redis.set(c.name, client);
        connecting.push(client.connect().catch(() => undefined));
      } else if (c.kind === 'postgres') {
        const client = new pg.Client({ connectionString: endpointUrl('postgres', c), connectionTimeoutMillis: 1000, query_timeout: 900 });
        client.on('error', () => undefined);
        this.pg.set(c.name, client);
        connecting.push(client.connect().catch(() => this.pg.set(c.name, undefined)));
      }
    }
    await Promise.all(connecting);
    this.timer = setInterval(() => void this.sample(), periodMs);
  }

  /** Takes one sample now and appends it. */
  async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const time = this.clockNs();
      const [redis, postgres, processes] = await Promise.all([
        sampleEach(this.redis, (client) => sampleRedis(client)),
        sampleEach(this.pg, (client) => samplePg(client)),
        this.sampleProcesses(),
      ]);
      const line: MetricsSample = { time, processes };
      if (this.redis.size) line.redis = redis;
      if (this.pg.size) line.postgres = postgres;
      appendFileSync(this.path, `${JSON.stringify(line)}\n`);
    } finally {
      this.busy = false;
    }
  }

  private async sampleProcesses(): Promise<Record<string, { cpuPercent: number; rssBytes: number }>> {
    const out: Record<string, { cpuPercent: number; rssBytes: number }> = {};
    await Promise.all(
      [...this.env.components].map(async ([name, component]) => {
        // Read each second, not cached: a restarted component has a new pid.
        const { pid } = component as { pid?: number };
        if (typeof pid !== 'number') return; // a container, or a process the nemesis has killed
        try {
          const s = await pidusage(pid);
          out[name] = { cpuPercent: Math.round(s.cpu * 10) / 10, rssBytes: s.memory };
        } catch {
          // the process is gone (killed by the nemesis): no sample this second
        }
      }),
    );
    return out;
  }

  /** Stops sampling and closes its connections; idempotent. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // destroy, not quit: quit waits for a reply that a killed Redis never sends.
    for (const client of this.redis.values()) client.destroy();
    this.redis.clear();
    await Promise.all([...this.pg.values()].map((client) => withTimeout(client?.end() ?? Promise.resolve(), 2000).catch(() => undefined)));
    this.pg.clear();
    pidusage.clear();
  }
}

/** Each source's sample by component name; one that fails or does not answer in 900 ms says why. */
async function sampleEach<C>(
  clients: ReadonlyMap<string, C | undefined>,
  sample: (client: C) => Promise<Record<string, number>>,
): Promise<Record<string, SourceSample>> {
  const out: Record<string, SourceSample> = {};
  await Promise.all(
    [...clients].map(async ([name, client]) => {
      try {
        if (!client) throw new Error('not connected');
        out[name] = await withTimeout(sample(client), 900);
      } catch (err) {
        out[name] = { error: (err as Error).message };
      }
    }),
  );
  return out;
}

async function sampleRedis(client: ReturnType<typeof createClient>): Promise<Record<string, number>> {
  const info = await client.info();
  // `keys`: how many keys database 0 holds (INFO's keyspace line `db0:keys=N,…`, absent when empty).
  const out: Record<string, number> = { keys: 0 };
  for (const line of info.split('\r\n')) {
    const [k, v] = line.split(':');
    if (k === 'role') out.replica = v === 'slave' ? 1 : 0;
    else if (k === 'db0') out.keys = Number(/keys=(\d+)/.exec(v)?.[1] ?? 0);
    else if (redisFields.includes(k)) out[k] = Number(v);
  }
  return out;
}

async function samplePg(client: pg.Client): Promise<Record<string, number>> {
  const { rows } = await client.query(pgQuery);
  return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}
