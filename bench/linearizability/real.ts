/**
 * Our checker against Porcupine on real histories, side by side in one run:
 *
 *     npx tsx bench/linearizability/real.ts [--knossos DIR]
 *
 * - Porcupine's own test histories, from its module as the Go module proxy
 *   serves it (`go mod download`, the version bench/linearizability/porcupine
 *   pins; nothing is committed here): `test_data/kv` (Jepsen-style logs of a
 *   key-value store, 1, 10 and 50 clients, get/put/append) and
 *   `test_data/jepsen` (Jepsen's etcd test: one cas-register, many timed-out
 *   writes). The verdict each should get is read from Porcupine's own tests
 *   (porcupine_test.go). The etcd logs are `jepsen.util` log lines, which
 *   the bench converts to our JSONL (jepsen-log.ts); the kv files are EDN,
 *   which `patternbench check` reads as they are.
 * - With `--knossos DIR` (a checkout of github.com/jepsen-io/knossos, or its
 *   `data` folder; Knossos is EPL-licensed, so its files are read from where
 *   they are, never copied here): its `cas-register` histories (initial
 *   value 0, as Knossos' tests check them) and `mutex` ones, good and bad.
 *   Knossos reads an ok read of nil as "we don't know what was read": the
 *   bench turns those into fails (which constrain nothing) for both
 *   checkers, and counts how many it turned. And its `multi-register`
 *   history (registers x and y from 0, read and written in transactions),
 *   which Porcupine's program has no model for.
 *
 * Ours is timed through `patternbench check --json`: `verdictMs`, from the
 * parsed history to the verdict (the counterexample comes after, under its
 * own budget); `cold` is the median of fresh processes checking the file
 * once, `steady` the median of its 2nd–5th check in one process. Porcupine
 * is its program calling CheckEventsTimeout, what Porcupine's tests call,
 * from the parsed file to the verdict, median of 5 in one process. Both read
 * the same file for the etcd and Knossos sets; for kv ours reads the EDN and
 * Porcupine's program the same ops as JSONL. Then the whole command, as a
 * user waits for it (start-up, parsing, verdict, counterexample), wall time
 * and peak RSS, for the two 50-client kv histories and a 10-op file.
 *
 * Prints markdown tables; exits 1 if a verdict differs from the expected one
 * or from Porcupine's. Times are wall-clock on whatever else the machine
 * runs: run it more than once.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEdn } from '../../history/edn.ts';
import type { Op } from '../../history/op.ts';
import { readHistory } from '../../history/index.ts';
import { generateHistory } from './generate.ts';
import { parseJepsenLog } from './jepsen-log.ts';
import { atMostOne, buildPorcupine, checkOurs, checkPorcupine, geometricMean, median, patternbench, run, table } from './measure.ts';

const COLD_RUNS = 3;
const STEADY_RUNS = 5;
const PORCUPINE_RUNS = 5;
const WHOLE_RUNS = 5;
const TIMEOUT_MS = 20_000;
const porcupineDir = fileURLToPath(new URL('./porcupine/', import.meta.url));

/** One history as both checkers read it, and the verdict it should get. */
interface Case {
  name: string;
  ours: string;
  porcupine?: string;
  expected: boolean;
}

/** A set of histories checked under one model. */
interface HistorySet {
  name: string;
  model: string;
  /** Our `--init` (JSON), and Porcupine's `-init`. */
  init?: string;
  /** Porcupine's program's model, when it has one. */
  porcupineModel?: string;
  cases: Case[];
}

const args = process.argv.slice(2);
const knossosArg = args.indexOf('--knossos');
const knossos = knossosArg >= 0 ? args[knossosArg + 1] : undefined;
if (knossosArg >= 0 && !knossos) throw new Error('--knossos needs a directory: a checkout of github.com/jepsen-io/knossos, or its data folder');

