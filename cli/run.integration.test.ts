import { describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../runtime/local/tools.ts';
import { isPortFree } from '../runtime/local/free-port.ts';

const bin = join(repoRoot, 'bin', 'patternbench');
const readLines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

function runCli(args: string[]) {
  const child = spawn(bin, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal, output }));
  return { child, exited, output: () => output };
}

/**
 * Processes still running among a case's components (pids from its
 * environment.json), their process groups and their children. A zombie
 * (`<defunct>`, state Z) is dead, waiting for PID 1 to reap it, and is not
 * counted: CI once saw tsx's esbuild so, seconds after a finished run.
 */
function survivors(caseDir: string): string[] {
  const env = JSON.parse(readFileSync(join(caseDir, 'environment.json'), 'utf8')) as { components: { pid?: number }[] };
  const pids = env.components.map((c) => c.pid).filter((p): p is number => typeof p === 'number');
  expect(pids.length).toBeGreaterThan(0);
  const table = execFileSync('ps', ['-eo', 'pid=,pgid=,ppid=,stat=,args=']).toString().trim().split('\n');
  return table.filter((row) => {
    const [pid, pgid, ppid, stat] = row.trim().split(/\s+/);
    return !stat.startsWith('Z') && [pid, pgid, ppid].map(Number).some((p) => pids.includes(p));
  });
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('patternbench run (real Redis, PostgreSQL, Toxiproxy, k6)', () => {
  it('runs the quickstart suite into a complete run folder, the latency fault visible in what clients saw', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pb-run-')), 'run');
    const { exited } = runCli(['run', 'suites/quickstart.yaml', '--duration', '14s', '--out', out]);
    const { code, output } = await exited;
    expect(code, output).toBe(0);

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.status).toBe('completed');
    const caseDir = join(out, 'cache-aside');
    for (const f of ['history.jsonl', 'metrics.jsonl', 'k6-summary.json', 'k6-dashboard.html', 'logs/k6.log', 'environment.json']) {
      expect(existsSync(join(caseDir, f)), f).toBe(true);
    }
    expect(existsSync(join(out, 'suite.json'))).toBe(true);

    const history = readLines(join(caseDir, 'history.jsonl'));
    const start = history.find((op) => op.f === 'start-latency');
    const stop = history.find((op) => op.f === 'stop-latency');
    expect(start?.process).toBe('nemesis');
    expect(stop?.index).toBeGreaterThan(start!.index);
    // Hits completed while the toxic was on took at least its 100 ms; hits before it did not.
    const hitsDuring = history.filter((op) => op.type === 'ok' && op.cache === 'hit' && op.index > start!.index + 20 && op.index < stop!.index);
    const hitsBefore = history.filter((op) => op.type === 'ok' && op.cache === 'hit' && op.index < start!.index);
    expect(hitsDuring.length).toBeGreaterThan(5);
    expect(hitsBefore.length).toBeGreaterThan(5);
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    expect(median(hitsDuring.map((op) => op.latencyMs))).toBeGreaterThanOrEqual(100);
    expect(median(hitsBefore.map((op) => op.latencyMs))).toBeLessThan(100);

    // Fault events are written in real-time order among client ops: an op
    // written after an event whose own clock said earlier (the writer raised
    // it, keeping its reading as clockTime) is off by a hair only — k6's
    // clock has whole milliseconds, the nemesis's nanoseconds. Events that
    // landed before ops they followed (the bug this guards) were 10-90 ms off.
    for (const event of [start!, stop!]) {
      const raised = history.filter((op) => op.index > event.index && op.process !== 'nemesis' && typeof op.clockTime === 'number');
      for (const op of raised) expect(event.time - (op.clockTime as number), `op ${op.index}`).toBeLessThan(5_000_000);
    }
    expect(results.cases[0].checks.valid).toBe(true);
    expect(results.cases[0].history.ok).toBeGreaterThan(100);
    expect(readLines(join(caseDir, 'metrics.jsonl')).length).toBeGreaterThanOrEqual(8);
    expect(survivors(caseDir)).toEqual([]);
  }, 180_000);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`on ${signal} midway stops every process, frees every port, reverts faults and leaves a readable run folder`, async () => {
      const out = join(mkdtempSync(join(tmpdir(), 'pb-int-')), 'run');
      const { child, exited } = runCli(['run', 'suites/quickstart.yaml', '--duration', '60s', '--out', out]);
      const caseDir = join(out, 'cache-aside');
      const historyPath = join(caseDir, 'history.jsonl');
      // Wait until the fault is on and clients are recording: the worst moment to be interrupted.
      await waitFor(() => existsSync(historyPath) && readFileSync(historyPath, 'utf8').includes('start-latency'), 90_000);
      const env = JSON.parse(readFileSync(join(caseDir, 'environment.json'), 'utf8')) as {
        components: { port: number }[];
        links: { listen: { port: number } }[];
      };
      child.kill(signal);
      const { code } = await exited;
      expect(code).toBe(signal === 'SIGINT' ? 130 : 143);

      expect(survivors(caseDir)).toEqual([]);
      const ports = [...env.components.map((c) => c.port), ...env.links.map((l) => l.listen.port)];
      for (const port of ports) expect(await isPortFree(port), `port ${port}`).toBe(true);

      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      expect(results.cases[0].status).toBe('interrupted');
      const history = readLines(historyPath); // every line parses: nothing half-written
      expect(history.some((op) => op.f === 'stop-latency')).toBe(true);
    }, 180_000);
  }
});
