import type Dockerode from 'dockerode';
import { createClient } from 'redis';
import pg from 'pg';
import type { WaitStrategy } from 'testcontainers';
import { endpointUrl } from '../endpoint.ts';
import type { ComponentKind } from '../topology.ts';

/**
 * A testcontainers wait strategy that asks the component itself, from the
 * host, through its published port — the same questions the local runtime
 * asks, whatever image runs it: a Redis primary answers PING, a replica says
 * `master_link_status:up`; a PostgreSQL primary answers `SELECT 1` in the
 * patternbench database, a replica is in recovery with its WAL receiver
 * streaming; an etcd member says `{"health":"true"}` (it has a leader); a
 * service answers `GET /health` with 200; toxiproxy answers `GET /version`.
 * testcontainers runs it again after a restart. Throws at once when the
 * container exits, and with the last answer when it is not ready within the
 * startup timeout (default 60 s).
 */
export class HostReady implements WaitStrategy {
  private startupTimeoutMs = 60_000;
  private timeoutSet = false;

  constructor(
    private readonly kind: ComponentKind,
    private readonly replica: boolean,
    private readonly port: number,
  ) {}

  withStartupTimeout(ms: number): this {
    this.startupTimeoutMs = ms;
    this.timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.timeoutSet;
  }

  getStartupTimeout(): number {
    return this.startupTimeoutMs;
  }

  async waitUntilReady(container: Dockerode.Container): Promise<void> {
    const deadline = Date.now() + this.startupTimeoutMs;
    let last = 'no answer yet';
    for (;;) {
      const { State } = await container.inspect();
      if (!State.Running) throw new Error(`exited with code ${State.ExitCode} before it was ready (see its log)`);
      try {
        if (await ready(this.kind, this.replica, this.port)) return;
        last = 'answered, not ready';
      } catch (err) {
        last = (err as Error).message || (err as Error).constructor.name;
      }
      if (Date.now() > deadline) throw new Error(`not ready within ${this.startupTimeoutMs / 1000} s on 127.0.0.1:${this.port} (${last})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function ready(kind: ComponentKind, replica: boolean, port: number): Promise<boolean> {
  const http = async (path: string) => fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_000) });
  switch (kind) {
    case 'redis':
      return replica ? (await redis(port, ['INFO', 'replication'])).includes('master_link_status:up') : (await redis(port, ['PING'])) === 'PONG';
    case 'postgres': {
      const rows = await query(port, 'SELECT pg_is_in_recovery() AS recovering, (SELECT status FROM pg_stat_wal_receiver) AS receiver');
      return replica ? rows[0]?.recovering === true && rows[0]?.receiver === 'streaming' : rows.length === 1;
    }
    case 'etcd': {
      const res = await http('/health');
      return res.ok && ((await res.json()) as { health?: string }).health === 'true';
    }
    case 'service':
      return (await http('/health')).status === 200;
    case 'toxiproxy':
      return (await http('/version')).ok;
  }
}

async function redis(port: number, args: string[]): Promise<string> {
  const client = createClient({ socket: { host: '127.0.0.1', port, connectTimeout: 1_000, reconnectStrategy: false } });
  client.on('error', () => undefined); // surfaced by the rejected command instead
  try {
    await client.connect();
    const reply = await Promise.race([
      client.sendCommand(args),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no reply within 1 s')), 1_000).unref()),
    ]);
    return String(reply);
  } finally {
    client.destroy();
  }
}

async function query(port: number, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({
    connectionString: endpointUrl('postgres', { host: '127.0.0.1', port }),
    connectionTimeoutMillis: 2_000,
    query_timeout: 2_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}
