import { appendFileSync } from 'node:fs';
import { createClient } from 'redis';
import pg from 'pg';
import pidusage from 'pidusage';
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
];
const pgQuery = `SELECT xact_commit, xact_rollback, tup_fetched, tup_inserted, tup_updated, tup_deleted, blks_hit, blks_read, deadlocks
                 FROM pg_stat_database WHERE datname = current_database()`;

/**
 * Writes one `metrics.jsonl` line a second: Redis INFO (hits, misses, ops,
 * memory), PostgreSQL `pg_stat_database`, and each process's CPU and RSS.
 * Connects to the components directly, not through their links, so a fault
 * on a link never blinds the sampler. A source that does not answer within
 * the second is recorded as `{ error }` for that second, never skipped
 * silently.
 */
export class Sampler {
  private timer: NodeJS.Timeout | undefined;
  private redis: ReturnType<typeof createClient> | undefined;
  private pgClient: pg.Client | undefined;
  private busy = false;

  constructor(
    private readonly env: Environment,
    private readonly path: string,
    private readonly clockNs: () => number,
  ) {}

  async start(periodMs = 1000): Promise<void> {
    const redis = this.env.components.get('redis');
    if (redis) {
      this.redis = createClient({ socket: { host: redis.host, port: redis.port, connectTimeout: 1000, reconnectStrategy: 500 } });
      this.redis.on('error', () => undefined);
      await this.redis.connect().catch(() => undefined);
    }
    const postgres = this.env.components.get('postgres');
    const pgEndpoint = this.env.endpoints.postgres;
    if (postgres && pgEndpoint) {
      this.pgClient = new pg.Client({
        host: postgres.host,
        port: postgres.port,
        user: pgEndpoint.user,
        password: pgEndpoint.password,
        database: pgEndpoint.database,
        connectionTimeoutMillis: 1000,
        query_timeout: 900,
      });
      this.pgClient.on('error', () => undefined);
      await this.pgClient.connect().catch(() => (this.pgClient = undefined));
    }
    this.timer = setInterval(() => void this.sample(), periodMs);
  }

  /** Takes one sample now and appends it. */
  async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const line = { time: this.clockNs(), redis: await this.sampleRedis(), postgres: await this.samplePg(), processes: await this.sampleProcesses() };
      appendFileSync(this.path, `${JSON.stringify(line)}\n`);
    } finally {
      this.busy = false;
    }
  }

  private async sampleRedis(): Promise<Record<string, number> | { error: string } | undefined> {
    if (!this.redis) return undefined;
    try {
      const info = await withTimeout(this.redis.info(), 900);
      const out: Record<string, number> = {};
      for (const line of info.split('\r\n')) {
        const [k, v] = line.split(':');
        if (redisFields.includes(k)) out[k] = Number(v);
      }
      return out;
    } catch (err) {
      return { error: (err as Error).message };
    }
  }

  private async samplePg(): Promise<Record<string, number> | { error: string } | undefined> {
    if (!this.pgClient) return undefined;
    try {
      const { rows } = await this.pgClient.query(pgQuery);
      return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
    } catch (err) {
      return { error: (err as Error).message };
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
    this.redis?.destroy();
    this.redis = undefined;
    await withTimeout(this.pgClient?.end() ?? Promise.resolve(), 2000).catch(() => undefined);
    this.pgClient = undefined;
    pidusage.clear();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}
