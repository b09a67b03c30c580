import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSuite, parseSuite, SuiteError } from './suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'pb-suite-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('suite files', () => {
  it('loads the quickstart suite with defaults filled in', () => {
    const suite = loadSuite('suites/quickstart.yaml');
    expect(suite.cases.map((c) => c.target)).toEqual(['cache-aside']);
    expect(suite.faults[0]).toMatchObject({ fault: 'latency', on: 'target-to-redis', latency: 100 });
    expect(suite.runtime).toBe('local');
  });

  it('names the file and the bad field with what was expected', () => {
    const path = file('bad-rate.yaml', 'name: x\ncases: [{ target: cache-aside }]\nworkload: { rate: fast }\n');
    expect(() => loadSuite(path)).toThrow(SuiteError);
    expect(() => loadSuite(path)).toThrow(new RegExp(`${path}: field "workload.rate": .*number`));
  });

  it('rejects an unknown field rather than ignoring it', () => {
    expect(() => parseSuite({ name: 'x', cases: [{ target: 'a', option: {} }] }, 's.json')).toThrow(/s\.json: field "cases\.0": .*option/);
  });

  it('takes only plain names for the suite and its cases: they name folders', () => {
    expect(() => parseSuite({ name: '../../etc', cases: [{ target: 'a' }] }, 's.yaml')).toThrow(/field "name": a plain name/);
    expect(() => parseSuite({ name: 'x', cases: [{ target: 'a', name: '../up' }] }, 's.yaml')).toThrow(/field "cases\.0\.name": a plain name/);
  });

  it('rejects a bad duration naming the field', () => {
    expect(() => parseSuite({ name: 'x', cases: [{ target: 'a' }], faults: [{ fault: 'latency', on: 'l', at: 'soon', for: '1s' }] }, 's.yaml')).toThrow(
      /field "faults\.0\.at"/,
    );
  });

  it('rejects two cases that would share a folder', () => {
    expect(() => parseSuite({ name: 'x', cases: [{ target: 'a' }, { target: 'a' }] }, 's.yaml')).toThrow(/field "cases": two cases share a name/);
    expect(() => parseSuite({ name: 'x', cases: [{ target: 'a' }, { target: 'a', name: 'a-again' }] }, 's.yaml')).not.toThrow();
  });

  it('reports unparsable YAML and JSON with the file', () => {
    expect(() => loadSuite(file('broken.yaml', 'name: [unclosed\n'))).toThrow(/broken\.yaml: not valid YAML/);
    expect(() => loadSuite(file('broken.json', '{"name": '))).toThrow(/broken\.json: not valid JSON/);
    expect(() => loadSuite(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: cannot read/);
  });
});