const dir = mkdtempSync(join(tmpdir(), 'patternbench-real-'));
try {
  const bin = buildPorcupine(dir);
  const module = porcupineModule();
  const sets = [...porcupineSets(module, dir), ...(knossos ? knossosSets(knossos, dir) : [])];
  let disagreements = 0;
  const summary: string[][] = [];
  for (const set of sets) {
    const { rows, cold, steady, wrong } = measureSet(bin, set);
    disagreements += wrong;
    console.log(`\n### ${set.name} (${set.cases.length} histories, ours --model ${set.model}${set.init ? ` --init '${set.init}'` : ''})\n`);
    console.log(
      table(
        ['history', 'ops', 'expected', 'ours', 'Porcupine', 'ours cold ms', 'ours steady ms', 'Porcupine ms', 'cold ratio', 'steady ratio', 'ours peak MB'],
        rows,
      ),
    );
    if (cold.length > 0) {
      summary.push([
        set.name,
        String(cold.length),
        geometricMean(cold).toFixed(2),
        atMostOne(cold),
        geometricMean(steady).toFixed(2),
        atMostOne(steady),
        Math.max(...cold).toFixed(2),
        Math.max(...steady).toFixed(2),
      ]);
    }
  }
  console.log('\n### Verdict time, ours / Porcupine CheckEvents (below 1.0: ours is faster)\n');
  console.log(table(['set', 'files', 'cold geomean', 'cold ≤ 1', 'steady geomean', 'steady ≤ 1', 'cold worst', 'steady worst'], summary));

  console.log('\n### The whole command, start-up to exit (wall ms: median of 5 fresh processes; peak RSS: the largest)\n');
  console.log(table(['history', 'ours wall ms', 'ours peak MB', 'ours says', 'Porcupine wall ms', 'Porcupine peak MB'], wholeCommands(bin, sets, dir)));
  console.log(disagreements > 0 ? `\n${disagreements} DISAGREEMENT(S)` : '\nevery verdict is the expected one and Porcupine agrees');
  if (disagreements > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Where `go mod download` put the Porcupine module bench/linearizability/porcupine pins. */
function porcupineModule(): string {
  const version = /github\.com\/anishathalye\/porcupine (v\S+)/.exec(readFileSync(join(porcupineDir, 'go.mod'), 'utf8'))?.[1];
  if (!version) throw new Error('bench/linearizability/porcupine/go.mod does not require github.com/anishathalye/porcupine');
  const r = spawnSync('go', ['mod', 'download', '-json', `github.com/anishathalye/porcupine@${version}`], { cwd: porcupineDir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`go mod download failed: ${r.stderr || r.stdout}`);
  return (JSON.parse(r.stdout) as { Dir: string }).Dir;
}

/** Porcupine's kv and etcd test histories, in the temp dir as each side reads them, with the verdicts its tests expect. */
function porcupineSets(module: string, into: string): HistorySet[] {
  const tests = readFileSync(join(module, 'porcupine_test.go'), 'utf8');
  const expectKv = new Map([...tests.matchAll(/checkKv\(t, "([\w-]+)", (true|false), true\)/g)].map((m) => [m[1], m[2] === 'true']));
  const expectEtcd = new Map([...tests.matchAll(/checkJepsen\(t, (\d+), (true|false)\)/g)].map((m) => [Number(m[1]), m[2] === 'true']));
  mkdirSync(join(into, 'kv'));
  mkdirSync(join(into, 'etcd'));
  const kv: Case[] = readdirSync(join(module, 'test_data', 'kv'))
    .filter((f) => expectKv.has(basename(f, '.txt')))
    .sort()
    .map((f) => {
      const name = basename(f, '.txt');
      const ours = join(into, 'kv', `${name}.edn`);
      copyFileSync(join(module, 'test_data', 'kv', f), ours);
      return { name, ours, porcupine: writeJsonl(join(into, 'kv', `${name}.jsonl`), readHistory(ours)), expected: expectKv.get(name)! };
    });
  const etcd: Case[] = readdirSync(join(module, 'test_data', 'jepsen'))
    .sort()
    .flatMap((f) => {
      const expected = expectEtcd.get(Number(/(\d+)/.exec(f)?.[1]));
      // Porcupine's tests leave out one log (etcd_095, which is empty).
      if (expected === undefined) return [];
      const path = join(module, 'test_data', 'jepsen', f);
      const file = writeJsonl(join(into, 'etcd', `${basename(f, '.log')}.jsonl`), parseJepsenLog(readFileSync(path, 'utf8'), path));
      return [{ name: basename(f, '.log'), ours: file, porcupine: file, expected }];
    });
  return [
    { name: 'Porcupine kv', model: 'kv', init: '""', porcupineModel: 'kv-append', cases: kv },
    { name: 'Porcupine etcd', model: 'cas-register', porcupineModel: 'cas-register', cases: etcd },
  ];
}

/** Knossos' cas-register, mutex and multi-register histories, good and bad, with its nil reads of a register made fails. */
function knossosSets(from: string, into: string): HistorySet[] {
  const data = existsSync(join(from, 'data', 'cas-register')) ? join(from, 'data') : from;
  if (!existsSync(join(data, 'cas-register'))) throw new Error(`--knossos ${from}: no cas-register folder in it or in its data folder`);
  const sets: HistorySet[] = [];
  let nilReads = 0;
  for (const [model, init] of [
    ['cas-register', '0'],
    ['mutex', undefined],
    ['multi-register', '{"x":0,"y":0}'],
  ] as const) {
    const cases: Case[] = [];
    mkdirSync(join(into, `knossos-${model}`));
    for (const verdict of ['good', 'bad']) {
      const folder = join(data, model, verdict);
      if (!existsSync(folder)) continue;
      for (const f of readdirSync(folder)
        .filter((f) => f.endsWith('.edn'))
        .sort()) {
        const path = join(folder, f);
        let ops: Op[];
        try {
          ops = parseEdn(readFileSync(path, 'utf8'), path);
        } catch (err) {
          console.error(`skipped ${path}: ${(err as Error).message.split('\n')[0]}`);
          continue;
        }
        // Knossos: an ok read of nil says nothing of the value. A fail says nothing either.
        const unknown = ops.map((op) => (op.type === 'ok' && op.f === 'read' && op.value === null ? (nilReads++, { ...op, type: 'fail' as const }) : op));
        if (!unknown.some((op) => op.process !== 'nemesis')) continue;
        const file = writeJsonl(join(into, `knossos-${model}`, `${verdict}-${basename(f, '.edn')}.jsonl`), unknown);
        cases.push({
          name: `${verdict}/${basename(f, '.edn')}`,
          ours: file,
          porcupine: model === 'cas-register' ? file : undefined,
          expected: verdict === 'good',
        });
      }
    }
    sets.push({ name: `Knossos ${model}`, model, init, porcupineModel: model === 'cas-register' ? 'cas-register' : undefined, cases });
  }
  console.log(`Knossos: ${nilReads} ok reads of nil turned into fails (Knossos' "unknown read"; its multi-register model reads nil so itself)`);
  return sets;
}

function writeJsonl(path: string, ops: readonly Op[]): string {
  writeFileSync(path, ops.map((op) => JSON.stringify(op)).join('\n') + (ops.length > 0 ? '\n' : ''));
  return path;
}

/** One set: Porcupine in one process, ours steady in one process, ours cold in fresh ones; a row a history, and its ratios. */
function measureSet(bin: string, set: HistorySet): { rows: string[][]; cold: number[]; steady: number[]; wrong: number } {
  const init = set.init === undefined ? [] : ['--init', set.init];
  const theirs = set.porcupineModel
    ? new Map(
        checkPorcupine(
          bin,
          set.cases.map((c) => c.porcupine!),
          set.porcupineModel,
          // kv-append starts every key at "" by itself.
          { runs: PORCUPINE_RUNS, timeoutMs: TIMEOUT_MS, api: 'events', init: set.porcupineModel === 'kv-append' ? undefined : set.init },
        ).results.map((r) => [r.file, r]),
      )
    : undefined;
  const steadyRun = checkOurs(Array.from({ length: STEADY_RUNS }, () => set.cases.map((c) => c.ours)).flat(), set.model, [
    ...init,
    '--timeout',
    String(TIMEOUT_MS / 1000),
  ]);
  const rows: string[][] = [];
  const cold: number[] = [];
  const steady: number[] = [];
  let wrong = 0;
  set.cases.forEach((c, i) => {
    const colds = Array.from({ length: COLD_RUNS }, () => checkOurs([c.ours], set.model, [...init, '--timeout', String(TIMEOUT_MS / 1000)]));
    const ours = colds[0].results[0];
    const steadyMs = median(
      steadyRun.results
        .filter((_, k) => k % set.cases.length === i)
        .slice(1)
        .map((r) => r.ms),
    );
    const coldMs = median(colds.map((r) => r.results[0].ms));
    const their = theirs?.get(c.porcupine!);
    const ops = readHistory(c.ours).filter((op) => op.type === 'invoke' && op.process !== 'nemesis').length;
    if (ours.valid !== c.expected || (their && their.valid !== ours.valid)) {
      wrong++;
      console.error(`!!! ${set.name} ${c.name}: expected ${c.expected}, ours ${ours.valid}, Porcupine ${their?.valid ?? 'n/a'}`);
    }
    const row = [
      c.name,
      String(ops),
      String(c.expected),
      String(ours.valid),
      their ? String(their.valid) : 'n/a',
      coldMs.toFixed(3),
      steadyMs.toFixed(3),
      their ? their.ms.toFixed(3) : 'n/a',
      'n/a',
      'n/a',
      Math.max(...colds.map((r) => (r.peakKb ?? 0) / 1024)).toFixed(0),
    ];
    // No ratio against an unknown. Times below 0.001 ms (both sides' resolution) count as 0.001 ms.
    if (their && their.valid !== 'unknown' && ours.valid !== 'unknown') {
      const at = (x: number) => Math.max(x, 0.001);
      cold.push(at(coldMs) / at(their.ms));
      steady.push(at(steadyMs) / at(their.ms));
      row[8] = (at(coldMs) / at(their.ms)).toFixed(2);
      row[9] = (at(steadyMs) / at(their.ms)).toFixed(2);
    }
    rows.push(row);
  });
  return { rows, cold, steady, wrong };
}

/** The whole command, ours and Porcupine's program, on the two 50-client kv histories and a 10-op file. */
function wholeCommands(bin: string, sets: HistorySet[], into: string): string[][] {
  const kv = sets.find((s) => s.name === 'Porcupine kv')!;
  const small = writeJsonl(join(into, 'register-10-ops.jsonl'), generateHistory({ model: 'register', processes: 3, ops: 10, seed: 1, store: 'linearizable' }));
  const cases = [
    ...['c50-bad', 'c50-ok'].map((name) => ({
      name,
      c: kv.cases.find((c) => c.name === name)!,
      model: 'kv',
      init: ['--init', '""'],
      porcupineModel: 'kv-append',
    })),
    { name: 'register, 10 ops', c: { name: '10 ops', ours: small, porcupine: small, expected: true }, model: 'register', init: [], porcupineModel: 'register' },
  ];
  return cases.map(({ name, c, model, init, porcupineModel }) => {
    const ours = Array.from({ length: WHOLE_RUNS }, () => run(patternbench, ['check', c.ours, '--model', model, ...init, '--json'], [0, 1, 2]));
    const theirs = Array.from({ length: WHOLE_RUNS }, () => run(bin, ['-model', porcupineModel, '-runs', '1', '-api', 'events', c.porcupine!], [0]));
    const said = ours[0].lines[0] as { valid: unknown; counterexample?: unknown[]; partial?: { covers: unknown[]; unsearched: unknown[] } };
    const what =
      said.valid === false
        ? `false, counterexample of ${said.counterexample?.length} keys${said.partial ? ` (partial: ${said.partial.unsearched.length} not searched to the end)` : ''}`
        : String(said.valid);
    return [
      name,
      median(ours.map((r) => r.wallMs)).toFixed(0),
      Math.max(...ours.map((r) => (r.peakKb ?? 0) / 1024)).toFixed(0),
      what,
      median(theirs.map((r) => r.wallMs)).toFixed(0),
      Math.max(...theirs.map((r) => (r.peakKb ?? 0) / 1024)).toFixed(0),
    ];
  });
}
