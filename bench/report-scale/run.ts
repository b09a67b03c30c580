/**
 * How long the report of a long run takes, and how big it gets: a run folder
 * synthesized with N client operations (default 1,000,000: 2,000,000 history
 * lines, about 265 MB) under two faults, then `writeReport` on it, beside the
 * floor any JSONL reader pays — `JSON.parse` of every line of the same file,
 * nothing else — measured in the same process on the same (cached) file,
 * each twice: the first pass pays V8's warm-up, the second is steady.
 *
 *   npx tsx bench/report-scale/run.ts [ops]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeRun } from '../../reports/fixtures/synthesize-run.ts';
import { forEachLine } from '../../reports/read-lines.ts';

const ops = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'report-scale-'));
try {
  synthesizeRun(dir, {
    rate: 1000,
    faults: [
      { kind: 'latency', on: 'target-to-redis', atMs: Math.round(ops * 0.2), forMs: Math.round(ops * 0.1) },
      { kind: 'kill', on: 'redis', atMs: Math.round(ops * 0.6), forMs: Math.round(ops * 0.03) },
    ],
    cases: [{ name: 'long', ops, infoRate: 0.001, failRate: 0.001 }],
  });
  const history = join(dir, 'long', 'history.jsonl');
  const historyMb = statSync(history).size / 1e6;

  const parseMs: number[] = [];
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    forEachLine(history, (line) => JSON.parse(line));
    parseMs.push(performance.now() - t);
  }
  const [floorColdMs, floorMs] = parseMs;

  const loading = performance.now();
  const { writeReport } = await import('../../reports/write-report.ts');
  const loadMs = performance.now() - loading;
  const reportMs: number[] = [];
  let written!: ReturnType<typeof writeReport>;
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    written = writeReport(dir);
    reportMs.push(performance.now() - t);
  }
  const { files, stats } = written;
  const htmlKb = statSync(files.html).size / 1024;

  console.log(
    `history: ${stats.long.ops.toLocaleString('en-US')} client ops (${(stats.long.ok + stats.long.fail + stats.long.info).toLocaleString('en-US')} completed), ${historyMb.toFixed(0)} MB`,
  );
  console.log('| what | first pass ms | second pass ms | ratio to the floor (second) |');
  console.log('| --- | --- | --- | --- |');
  console.log(`| JSON.parse of every line (the floor) | ${floorColdMs.toFixed(0)} | ${floorMs.toFixed(0)} | 1.00 |`);
  console.log(
    `| writeReport: figures, charts, report.html, junit.xml, summary.md | ${reportMs[0].toFixed(0)} | ${reportMs[1].toFixed(0)} | ${(reportMs[1] / floorMs).toFixed(2)} |`,
  );
  console.log(`| loading the report code and ECharts, once a process | ${loadMs.toFixed(0)} | | |`);
  console.log(
    `report.html: ${htmlKb.toFixed(0)} KB; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; load average ${loadavg()[0].toFixed(1)} on this machine`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
