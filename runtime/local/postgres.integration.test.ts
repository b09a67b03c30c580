import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Endpoint, endpointUrl } from '../endpoint.ts';
import { createLink } from './links.ts';
import { startPostgres, type PostgresServer } from './postgres.ts';
import { startToxiproxyServer, type ToxiproxyServer } from './toxiproxy-server.ts';

const runDir = mkdtempSync(join(tmpdir(), 'patternbench-test-postgres-'));

async function connect(e: Endpoint): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: endpointUrl('postgres', e), connectionTimeoutMillis: 2_000 });
  await client.connect();
  return client;
}

describe('postgres', () => {
  let toxiproxy: ToxiproxyServer;
  let primary: PostgresServer;
  let replica: PostgresServer;

  beforeAll(async () => {
    toxiproxy = await startToxiproxyServer({ runDir });
    primary = await startPostgres({ name: 'postgres', runDir });
    const link = await createLink(toxiproxy.apiUrl, { name: 'postgres-replica-1-to-postgres', from: 'postgres-replica-1', to: 'postgres', upstream: primary });
    replica = await startPostgres({ name: 'postgres-replica-1', runDir, replicaOf: link.listen });
  });

  afterAll(async () => {
    await replica?.stop();
    await primary?.stop();
    await toxiproxy?.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('streams a row inserted on the primary to the replica', async () => {
    const p = await connect(primary);
    const r = await connect(replica);
    await p.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
    await p.query(`INSERT INTO t VALUES (1, 'one')`);
    let rows: unknown[] = [];
    for (let i = 0; i < 50 && rows.length === 0; i++) {
      rows = (await r.query('SELECT v FROM t WHERE id = 1').catch(() => ({ rows: [] }))).rows;
      if (rows.length === 0) await new Promise((res) => setTimeout(res, 100));
    }
    expect(rows).toEqual([{ v: 'one' }]);
    expect((await r.query('SELECT pg_is_in_recovery() AS r')).rows[0].r).toBe(true);
    await p.end();
    await r.end();
  });

  it('supports two-phase commit (PREPARE TRANSACTION)', async () => {
    const p = await connect(primary);
    expect(Number((await p.query('SHOW max_prepared_transactions')).rows[0].max_prepared_transactions)).toBeGreaterThan(0);
    await p.query('CREATE TABLE two_pc (id int)');
    await p.query('BEGIN');
    await p.query('INSERT INTO two_pc VALUES (7)');
    await p.query(`PREPARE TRANSACTION 'tx-1'`);
    expect((await p.query('SELECT gid FROM pg_prepared_xacts')).rows).toEqual([{ gid: 'tx-1' }]);
    await p.query(`COMMIT PREPARED 'tx-1'`);
    expect((await p.query('SELECT id FROM two_pc')).rows).toEqual([{ id: 7 }]);
    await p.end();
  });

  it('stop leaves no postgres process of its group behind', async () => {
    const pids = [primary.pid!, replica.pid!];
    await replica.stop();
    await primary.stop();
    for (const pid of pids) expect(() => process.kill(-pid, 0)).toThrow(/ESRCH/);
  });
});
