import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const corpus = fileURLToPath(new URL('../../shared/corpus/', import.meta.url));

/** parseEdn as it is, and with the plain-op reader turned off: every op through edn-data. */
const fast = await import('./edn.ts');
const turnedOff = vi.fn(() => undefined);
vi.doMock('./edn-simple.ts', () => ({ simpleOp: turnedOff }));
vi.resetModules();
const slow = await import('./edn.ts');

const outcome = (parse: typeof fast.parseEdn, text: string) => {
  try {
    return parse(text, 'h.edn');
  } catch (err) {
    return (err as Error).message;
  }
};

describe('the plain-op EDN reader', () => {
  it('reads every history of the corpus and the fixtures as edn-data does, errors included', () => {
    const files = [
      ...readdirSync(corpus).flatMap((f) => (f.endsWith('.edn') ? [corpus + f] : [])),
      ...readdirSync(fixtures).flatMap((f) => (f.endsWith('.edn') ? [fixtures + f] : [])),
    ];
    expect(files.length).toBeGreaterThan(60);
    expect(slow.parseEdn).not.toBe(fast.parseEdn);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(outcome(fast.parseEdn, text), file).toEqual(outcome(slow.parseEdn, text));
    }
    expect(turnedOff).toHaveBeenCalled();
  });

  it('gives what edn-data gives for every kind of value, and leaves it the rest', () => {
    const values = [
      'nil',
      'true',
      'false',
      '0',
      '-7',
      '123456789012345',
      '1234567890123456789',
      '-0',
      '+5',
      '1.5',
      '12N',
      '"a b"',
      '"a\\nb"',
      '"tab\\t\\u0041"',
      ':ok',
      ':timed-out',
      ':a/b',
      '[1 2]',
      '(1 :x "y")',
      '[[1 2] [3 nil]]',
      '#{1 2}',
      '{:a 1}',
      '#inst "2020-01-01"',
      'sym',
      '\\a',
    ];
    for (const v of values) {
      const text = `{:process 0, :type :invoke, :f :write, :value ${v}}\n{:process 0 :type :ok :f :write :value ${v} :node "n1"}`;
      expect(outcome(fast.parseEdn, text), v).toEqual(outcome(slow.parseEdn, text));
    }
    const stringKey = '{"process" 0, :type :invoke, :f :read, :value nil}';
    expect(outcome(fast.parseEdn, stringKey)).toEqual(outcome(slow.parseEdn, stringKey));
  });
});
