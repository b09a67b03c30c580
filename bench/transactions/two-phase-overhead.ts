/**
 * Benchmark: what two-phase commit costs short transactions, measured two
 * ways side by side in one run, each as a ratio against the same work done
 * as plain local commits on the same servers.
 *
 * 1. pgbench, the tool behind the published figure (Stas Kelvich,
 *    pgsql-hackers, December 2015, "Speedup twophase transactions": on a
 *    dual 6-core Xeon about 42k TPS without 2PC, 22k with it, 36k with his
 *    patch — which PostgreSQL 9.6 took in): the same transfer script — two
 *    single-row UPDATEs of `pgbench_accounts` — ending in COMMIT, or in
 *    PREPARE TRANSACTION then COMMIT PREPARED, on one server. Twice: as the
 *    suite's shards run (`fsync=off`, the project's setting) and durable
 *    (`fsync=on`, `synchronous_commit=on`), since what 2PC adds is mostly
 *    WAL and state-file work that durability makes dearer.
 * 2. Our own: the family's classes, in-process with no HTTP in between,
 *    moving money across the two shards: `LocalCommits` (the debit, then the
 *    credit, each its own commit) against `TwoPhaseCommit` (the same two
 *    writes, PREPAREd on both shards, the decision logged in `txlog`,
 *    COMMIT PREPARED on both), with 2PC's time per phase.
 *
 * Each side runs alone (on 2 cores, side by side would measure their fight
 * for CPU), alternating in ABBA rounds so drift in the machine's load falls
 * on both; the figures are medians of the rounds.
 *
 * Run: `npx tsx bench/transactions/two-phase-overhead.ts` (about 4 minutes;
 * `--seconds 10 --rounds 4 --clients 8` are the defaults).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { endpointUrl } from '../../runtime/endpoint.ts';
import type { Environment } from '../../runtime/environment.ts';
import { startLocalEnvironment } from '../../runtime/local/start-local-environment.ts';
import { pgBin } from '../../runtime/local/tools.ts';
import { pgCredentials } from '../../runtime/postgres-settings.ts';
import { type ShardName, shardNames, type Transfer } from '../../targets/transactions/bank/bank.ts';
import { LocalCommits } from '../../targets/transactions/bank/local-commits.ts';
import { prepareShard } from '../../targets/transactions/bank/shard.ts';
import { TwoPhaseCommit } from '../../targets/transactions/bank/two-phase-commit.ts';
import { Failpoints } from '../../targets/transactions/failpoints.ts';
import { createPool } from '../../targets/transactions/pools.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const seconds = arg('seconds', 10);
const rounds = arg('rounds', 4);
const clients = arg('clients', 8);
const run = promisify(execFile);
const pgbench = join(dirname(pgBin('postgres')), 'pgbench');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Runs `a` and `b` in ABBA rounds (after one warm-up of each); their results, round by round. */
async function abba<T>(a: () => Promise<T>, b: () => Promise<T>): Promise<{ a: T[]; b: T[] }> {
  await a();
  await b();
  const out = { a: [] as T[], b: [] as T[] };
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      out.a.push(await a());
      out.b.push(await b());
    } else {
      out.b.push(await b());
      out.a.push(await a());
    }
  }
  return out;
}

const transferScript = (end: string) => `\\set from random(1, 100000 * :scale)
\\set to random(1, 100000 * :scale)
\\set delta random(1, 100)
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance - :delta WHERE aid = :from;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :to;
${end}
`;

/** pgbench's TPS for `script` against `server`. */
async function pgbenchTps(server: { host: string; port: number }, script: string): Promise<number> {
  const { stdout } = await run(
    pgbench,
    [
      '-n',
      '-h',
      server.host,
      '-p',
      String(server.port),
      '-U',
      pgCredentials.user,
      '-c',
      String(clients),
      '-j',
      '2',
      '-T',
      String(seconds),
      '-f',
      script,
      pgCredentials.database,
    ],
    { timeout: (seconds + 60) * 1000 },
  );
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
  if (!tps) throw new Error(`no TPS in pgbench's output:\n${stdout}`);
  return Number(tps[1]);
}

