import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../runtime/local/tools.ts';
import { patternbenchBin } from './run-cli.ts';

const tracer = pathToFileURL(join(repoRoot, 'cli', 'fixtures', 'trace-spawns.mjs')).href;
const dir = mkdtempSync(join(tmpdir(), 'pb-bad-suites-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `command args` with the spawn tracer preloaded; resolves with the exit code, the output, and every process it started. */
async function traced(command: string, args: string[]): Promise<{ code: number; out: string; spawned: string[] }> {
  const env = { ...process.env, NODE_OPTIONS: `--import ${tracer}` };
  const { code, stdout, stderr } = await promisify(execFile)(command, args, { cwd: repoRoot, env }).then(
    (r) => ({ code: 0, ...r }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
  const spawned = stderr.split('\n').filter((l) => l.startsWith('spawned: '));
  return { code, out: stdout + stderr, spawned };
}

describe('a bad suite is refused before anything starts', () => {
  it('the tracer sees a process being started (so that seeing none means something)', async () => {
    const script = "const cp = require('node:child_process'); cp.execFileSync('true'); cp.execFile('false', () => {});";
    const { spawned } = await traced(process.execPath, ['-e', script]);
    expect(spawned).toEqual(['spawned: true', 'spawned: false']);
  });

  const suites: Array<[string, string, RegExp]> = [
    [
      'unknown-link',
      'faults: [{ fault: down, on: target-to-redys, at: 1s, for: 1s }]',
      /field "faults\.0\.on": case "cache-aside" has no link "target-to-redys"/,
    ],
    ['unknown-component', 'faults: [{ fault: kill, on: redis-9, at: 1s, for: 1s }]', /field "faults\.0\.on": case "cache-aside" has no component "redis-9"/],
    [
      'past-the-load',
      'workload: { duration: 5s }\nfaults: [{ fault: latency, on: target-to-redis, at: 6s, for: 1s, latency: 100 }]',
      /field "faults\.0\.at": latency on target-to-redis would start at 6000 ms, when the load \(5000 ms\) is over/,
    ],
    ['remote-script', "workload: { script: 'https://10.0.0.1/x.js' }", /field "workload\.script": "https:\/\/10\.0\.0\.1\/x\.js" is not a local file/],
  ];
  for (const [name, extra, error] of suites) {
    it(`${name}: exit 3, the file and field named, no process started, no run folder`, async () => {
      const suite = join(dir, `${name}.yaml`);
      writeFileSync(suite, `name: ${name}\ncases: [{ target: cache-aside }]\n${extra}\n`);
      const out = join(dir, `${name}-run`);
      const result = await traced(patternbenchBin, ['run', suite, '--out', out]);
      expect(result.code, result.out).toBe(3);
      expect(result.out).toContain(`${suite}: `);
      expect(result.out).toMatch(error);
      expect(result.spawned).toEqual([]);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('a name that would put the run folder elsewhere: exit 3, no process started', async () => {
    const suite = join(dir, 'escape.yaml');
    writeFileSync(suite, 'name: ../../escape\ncases: [{ target: cache-aside, name: ../up }]\n');
    const result = await traced(patternbenchBin, ['run', suite]);
    expect(result.code, result.out).toBe(3);
    expect(result.out).toMatch(/field "name": a plain name/);
    expect(result.out).toMatch(/field "cases\.0\.name": a plain name/);
    expect(result.spawned).toEqual([]);
  });
});
