/**
 * The list-append checker's size, time and memory: `npx tsx
 * bench/list-append/run.ts` (about a minute). Each row generates a Jepsen-shaped
 * list-append history from a simulated store (`generate.ts`), writes it as
 * Jepsen EDN, then, in a child process of its own, reads it back as
 * `patternbench check` does and checks it against strict serializability
 * (real-time edges on), printing the parse and check times and the child's
 * peak RSS. A row that crashes, runs out of heap or is killed is reported as
 * such. Measures; asserts nothing. Times are wall-clock on whatever else the
 * machine runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkListAppend } from '../../checkers/list-append/index.ts';
import { readHistory, writeEdn } from '../../history/index.ts';
import { generateListAppend, type IsolationStore, type ListAppendSpec } from './generate.ts';

/** What one child reports. */
interface RowResult {
  valid: boolean | 'unknown';
  ops: number;
  txns: number;
  edges: number;
  anomalies: string;
  ruledOut: string;
  parseMs: number;
  checkMs: number;
  /** The child's RSS high-water mark: the parsed history and the check together, MB. */
  peakRssMb: number;
}

function measureRow(file: string): RowResult {
  let start = performance.now();
  const history = readHistory(file);
  const parseMs = performance.now() - start;
  start = performance.now();
  const v = checkListAppend(history, { consistencyModels: ['strict-serializable'], examples: 1 });
  const checkMs = performance.now() - start;
  return {
    valid: v.valid,
    ops: history.length,
    txns: v.txns.ok + v.txns.info + v.txns.fail,
    edges: v.edges,
    anomalies: v.anomalyTypes.map((t) => `${t} ×${v.anomalyCounts[t]}`).join(', ') || 'none',
    ruledOut: v.ruledOut.join(', ') || 'none',
    parseMs,
    checkMs,
    // resourceUsage reports kilobytes.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function runRow(file: string, wallMs: number, heapMb: number): RowResult | { failed: string } {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, '--import', 'tsx', self, '--row', file], {
    encoding: 'utf8',
    timeout: wallMs,
    maxBuffer: 1 << 24,
  });
  if (r.error || r.status !== 0) {
    const why =
      r.signal === 'SIGTERM'
        ? `killed after ${wallMs / 1000} s`
        : /heap out of memory/i.test(r.stderr)
          ? `out of memory (heap ${heapMb} MB)`
          : `exit ${r.status ?? r.signal}`;
    return { failed: why };
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as RowResult;
}

if (process.argv[2] === '--row') {
  console.log(JSON.stringify(measureRow(process.argv[3])));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'bench-list-append-'));
  const rows: string[][] = [];
  const base: Omit<ListAppendSpec, 'txns' | 'store'> = { processes: 10, activeKeys: 10, maxWritesPerKey: 32, maxMops: 4, seed: 42, infoRate: 0.01 };
  const plan: Array<[IsolationStore, number]> = [
    ['serializable', 10_000],
    ['serializable', 100_000],
    ['serializable', 300_000],
    ['snapshot-isolation', 100_000],
    ['read-committed', 100_000],
  ];
  try {
    for (const [store, txns] of plan) {
      const file = join(dir, `${store}-${txns}.edn`);
      // writeEdn spells micro-op names as strings; Jepsen writes keywords.
      writeFileSync(file, writeEdn(generateListAppend({ ...base, store, txns })).replace(/\["(append|r)" /g, '[:$1 '));
      const sizeMb = statSync(file).size / (1024 * 1024);
      const r = runRow(file, 180_000, 4096);
      const lead = [store, txns.toLocaleString('en-US'), sizeMb.toFixed(1)];
      if ('failed' in r) rows.push([...lead, `did not finish: ${r.failed}`, '-', '-', '-', '-', '-', '-']);
      else
        rows.push([
          ...lead,
          String(r.valid),
          r.edges.toLocaleString('en-US'),
          r.anomalies,
          r.ruledOut,
          r.parseMs.toFixed(0),
          r.checkMs.toFixed(0),
          r.peakRssMb.toFixed(0),
        ]);
      rmSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const header = ['store', 'txns', 'EDN MB', 'strict-serializable?', 'edges', 'anomalies', 'rules out', 'parse ms', 'check ms', 'peak RSS MB'];
  console.log(
    `${base.processes} clients, ${base.activeKeys} keys in use (each retired after ${base.maxWritesPerKey} appends), 1–${base.maxMops} micro-ops a txn, 1% info.\n`,
  );
  console.log([line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n'));
}
