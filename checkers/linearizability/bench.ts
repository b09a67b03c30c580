/**
 * Prints how long the checker takes on the shared corpus and on generated
 * cas-register histories. Run: `npx tsx checkers/linearizability/bench.ts`.
 * Measures; asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseEdn } from '../../history/edn.ts';
import { checkLinearizable } from './index.ts';
import { simulateCasRegister } from './simulate.ts';

const corpus = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const rows = readFileSync(`${corpus}verdicts.tsv`, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t'));
const histories = rows.map(([file, model, init]) => ({ ops: parseEdn(readFileSync(corpus + file, 'utf8'), file), model, init: JSON.parse(init) as unknown }));
let startMs = performance.now();
let wrong = 0;
histories.forEach((h, i) => {
  if (String(checkLinearizable(h.ops, { model: h.model, init: h.init }).valid) !== rows[i][3]) wrong++;
});
console.log(`corpus: ${histories.length} histories in ${(performance.now() - startMs).toFixed(1)} ms, ${wrong} wrong`);

for (const [ops, processes, infoRate] of [
  [10_000, 10, 0],
  [10_000, 10, 0.01],
  [100_000, 10, 0.001],
] as const) {
  const history = simulateCasRegister({ ops, processes, infoRate, seed: 7 });
  startMs = performance.now();
  const v = checkLinearizable(history, { model: 'cas-register', init: 0 });
  console.log(
    `cas-register ${ops} ops, ${processes} processes, info rate ${infoRate}: ${v.valid} in ${(performance.now() - startMs).toFixed(1)} ms (${v.ops} ops searched, ${v.states} states)`,
  );
  // The same history with its last ok read made impossible.
  const bad = history.map((op) => ({ ...op }));
  const last = bad.findLastIndex((op) => op.type === 'ok' && op.f === 'read');
  bad[last].value = 99;
  startMs = performance.now();
  const vb = checkLinearizable(bad, { model: 'cas-register', init: 0 });
  console.log(
    `  with its last read corrupted: ${vb.valid} in ${(performance.now() - startMs).toFixed(1)} ms, ${vb.states} states${vb.reason ? ` (${vb.reason})` : ''}`,
  );
}
