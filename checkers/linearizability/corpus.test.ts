import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEdn } from '../../history/edn.ts';
import { checkLinearizable } from './index.ts';

// The shared conformance corpus sits beside the repository (CI clones it there).
const corpus = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

const rows = readFileSync(`${corpus}verdicts.tsv`, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [file, model, init, valid] = line.split('\t');
    return { file, model, init: JSON.parse(init) as unknown, valid: valid === 'true' };
  });

describe('linearizability corpus (../shared/corpus)', () => {
  it('lists every history in verdicts.tsv', () => {
    const files = readdirSync(corpus)
      .filter((f) => f.endsWith('.edn'))
      .sort();
    expect(rows.map((r) => r.file).sort()).toEqual(files);
    expect(rows.length).toBe(60);
  });

  it.each(rows)('$file ($model) is linearizable: $valid', ({ file, model, init, valid }) => {
    const history = parseEdn(readFileSync(corpus + file, 'utf8'), file);
    const verdict = checkLinearizable(history, { model, init, timeoutMs: 20_000 });
    expect(verdict.valid).toBe(valid);
    if (!valid) expect(verdict.counterexample?.length).toBeGreaterThan(0);
  });
});
