import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkListAppend } from '../../checkers/list-append/index.ts';
import type { Op } from '../../history/op.ts';
import { endpointUrl } from '../../runtime/endpoint.ts';
import type { Environment } from '../../runtime/environment.ts';
import { startLocalEnvironment } from '../../runtime/local/start-local-environment.ts';
import { type IsolationLevel, ListAppendStore, type MicroOp, type Transaction, TxnNotCommitted } from './list-append-store.ts';

/**
 * Two transactions interleaved step by step on a real PostgreSQL 15, the
 * history they make written down as a client would record it, and the
 * list-append checker's reading of it: each level's signature anomaly from a
 * schedule that forces it, and what each level refuses.
 */
describe('ListAppendStore on PostgreSQL', () => {
  let runDir: string;
  let env: Environment;
  let pool: pg.Pool;
  const stores = new Map<IsolationLevel, ListAppendStore>();
  const store = (level: IsolationLevel) => stores.get(level) ?? stores.set(level, new ListAppendStore(pool, level)).get(level)!;

  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), 'patternbench-isolation-store-'));
    env = await startLocalEnvironment({ postgres: { postgres: {} } }, { runDir });
    pool = new pg.Pool({ connectionString: endpointUrl('postgres', env.components.get('postgres')!), max: 8 });
    await store('READ COMMITTED').prepare();
  });

  afterAll(async () => {
    await pool?.end();
    await env?.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  /** A history of whole transactions, each an invoke and an ok on its own process, in the order given. */
  function history(txns: MicroOp[][]): Op[] {
    return txns.flatMap((value, i) => [
      { index: 2 * i, time: 2 * i, process: i, type: 'invoke' as const, f: 'txn', value: value.map((m) => (m[0] === 'r' ? ['r', m[1], null] : m)) },
      { index: 2 * i + 1, time: 2 * i + 1, process: i, type: 'ok' as const, f: 'txn', value },
    ]);
  }

  /** Runs `steps` on an open transaction, recording each as a micro-op. */
  async function step(txn: Transaction, done: MicroOp[], m: MicroOp): Promise<void> {
    if (m[0] === 'r') done.push(['r', m[1], await txn.read(m[1])]);
    else {
      await txn.append(m[1], m[2]);
      done.push(m);
    }
  }

  it('runs a transaction and returns its reads in append order, null for a key never appended to', async () => {
    const s = store('SERIALIZABLE');
    expect(
      await s.transact([
        ['r', 1, null],
        ['append', 1, 10],
        ['append', 1, 11],
        ['r', 1, null],
      ]),
    ).toEqual([
      ['r', 1, null],
      ['append', 1, 10],
      ['append', 1, 11],
      ['r', 1, [10, 11]],
    ]);
    expect(
      await s.transact([
        ['append', 1, 12],
        ['r', 1, null],
      ]),
    ).toEqual([
      ['append', 1, 12],
      ['r', 1, [10, 11, 12]],
    ]);
  });

  it('read committed: a transaction sees a write that committed between its reads (read skew), which the checker names G-single', async () => {
    const s = store('READ COMMITTED');
    const t1 = await s.begin();
    const t1Done: MicroOp[] = [];
    await step(t1, t1Done, ['r', 20, null]);
    // T2 appends to both keys and commits while T1 is open.
    const t2Done = await s.transact([
      ['append', 20, 1],
      ['append', 21, 2],
    ]);
    await step(t1, t1Done, ['r', 21, null]);
    await t1.commit();
    t1.release();
    expect(t1Done).toEqual([
      ['r', 20, null],
      ['r', 21, [2]],
    ]);
    const verdict = checkListAppend(history([t2Done, t1Done]), { consistencyModels: ['snapshot-isolation'] });
    expect(verdict.valid).toBe(false);
    expect(verdict.anomalyTypes).toEqual(['G-single']);
    expect(verdict.ruledOut).toContain('snapshot-isolation');
    expect(verdict.ruledOut).not.toContain('read-committed');
  });

  it('repeatable read: one snapshot a transaction, so read skew cannot happen', async () => {
    const s = store('REPEATABLE READ');
    const t1 = await s.begin();
    const t1Done: MicroOp[] = [];
    await step(t1, t1Done, ['r', 30, null]);
    await s.transact([
      ['append', 30, 1],
      ['append', 31, 2],
    ]);
    await step(t1, t1Done, ['r', 31, null]);
    await t1.commit();
    t1.release();
    expect(t1Done).toEqual([
      ['r', 30, null],
      ['r', 31, null],
    ]);
  });

  it('repeatable read: two transactions each miss the other’s write (write skew), which the checker names G2-item', async () => {
    const s = store('REPEATABLE READ');
    const [t1, t2] = [await s.begin(), await s.begin()];
    const [d1, d2]: MicroOp[][] = [[], []];
    await step(t1, d1, ['r', 40, null]);
    await step(t2, d2, ['r', 41, null]);
    await step(t1, d1, ['append', 41, 1]);
    await step(t2, d2, ['append', 40, 2]);
    await t1.commit();
    await t2.commit();
    t1.release();
    t2.release();
    const verdict = checkListAppend(history([d1, d2]), { consistencyModels: ['snapshot-isolation'] });
    expect(verdict.valid).toBe(true);
    expect(verdict.anomalyTypes).toEqual(['G2-item']);
    expect(verdict.ruledOut).toEqual(['serializable', 'strict-serializable']);
    expect(verdict.anomalies['G2-item']![0].explanation).toMatch(
      /^T1 read 4[01] = \[\] without [12], which T2 appended \(rw\); T2 read 4[01] = \[\] without [12], which T1 appended \(rw\)/,
    );
  });

  it('repeatable read: of two concurrent appends to one key the second is rolled back as a conflict (first updater wins)', async () => {
    const s = store('REPEATABLE READ');
    await s.transact([['append', 50, 1]]);
    const [t1, t2] = [await s.begin(), await s.begin()];
    await t2.read(50); // T2's snapshot is taken before T1 commits
    await t1.append(50, 2);
    // Waits for T1's row lock. Its outcome is taken at once: it is refused while T1's commit is still being
    // awaited, and a rejection with no handler by then is an unhandled one.
    const blocked = t2.append(50, 3).then(
      () => undefined,
      (e: unknown) => e,
    );
    await t1.commit();
    t1.release();
    const err = await blocked;
    t2.release();
    expect(err).toBeInstanceOf(TxnNotCommitted);
    expect(err).toMatchObject({ reason: 'conflict', code: '40001' });
    expect(await s.transact([['r', 50, null]])).toEqual([['r', 50, [1, 2]]]);
  });

  it('serializable: the write-skew schedule cannot commit both; one is rolled back as a conflict', async () => {
    const s = store('SERIALIZABLE');
    const [t1, t2] = [await s.begin(), await s.begin()];
    const outcomes = await Promise.allSettled([
      (async () => {
        await t1.read(60);
        await t2.read(61);
        await t1.append(61, 1);
        await t2.append(60, 2);
        await t1.commit();
        await t2.commit();
      })(),
    ]);
    t1.release();
    t2.release();
    const err = outcomes[0].status === 'rejected' ? outcomes[0].reason : undefined;
    expect(err).toBeInstanceOf(TxnNotCommitted);
    expect(err).toMatchObject({ reason: 'conflict', code: '40001' });
    const [[, , a], [, , b]] = (await s.transact([
      ['r', 60, null],
      ['r', 61, null],
    ])) as [MicroOp, MicroOp];
    // Exactly one of the two appends committed.
    expect([a, b].filter((list) => list !== null)).toHaveLength(1);
  });

  it('says a transaction whose connection died before COMMIT did not commit, and it did not', async () => {
    const s = store('READ COMMITTED');
    const t1 = await s.begin();
    await t1.append(70, 1);
    const { rows } = await t1.run<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
    const err = await t1.append(70, 2).then(
      () => undefined,
      (e: unknown) => e,
    );
    t1.release();
    expect(err).toBeInstanceOf(TxnNotCommitted);
    expect(err).toMatchObject({ reason: 'aborted' });
    expect(await s.transact([['r', 70, null]])).toEqual([['r', 70, null]]);
  });
});