async function pgbenchPart(label: string, settings: string[], dir: string): Promise<string> {
  const runDir = join(dir, label);
  const env = await startLocalEnvironment({ postgres: { bench: { settings } } }, { runDir });
  try {
    const server = env.components.get('bench')!;
    await run(pgbench, ['-i', '-q', '-s', '10', '-h', server.host, '-p', String(server.port), '-U', pgCredentials.user, pgCredentials.database], {
      timeout: 300_000,
    });
    const plain = join(dir, 'plain.sql');
    const twoPhase = join(dir, 'two-phase.sql');
    writeFileSync(plain, transferScript('COMMIT;'));
    writeFileSync(twoPhase, transferScript("PREPARE TRANSACTION 'pb_:client_id';\nCOMMIT PREPARED 'pb_:client_id';"));
    const r = await abba(
      () => pgbenchTps(server, plain),
      () => pgbenchTps(server, twoPhase),
    );
    const ratios = r.a.map((tps, i) => r.b[i] / tps);
    return `| pgbench, ${label} | ${fmt(median(r.a))} | ${fmt(median(r.b))} | **${fmt(median(r.b) / median(r.a), 2)}** (rounds ${fmt(Math.min(...ratios), 2)}–${fmt(Math.max(...ratios), 2)}) |`;
  } finally {
    await env.stop();
  }
}

/** Transfers a second by `clients` closed loops through `pattern` for `seconds`, and 2PC's phases (median ms) when it reports them. */
async function transfers(
  pattern: { transfer(t: Transfer): Promise<{ phases?: Record<string, number> }> },
  accounts: number,
): Promise<{ perSecond: number; phases: Record<string, number[]> }> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  let seq = 0;
  const phases: Record<string, number[]> = {};
  const stamp = `${process.pid}-${Date.now()}`;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        const [from, to] = Math.random() < 0.5 ? ['a', 'b'] : ['b', 'a'];
        const pick = () => Math.floor(Math.random() * accounts);
        const result = await pattern.transfer({ id: `${stamp}-${seq++}`, from: `${from}${pick()}`, to: `${to}${pick()}`, amount: 1 });
        done++;
        for (const [k, v] of Object.entries(result.phases ?? {})) (phases[k] ??= []).push(v);
      }
    }),
  );
  return { perSecond: done / seconds, phases };
}

async function ownPart(dir: string): Promise<string[]> {
  const accounts = 1000;
  const env: Environment = await startLocalEnvironment({ postgres: { 'shard-a': {}, 'shard-b': {}, txlog: {} } }, { runDir: join(dir, 'own') });
  const pools: pg.Pool[] = [];
  const pool = (name: string) => {
    const p = createPool(endpointUrl('postgres', env.components.get(name)!), { name, max: clients + 2 });
    pools.push(p);
    return p;
  };
  try {
    const shards = Object.fromEntries(shardNames.map((s) => [s, pool(s)])) as Record<ShardName, pg.Pool>;
    for (const s of shardNames) await prepareShard(shards[s], s, { accountsPerShard: accounts, initialBalance: 1_000_000_000 });
    const local = new LocalCommits(shards, new Failpoints([]));
    const twoPhase = new TwoPhaseCommit(shards, pool('txlog'), new Failpoints([]), { coordinator: 'bench', resolveEveryMs: 60_000 });
    await twoPhase.start();
    const r = await abba(
      () => transfers(local, accounts),
      () => transfers(twoPhase, accounts),
    );
    await twoPhase.stop();
    const a = median(r.a.map((x) => x.perSecond));
    const b = median(r.b.map((x) => x.perSecond));
    const ratios = r.a.map((x, i) => r.b[i].perSecond / x.perSecond);
    const phases = Object.keys(r.b[0].phases).map((k) => `${k.replace('Ms', '')} ${fmt(median(r.b.flatMap((x) => x.phases[k])), 2)} ms`);
    return [
      `| ours: a cross-shard transfer, local commits vs 2PC (\`fsync=off\`) | ${fmt(a)} | ${fmt(b)} | **${fmt(b / a, 2)}** (rounds ${fmt(Math.min(...ratios), 2)}–${fmt(Math.max(...ratios), 2)}) |`,
      '',
      `2PC's phases, median of every transfer: ${phases.join(', ')}.`,
    ];
  } finally {
    await Promise.allSettled(pools.map((p) => p.end()));
    await env.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'patternbench-2pc-bench-'));
try {
  const started = Date.now();
  const lines = [
    `${clients} clients, ${rounds} ABBA rounds of ${seconds} s after a warm-up of each; medians of the rounds.`,
    '',
    '| what | plain commits / s | with 2PC / s | 2PC / plain |',
    '| --- | --- | --- | --- |',
    '| published: pgsql-hackers 2015, before the 9.6 patch | ~42,000 | ~22,000 | 0.52 |',
    '| published: pgsql-hackers 2015, with the 9.6 patch | ~42,000 | ~36,000 | 0.86 |',
    await pgbenchPart('as the shards run (fsync=off)', [], dir),
    await pgbenchPart('durable (fsync=on, synchronous_commit=on)', ['fsync=on', 'synchronous_commit=on'], dir),
    ...(await ownPart(dir)),
    '',
    `(${Math.round((Date.now() - started) / 1000)} s)`,
  ];
  console.log(lines.join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
