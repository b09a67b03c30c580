/**
 * The published findings the consistency family rediscovers, printed beside
 * what a run of `suites/consistency.yaml` measured — from its results.json
 * alone, so it can be re-run on any old run folder:
 *
 *   bin/patternbench run suites/consistency.yaml --out runs/consistency
 *   npx tsx bench/consistency/anchors.ts runs/consistency
 *
 * - Jepsen, etcd 3.4.3 (2020): key-value operations strict serializable under
 *   partitions, pauses and crashes; serializable (member-local) reads may be stale.
 * - Redis replication is asynchronous: replicas serve stale reads, and WAIT
 *   makes a write wait for replicas without making Redis linearizable
 *   (Redis docs; Jepsen on Redis, 2013).
 * - Kleppmann, "How to do distributed locking" (2016): a lease lock without
 *   fencing tokens does not give mutual exclusion when a holder pauses;
 *   with tokens checked by the store, the woken holder is refused.
 * - Bailis et al., PBS (VLDB 2012): the probability a read sees the latest
 *   write grows with the time since it was acknowledged (t-visibility),
 *   shown beside the replication lag the sampler measured.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Case {
  name: string;
  status: string;
  checks?: { results: Record<string, { valid: unknown; lostIncrements?: number; staleReads?: number; mutualExclusionViolations?: number }> };
  // biome-ignore lint/suspicious/noExplicitAny: figures are read by their documented keys (targets/consistency/FIGURES.md)
  figures?: Record<string, any>;
}

const runDir = process.argv[2];
if (!runDir) {
  console.error('usage: npx tsx bench/consistency/anchors.ts <run folder of suites/consistency.yaml>');
  process.exit(3);
}
const cases = new Map((JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as { cases: Case[] }).cases.map((c) => [c.name, c]));
const verdict = (name: string, check: string) => String(cases.get(name)?.checks?.results[check]?.valid ?? 'not run');
const stale = (name: string) => {
  const s = cases.get(name)?.figures?.staleness;
  return s ? `${s.staleReads} of ${s.reads} reads stale (t max ${Math.round(s.tMs?.max ?? 0)} ms)` : 'not run';
};
const lock = (name: string) => {
  const r = cases.get(name)?.checks?.results.lock;
  return r
    ? `${verdict(name, 'lock')}: ${r.lostIncrements} lost, ${r.staleReads} stale read(s), ${r.mutualExclusionViolations} time(s) two holders`
    : 'not run';
};

const rows: [string, string, string][] = [
  [
    'etcd, linearizable reads',
    'strict serializable under partitions (Jepsen 2020)',
    `linearizable: ${verdict('etcd-linearizable', 'linearizable')}; ${stale('etcd-linearizable')}`,
  ],
  [
    'etcd, serializable reads',
    'member-local, may be stale (etcd docs; Jepsen 2020)',
    `linearizable: ${verdict('etcd-serializable', 'linearizable')}; ${stale('etcd-serializable')}`,
  ],
  ['Redis replicas', 'asynchronous: stale reads', `linearizable: ${verdict('redis-replicas', 'linearizable')}; ${stale('redis-replicas')}`],
  [
    'Redis replicas + WAIT 1',
    'waits for the replica; not linearizable under failover',
    `linearizable: ${verdict('redis-wait', 'linearizable')}; ${stale('redis-wait')}`,
  ],
  ['Redis lock, no fencing', 'no mutual exclusion under pauses (Kleppmann 2016)', lock('lock-redis')],
  ['Redis lock, fencing tokens', 'the store refuses the woken holder', lock('lock-redis-fenced')],
  ['Redlock', 'no fencing token to give (Kleppmann 2016)', lock('lock-redlock')],
  ['PostgreSQL advisory lock, no fencing', 'a lease lock like any other', lock('lock-pg-advisory')],
  ['PostgreSQL advisory lock, fencing', 'the store refuses the woken holder', lock('lock-pg-advisory-fenced')],
  ['etcd lease lock, no fencing', 'locks "fundamentally unsafe" (Jepsen 2020)', lock('lock-etcd')],
  ['etcd lease lock, fencing (revision)', 'safe with the revision as token (Jepsen 2020)', lock('lock-etcd-fenced')],
];
const width = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), 10));
const line = (r: string[]) => r.map((c, i) => c.padEnd(width[i])).join(' | ');
console.log(line(['anchor', 'published', 'this run']));
console.log(width.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of rows) console.log(line(r));

// What stayed available (the share of operations the system answered, by fault) beside what stayed correct, case by case.
type Outcomes = { ok: number; fail: number; info: number; answeredShare: number | null };
const answered = (groups: Outcomes[]) => {
  const total = groups.reduce((n, o) => n + o.ok + o.fail + o.info, 0);
  return total === 0 ? '-' : (groups.reduce((n, o) => n + (o.answeredShare ?? 0) * (o.ok + o.fail + o.info), 0) / total).toFixed(3);
};
const table: string[][] = [['case', 'answered: no fault', 'partitions', 'pauses', 'verdicts']];
for (const [name, c] of cases) {
  const a = c.figures?.availability;
  if (!a) continue;
  const windows = a.windows as { fault: string; outcomes: Outcomes }[];
  const by = (fault: string) => answered(windows.filter((w) => w.fault === fault).map((w) => w.outcomes));
  const verdicts = Object.entries(c.checks?.results ?? {})
    .map(([check, v]) => `${check} ${v.valid}`)
    .join(', ');
  table.push([name, answered([a.outsideFaults]), by('partition'), by('pause'), verdicts]);
}
const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
console.log('');
for (const [i, r] of table.entries()) {
  console.log(r.map((c, j) => c.padEnd(widths[j])).join(' | '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
}

console.log('\nPBS t-visibility (probability a read started t ms after a write saw it or newer) beside the replica lag the sampler saw:');
for (const name of ['pg-async-replica', 'redis-replicas', 'redis-wait', 'etcd-serializable', 'pg-sync-replica']) {
  const f = cases.get(name)?.figures;
  if (!f?.staleness) continue;
  const curve = (f.staleness.visibility as { tMs: number; probability: number | null }[])
    .map((p) => `${p.tMs}ms:${p.probability === null ? '-' : p.probability.toFixed(3)}`)
    .join(' ');
  const lag = Object.entries(f.replicationLag ?? {})
    .map(([replica, l]) => {
      const { bytesBehind, replayLagMs } = l as { bytesBehind?: { p50: number; max: number }; replayLagMs?: { max: number } };
      return `${replica}: ${bytesBehind ? `bytes behind p50 ${bytesBehind.p50}, max ${bytesBehind.max}` : ''}${replayLagMs ? `, replay lag max ${replayLagMs.max} ms` : ''}`;
    })
    .join('; ');
  console.log(`  ${name.padEnd(18)} ${curve}\n  ${''.padEnd(18)} ${lag || '(no replica sampled)'}`);
}
