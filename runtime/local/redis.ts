import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'redis';
import type { Endpoint } from '../endpoint.ts';
import { freePort } from './free-port.ts';
import { makeDataDir } from './data-dir.ts';
import { LocalProcess } from './local-process.ts';
import { ProcessComponent } from './process-component.ts';

/** How to start one redis-server. */
export interface RedisOptions {
  /** `redis`, `redis-replica-1`; also the log file's name. */
  name: string;
  /** Logs go to `${runDir}/logs/<name>.log`. */
  runDir: string;
  /** Replicate from here (the `redis-replica-N-to-redis` link); absent for a primary. */
  replicaOf?: Endpoint;
  /** `maxmemory` in bytes; absent means no limit. */
  maxmemoryBytes?: number;
  /** `maxmemory-policy`, e.g. `allkeys-lru`; absent means Redis's default (`noeviction`). */
  maxmemoryPolicy?: string;
  /** `maxmemory-samples`; absent means Redis's default (5). */
  maxmemorySamples?: number;
}

/** A running redis-server (primary or replica) on 127.0.0.1. */
export class RedisServer extends ProcessComponent {}

/**
 * Starts redis-server on a free 127.0.0.1 port with a temp data dir and no
 * persistence. A primary is ready when it answers PING; a replica when
 * `INFO replication` says `master_link_status:up` (its first full sync is
 * done). Throws, having stopped it, when not ready within 20 s. `stop()`
 * removes the data dir; a restart after `kill()` comes back empty (no
 * persistence), as a crashed cache would.
 */
export async function startRedis(opts: RedisOptions): Promise<RedisServer> {
  const port = await freePort();
  const dir = makeDataDir(opts.name);
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  // Diskless sync without its default 5 s wait for more replicas: a replica is in sync at once.
  args.push('--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0');
  if (opts.replicaOf) args.push('--replicaof', opts.replicaOf.host, String(opts.replicaOf.port));
  if (opts.maxmemoryBytes !== undefined) args.push('--maxmemory', String(opts.maxmemoryBytes));
  if (opts.maxmemoryPolicy !== undefined) args.push('--maxmemory-policy', opts.maxmemoryPolicy);
  if (opts.maxmemorySamples !== undefined) args.push('--maxmemory-samples', String(opts.maxmemorySamples));
  const proc = new LocalProcess({
    name: opts.name,
    command: 'redis-server',
    args,
    logFile: join(opts.runDir, 'logs', `${opts.name}.log`),
    ready: opts.replicaOf
      ? async () => (await redisCommand(port, ['INFO', 'replication'])).includes('master_link_status:up')
      : async () => (await redisCommand(port, ['PING'])) === 'PONG',
    readyTimeoutMs: 20_000,
    stopGraceMs: 3_000,
  });
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    await proc.start();
  } catch (err) {
    await proc.stop();
    remove();
    throw err;
  }
  return new RedisServer({ name: opts.name, kind: 'redis', port, proc, dataDir: dir });
}

/** Sends one command on a fresh connection and returns the reply as a string; rejects within ~1 s if there is no answer. */
async function redisCommand(port: number, args: string[]): Promise<string> {
  const client = createClient({ socket: { host: '127.0.0.1', port, connectTimeout: 1_000, reconnectStrategy: false } });
  client.on('error', () => undefined); // surfaced by the rejected command instead
  await client.connect();
  try {
    const reply = await Promise.race([
      client.sendCommand(args),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no reply within 1 s')), 1_000).unref()),
    ]);
    return String(reply);
  } finally {
    client.destroy();
  }
}
