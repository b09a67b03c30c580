import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseEdn, writeEdn } from './edn.ts';
import { HistoryError } from './parse.ts';
import { readHistory } from './index.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const corpus = fileURLToPath(new URL('../../shared/corpus/', import.meta.url));

describe('parseEdn', () => {
  it('reads the one-op-map-a-line form, keywords as strings, extra keys kept', () => {
    const ops = readHistory(fixture('lines.edn'));
    expect(ops).toHaveLength(5);
    expect(ops[1]).toEqual({ index: 1, time: 20, process: 'nemesis', type: 'info', f: 'start', value: null });
    expect(ops[3]).toEqual({ index: 3, time: 40, process: 1, type: 'invoke', f: 'cas', value: [3, 4], node: 'n1' });
    expect(ops[4].error).toBe('precondition');
  });

  it('reads the single-vector form, numbering ops by position and holding time at 0', () => {
    const ops = readHistory(fixture('vector.edn'));
    expect(ops.map((o) => [o.index, o.time, o.process, o.type, o.f, o.value])).toEqual([
      [0, 0, 0, 'invoke', 'write', 3],
      [1, 0, 1, 'invoke', 'read', null],
      [2, 0, 0, 'ok', 'write', 3],
      [3, 0, 1, 'ok', 'read', 3],
    ]);
  });

  it('reports the line where the offending op map starts in the vector form', () => {
    expect(() => readHistory(fixture('vector-no-invoke.edn'))).toThrow(
      `${fixture('vector-no-invoke.edn')}:3: completion "ok" for process 1 has no open invoke`,
    );
  });

  it.each([
    ['unclosed.edn', 2, 'malformed EDN: map opened here is never closed'],
    ['dangling-key.edn', 2, 'malformed EDN: map has a key without a value'],
  ])('%s stops at line %i', (name, line, detail) => {
    const err = (() => {
      try {
        readHistory(fixture(name));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(HistoryError);
    expect(err).toMatchObject({ line, detail });
  });

  it('rejects mismatched delimiters, stray closers and non-map ops with their line', () => {
    expect(() => parseEdn('[{:process 0 :type :invoke :f :read}\n {:a 1]]', 'h.edn')).toThrow(
      /^h\.edn:2: malformed EDN: "\]" closes the map opened at line 2; expected "}"$/,
    );
    expect(() => parseEdn('{:process 0 :type :invoke :f :read}\n}', 'h.edn')).toThrow(/^h\.edn:2: malformed EDN: unexpected "}"/);
    expect(() => parseEdn('[{:process 0 :type :invoke :f :read}\n 42]', 'h.edn')).toThrow(/^h\.edn:2: expected an op map/);
    expect(() => parseEdn('{:process 0 :type :invoke :f :read :value "a}', 'h.edn')).toThrow(/^h\.edn:1: malformed EDN: string opened here is never closed$/);
  });

  it('handles strings with brackets, comments, chars and discards', () => {
    const ops = parseEdn('; a comment with ] in it\n{:process 0 :type :invoke :f :put :key "a]" :value \\x #_ {:ignored 1}}\n', 'h.edn');
    expect(ops[0]).toEqual({ index: 0, time: 0, process: 0, type: 'invoke', f: 'put', key: 'a]', value: 'x' });
    expect(() => parseEdn('{:process 0 :type :invoke :f :put :value \\]}', 'h.edn')).toThrow(/^h\.edn:1: malformed EDN: char literal "\\\]" is not supported/);
  });

  it("reads Jepsen 0.3's op records and list-append micro-ops as nested arrays", () => {
    const ops = parseEdn(
      [
        '#jepsen.history.Op{:index 0, :time 5, :type :invoke, :process 0, :f :txn, :value [[:append :x 1] [:r 9 nil]]}',
        '#jepsen.history.Op{:index 1, :time 9, :type :ok, :process 0, :f :txn, :value [[:append :x 1] [:r 9 [1 2]]]}',
      ].join('\n'),
      'h.edn',
    );
    expect(ops.map((o) => o.value)).toEqual([
      [
        ['append', 'x', 1],
        ['r', 9, null],
      ],
      [
        ['append', 'x', 1],
        ['r', 9, [1, 2]],
      ],
    ]);
    expect(() => parseEdn('#jepsen.history.Op 42', 'h.edn')).toThrow(/^h\.edn:1: expected an op map/);
  });

  it('decodes plain op maps itself exactly as edn-data does', () => {
    // A discard inside each op map sends it down edn-data's path; the values must not change.
    const throughEdnData = (text: string) => text.replace(/}(\]?)$/gm, ' #_ 0}$1');
    const texts = readdirSync(corpus)
      .filter((f) => f.endsWith('.edn'))
      .map((f) => readFileSync(corpus + f, 'utf8'));
    texts.push(
      [
        '{:index 0, :time 1.5, :process 0, :type :invoke, :f :txn, :value [[:append :x 1] [:r "y z" nil]], :ns/k :a.b/c-d, :s "q\\"\\n\\\\"}',
        '{:index 1, :time 2, :process 0, :type :ok, :f :txn, :value ([:append :x 1] [:r "y z" [1 -2 3.25e2 +4 0 999999999999999]]), :m {"k v" true, :n false}}',
        '{:index 2, :time 3, :process 1, :type :invoke, :f :txn, :value [[:r :x [-0 007 12N 1e3]]]}',
      ].join('\n'),
    );
    expect(texts.length).toBeGreaterThan(30);
    for (const text of texts) expect(parseEdn(text, 'fast.edn')).toEqual(parseEdn(throughEdnData(text), 'slow.edn'));
  });

  it('parses all the corpus histories', () => {
    const files = readdirSync(corpus).filter((f) => f.endsWith('.edn'));
    expect(files).toHaveLength(60);
    for (const f of files) expect(readHistory(corpus + f).length).toBeGreaterThan(0);
  });
});

describe('writeEdn', () => {
  it('round-trips a JSONL history through EDN', () => {
    const ops = readHistory(fixture('ok.jsonl'));
    const edn = writeEdn(ops);
    expect(edn.split('\n')[2]).toBe('{:index 2, :time 2500, :process :nemesis, :type :info, :f :start-partition, :value "replica->primary"}');
    expect(parseEdn(edn, 'rt.edn')).toEqual(ops);
  });

  it('round-trips names EDN cannot spell as keywords and nested values', () => {
    const ops = parseEdn(
      writeEdn([{ index: 0, time: 5, process: 0, type: 'invoke', f: 'write all', key: 'k', value: { 'a b': [1, null, 'x'], c: true }, '2nd': 1.5 }]),
      'rt.edn',
    );
    expect(ops[0]).toEqual({ index: 0, time: 5, process: 0, type: 'invoke', f: 'write all', key: 'k', value: { 'a b': [1, null, 'x'], c: true }, '2nd': 1.5 });
  });
});
