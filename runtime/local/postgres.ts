import { execFile } from 'node:child_process';
import { chownSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Endpoint } from '../endpoint.ts';
import { freePort } from './free-port.ts';
import { makeDataDir } from './data-dir.ts';
import { LocalProcess } from './local-process.ts';
import { ProcessComponent } from './process-component.ts';
import { pgBin } from './tools.ts';
import { pgCredentials, pgServerSettings } from '../postgres-settings.ts';

const run = promisify(execFile);

/** How to start one PostgreSQL 15 server. */
export interface PostgresOptions {
  /** `postgres`, `postgres-replica-1`; also the log file's name. */
  name: string;
  /** Logs go to `${runDir}/logs/<name>.log`. */
  runDir: string;
  /** Stream from this primary (the `postgres-replica-N-to-postgres` link); absent for a primary. */
  replicaOf?: Endpoint;
  /** Extra server settings, `name=value`. */
  settings?: readonly string[];
}

const credentials = pgCredentials;

/** A running PostgreSQL server on 127.0.0.1 (`pgCredentials` connect to it). */
export class PostgresServer extends ProcessComponent {}

/**
 * Starts PostgreSQL 15 on a free 127.0.0.1 port in a temp dir, as the
 * `postgres` OS user when we are root (PostgreSQL refuses root), else as
 * ourselves. A primary is `initdb`ed with trust auth on 127.0.0.1 (including
 * replication), prepared transactions on and WAL for streaming replicas, and
 * gets the `patternbench` database; it is ready once `SELECT 1` succeeds. A
 * replica is `pg_basebackup -R`ed from `replicaOf` and is ready once it is in
 * recovery and its WAL receiver is streaming. Throws, having stopped and
 * removed what it made, when a step fails or it is not ready within 30 s.
 * `stop()` is a fast shutdown (SIGINT) and removes the temp dir.
 */
export async function startPostgres(opts: PostgresOptions): Promise<PostgresServer> {
  const owner = await osUser();
  const dir = makeDataDir(opts.name);
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const asOwner = { uid: owner?.uid, gid: owner?.gid, cwd: dir };
  let proc: LocalProcess | undefined;
  try {
    if (owner) chownSync(dir, owner.uid, owner.gid);
    if (opts.replicaOf) {
      await run(
        pgBin('pg_basebackup'),
        ['-h', opts.replicaOf.host, '-p', String(opts.replicaOf.port), '-U', credentials.user, '-D', dataDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
        asOwner,
      );
    } else {
      await run(
        pgBin('initdb'),
        ['-D', dataDir, '-U', credentials.user, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
        asOwner,
      );
      const hba = ['local all all trust', 'local replication all trust', 'host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust', ''];
      writeFileSync(join(dataDir, 'pg_hba.conf'), hba.join('\n'));
      if (owner) chownSync(join(dataDir, 'pg_hba.conf'), owner.uid, owner.gid);
    }
    proc = new LocalProcess({
      name: opts.name,
      command: pgBin('postgres'),
      args: ['-D', dataDir, ...settings(opts.name, port, dir, opts.settings ?? []).flatMap((s) => ['-c', s])],
      ...asOwner,
      logFile: join(opts.runDir, 'logs', `${opts.name}.log`),
      ready: opts.replicaOf ? () => replicaStreaming(port) : () => answers(port),
      readyTimeoutMs: 30_000,
      stopSignal: 'SIGINT', // fast shutdown; SIGTERM would wait for every client to leave
      stopGraceMs: 5_000,
    });
    await proc.start();
    // Once, not polled like the readiness probe: CREATE DATABASE copies a
    // template and checkpoints, which on a busy machine takes well over the
    // probe's 2 s.
    if (!opts.replicaOf) await query(port, 'postgres', `CREATE DATABASE ${credentials.database}`, 30_000);
  } catch (err) {
    await proc?.stop();
    remove();
    throw new Error(`${opts.name}: ${(err as Error).message}`, { cause: err });
  }
  return new PostgresServer({ name: opts.name, kind: 'postgres', port, proc, dataDir: dir });
}

/**
 * Server settings passed as `-c`: where to listen, the settings every runtime
 * shares, then the topology's own. `cluster_name` is the component's name: a
 * replica's WAL receiver reports it as its `application_name`, which
 * `synchronous_standby_names` on the primary refers to.
 */
function settings(name: string, port: number, socketDir: string, extra: readonly string[]): string[] {
  return [
    'listen_addresses=127.0.0.1',
    `port=${port}`,
    `unix_socket_directories=${socketDir}`,
    `cluster_name=${name}`,
    ...pgServerSettings,
    'logging_collector=off',
    ...extra,
  ];
}

/** The `postgres` OS user's ids when we run as root, else undefined (run as ourselves). Throws if root and no such user exists. */
async function osUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new Error('running as root, and PostgreSQL refuses root, but there is no `postgres` OS user to run it as');
  }
}

async function answers(port: number): Promise<boolean> {
  await query(port, 'postgres', 'SELECT 1');
  return true;
}

async function replicaStreaming(port: number): Promise<boolean> {
  const rows = await query(port, 'postgres', 'SELECT pg_is_in_recovery() AS recovering, (SELECT status FROM pg_stat_wal_receiver) AS receiver');
  return rows[0]?.recovering === true && rows[0]?.receiver === 'streaming';
}

/** Runs one statement on a fresh connection; rejects if the server does not answer within `timeoutMs` (default 2 s). */
async function query(port: number, database: string, sql: string, timeoutMs = 2_000): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: credentials.user, database, connectionTimeoutMillis: 2_000, query_timeout: timeoutMs });
  client.on('error', () => undefined); // a dropped connection surfaces as the query's rejection
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}
