import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HistoryError, parseJsonl } from './parse.ts';
import { readHistory } from './index.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Reads a fixture expecting a HistoryError; returns it. */
function errorOf(name: string): HistoryError {
  try {
    readHistory(fixture(name));
  } catch (err) {
    if (err instanceof HistoryError) return err;
    throw err;
  }
  throw new Error(`${name} parsed without error`);
}

describe('parseJsonl', () => {
  it('reads ops with their extra fields, nemesis events, info and blank lines', () => {
    const ops = readHistory(fixture('ok.jsonl'));
    expect(ops).toHaveLength(10);
    expect(ops[2]).toMatchObject({ process: 'nemesis', type: 'info', f: 'start-partition' });
    expect(ops[4]).toEqual({ index: 4, time: 4000, process: 1, type: 'ok', f: 'read', value: 1, node: 'n2' });
    expect(ops[9]).toMatchObject({ index: 9, key: 'k1', type: 'fail' });
  });

  it('numbers ops without an index by position, keeps time monotonic and reads a missing value as null', () => {
    const ops = parseJsonl(
      '{"process":0,"type":"invoke","f":"read"}\n{"process":0,"type":"ok","f":"read","value":1,"time":50}\n{"process":1,"type":"invoke","f":"read"}\n',
      'h.jsonl',
    );
    expect(ops.map((o) => [o.index, o.time, o.value])).toEqual([
      [0, 0, null],
      [1, 50, 1],
      [2, 50, null],
    ]);
  });

  it.each([
    ['bad-json.jsonl', 2, /^malformed JSON .*expected one op object a line$/],
    ['bad-type.jsonl', 2, /^"type" must be one of invoke\|ok\|fail\|info, got "done"$/],
    ['bad-process.jsonl', 1, /^"process" must be a non-negative integer or "nemesis", got -1$/],
    ['missing-f.jsonl', 1, /^"f" must be a string, got nothing \(missing\)$/],
    ['no-invoke.jsonl', 3, /^completion "ok" for process 3 has no open invoke$/],
    ['double-invoke.jsonl', 2, /^process 2 invokes "read" while its invoke at line 1 is still open$/],
    ['invoke-after-info.jsonl', 3, /^process 4 invokes "read" after its op ended "info" at line 2; a process that ended info never invokes again$/],
    ['f-mismatch.jsonl', 2, /^completion "ok" for process 1 has f "read" but its invoke at line 1 has f "write"$/],
  ])('%s stops at line %i saying what was expected', (name, line, detail) => {
    const err = errorOf(name);
    expect(err.file).toBe(fixture(name));
    expect(err.line).toBe(line);
    expect(err.detail).toMatch(detail);
    expect(err.message).toBe(`${fixture(name)}:${line}: ${err.detail}`);
  });

  it('names the file it was given in the message', () => {
    const text = readFileSync(fixture('no-invoke.jsonl'), 'utf8');
    expect(() => parseJsonl(text, 'history.jsonl')).toThrow('history.jsonl:3: completion "ok" for process 3 has no open invoke');
  });

  it('rejects a non-object line and a non-increasing index', () => {
    expect(() => parseJsonl('[1,2]\n', 'h.jsonl')).toThrow(/^h\.jsonl:1: expected an op object/);
    expect(() =>
      parseJsonl('{"index":3,"process":"nemesis","type":"info","f":"x"}\n{"index":3,"process":"nemesis","type":"info","f":"y"}\n', 'h.jsonl'),
    ).toThrow(/^h\.jsonl:2: "index" must be an integer greater than the previous op's \(3\), got 3$/);
  });

  it('refuses a file of unknown format', () => {
    expect(() => readHistory('history.csv')).toThrow(/unknown history format ".csv"/);
  });
});
