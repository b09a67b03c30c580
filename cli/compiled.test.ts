import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCli, bundlePath, isFresh, STAMP } from '../scripts/build-cli.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the compiled command is never stale', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compiled-'));
  dirs.push(dir);
  const input = join(dir, 'source.ts');
  const bundle = join(dir, 'main.mjs');
  const stamped = (fields: object) => writeFileSync(bundle, `${STAMP}${JSON.stringify(fields)}\nexport {};\n`);
  writeFileSync(input, '');
  const builtAtMs = Date.now();

  it('is fresh when every input is older than the build, in the place it was built', () => {
    utimesSync(input, new Date(builtAtMs - 10_000), new Date(builtAtMs - 10_000));
    stamped({ root: dir, builtAtMs, inputs: [input] });
    expect(isFresh(bundle, dir)).toBe(true);
  });

  it('is stale when an input is newer, missing, or the repository has moved, or the stamp is gone', () => {
    utimesSync(input, new Date(builtAtMs + 10_000), new Date(builtAtMs + 10_000));
    stamped({ root: dir, builtAtMs, inputs: [input] });
    expect(isFresh(bundle, dir)).toBe(false);
    stamped({ root: dir, builtAtMs, inputs: [join(dir, 'gone.ts')] });
    expect(isFresh(bundle, dir)).toBe(false);
    utimesSync(input, new Date(builtAtMs - 10_000), new Date(builtAtMs - 10_000));
    stamped({ root: dir, builtAtMs, inputs: [input] });
    expect(isFresh(bundle, join(dir, 'elsewhere'))).toBe(false);
    writeFileSync(bundle, 'export {};\n');
    expect(isFresh(bundle, dir)).toBe(false);
    expect(isFresh(join(dir, 'no-bundle.mjs'), dir)).toBe(false);
  });

  it('lists what it was built from: the check command, the checker, the models, the history readers', async () => {
    await buildCli();
    const { inputs } = JSON.parse(readFileSync(bundlePath, 'utf8').split('\n')[0].slice(STAMP.length)) as { inputs: string[] };
    for (const file of ['cli/main.ts', 'cli/commands/check.ts', 'checkers/linearizability/index.ts', 'checkers/models/kv.ts', 'history/edn.ts']) {
      expect(inputs).toContain(join(root, file));
    }
    expect(isFresh()).toBe(true);
  }, 30_000);
});

describe('bin/patternbench check, compiled', () => {
  it('says what the sources say through tsx, verdicts, counterexamples and exit codes alike', async () => {
    const fixture = (name: string) => join(root, 'history', 'fixtures', name);
    const args = ['check', fixture('register-ok.jsonl'), fixture('register-bad.jsonl'), '--model', 'cas-register', '--init', '0', '--json'];
    const run = async (argv: string[]) => {
      try {
        const { stdout } = await promisify(execFile)(process.execPath, argv, { cwd: root });
        return { code: 0, stdout };
      } catch (err) {
        const e = err as { code: number; stdout: string };
        return { code: e.code, stdout: e.stdout };
      }
    };
    const timeless = (out: string) => out.replace(/"(verdictMs|elapsedMs)":[\d.]+/g, '"$1":0');
    const compiled = await run([join(root, 'cli', 'compiled.mjs'), ...args]);
    const sources = await run(['--import', join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs'), join(root, 'cli', 'main.ts'), ...args]);
    expect(compiled.code).toBe(1);
    expect(timeless(compiled.stdout)).toBe(timeless(sources.stdout));
  }, 30_000);
});
