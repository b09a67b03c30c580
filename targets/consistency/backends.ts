import pg from 'pg';
import { createClient } from 'redis';
import type { PgNode } from './pg-register.ts';
import type { RedisNode } from './redis-register.ts';

/**
 * Clients of the stores a pattern talks to, each through the service's own
 * link to that node, giving up after `timeoutMs` (a PostgreSQL query, a
 * connection; node-redis has no per-command timeout, so the service's
 * request deadline bounds those). Errors are logged, never thrown from an
 * event: a store cut off by a fault is what these runs are about.
 */
export function pgNode(name: string, url: string, timeoutMs: number): PgNode {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  pool.on('error', (err) => console.error(`${name}: ${err.message}`));
  return { pool, name };
}

/** A connected node-redis client; commands fail at once while it is disconnected (a queued write sent late would be a write nobody is waiting for). */
export async function redisNode(name: string, url: string, timeoutMs: number): Promise<RedisNode> {
  const client = createClient({ url, socket: { connectTimeout: timeoutMs }, disableOfflineQueue: true });
  client.on('error', (err: Error) => console.error(`${name}: ${err.message}`));
  await client.connect();
  return { client, name };
}
