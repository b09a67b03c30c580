import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../runtime/local/tools.ts';
import { bundlePath, STAMP } from '../scripts/build-cli.mjs';
import { patternbenchBin } from './run-cli.ts';

const tracer = pathToFileURL(join(repoRoot, 'cli', 'fixtures', 'trace-imports.mjs')).href;

/** Every module URL `bin/patternbench args` loads, as the tracer saw them. */
async function loaded(args: string[]): Promise<string[]> {
  const run = promisify(execFile);
  const result = await run(patternbenchBin, args, { cwd: repoRoot, env: { ...process.env, NODE_OPTIONS: `--import ${tracer}` } }).catch(
    (err: { stdout: string; stderr: string }) => err,
  );
  const urls = result.stderr
    .split('\n')
    .filter((l) => l.startsWith('loaded: '))
    .map((l) => l.slice('loaded: '.length));
  // The compiled command is one file: what it holds are the sources its build stamp lists.
  const bundled = urls.some((u) => u === pathToFileURL(bundlePath).href) ? builtFrom() : [];
  return [...urls, ...bundled];
}

/** The sources the compiled command was built from, as file URLs (its first line lists them). */
function builtFrom(): string[] {
  const first = readFileSync(bundlePath, 'utf8').split('\n', 1)[0];
  const { inputs } = JSON.parse(first.slice(STAMP.length)) as { inputs: string[] };
  return inputs.map((f) => pathToFileURL(f).href);
}

describe('what the light commands load', () => {
  // The fault catalogue's light files (its names, its error class, durations) are allowed: the CLI names faults in its help.
  const heavy =
    /\/(runtime|targets|workloads)\/|\/faults\/(?!kinds\.ts|fault-input-error\.ts|duration\.ts)|\/node_modules\/(testcontainers|redis|@redis|pg|toxiproxy-node-client|zod|yaml)\//;

  for (const args of [['--help'], ['check', 'history/fixtures/register-ok.jsonl', '--model', 'register']]) {
    it(`patternbench ${args[0]} loads no runtime, family, fault catalogue or backend client`, async () => {
      const urls = await loaded(args);
      expect(urls.some((u) => u.includes('/cli/main.ts'))).toBe(true); // the command itself, loaded or bundled
      expect(urls.filter((u) => heavy.test(u))).toEqual([]);
    });
  }
});
