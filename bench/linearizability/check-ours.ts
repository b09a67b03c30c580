/**
 * Checks history files with our linearizability checker, as the Go program
 * does with Porcupine, so run.ts can time and measure each side in its own
 * process: `tsx check-ours.ts <model> <runs> <timeoutMs> <file>...` prints one
 * JSON line a file, `{file, valid, coldMs, steadyMs, ops}`: `coldMs` is the
 * file's first check (in a fresh process when it is the first file, so it
 * pays V8's start-up: code not yet compiled or optimised), `steadyMs` the
 * median of the later runs (null with one run), reading excluded. Throws
 * (exits non-zero) on an unreadable or invalid file.
 */
import { readHistory } from '../../history/index.ts';
import { checkLinearizable } from '../../checkers/linearizability/index.ts';

const [model, runsArg, timeoutArg, ...files] = process.argv.slice(2);
const runs = Number(runsArg);
for (const file of files) {
  // Read as `patternbench check` reads a file: ops built by the history
  // reader, not raw JSON.parse objects. The difference is not cosmetic: V8
  // gives JSON.parse's early objects maps it later deprecates (a field seen
  // as a small integer, then as a double), and whatever touches them first
  // pays to migrate each one; the reader does, a bare parse left it to the
  // timed check (prepare's first run went from ~5 to ~11 ms on a 5000-op kv
  // history).
  const history = readHistory(file);
  const timesMs: number[] = [];
  let verdict: ReturnType<typeof checkLinearizable> | undefined;
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    verdict = checkLinearizable(history, { model, timeoutMs: Number(timeoutArg) });
    timesMs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const later = timesMs.slice(1).sort((a, b) => a - b);
  const steadyMs = later.length === 0 ? null : later.length % 2 === 1 ? later[later.length >> 1] : (later[later.length / 2 - 1] + later[later.length / 2]) / 2;
  console.log(JSON.stringify({ file, valid: verdict!.valid, coldMs: timesMs[0], steadyMs, ops: verdict!.ops }));
}
