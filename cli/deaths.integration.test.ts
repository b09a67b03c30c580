import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHistory } from '../history/index.ts';
import { processRunning } from '../runtime/local/supervisor.ts';
import { repoRoot } from '../runtime/local/tools.ts';
import { patternbenchBin } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'pb-deaths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves once `check()` holds, polling; throws after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const text = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
const pidOf = (caseDir: string, component: string) =>
  (JSON.parse(readFileSync(join(caseDir, 'environment.json'), 'utf8')) as { components: { name: string; pid?: number }[] }).components.find(
    (c) => c.name === component,
  )!.pid!;

describe('a component that dies mid-run ends its case cleanly (real Redis, PostgreSQL, Toxiproxy, k6)', () => {
  it('Redis and toxiproxy-server killed from outside: each case says so, its history is closed, results.json is final, the run folder is printed', async () => {
    const suite = join(dir, 'deaths.yaml');
    writeFileSync(
      suite,
      [
        'name: deaths',
        'workload: { rate: 30, duration: 40s, keys: 50 }',
        'cases: [{ target: cache-aside, name: redis-dies }, { target: cache-aside, name: toxiproxy-dies }]',
        'faults: [{ fault: latency, on: target-to-redis, at: 1s, for: 38s, latency: 20 }]',
        'checkers: [staleness, linearizable]',
      ].join('\n'),
    );
    const out = join(dir, 'run');
    const child = spawn(patternbenchBin, ['run', suite, '--out', out], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    child.stdout.on('data', (d) => (printed += d));
    child.stderr.on('data', (d) => (printed += d));
    const exited = once(child, 'exit');
    const killed: Record<string, number> = {};
    try {
      for (const [name, victim] of [
        ['redis-dies', 'redis'],
        ['toxiproxy-dies', 'toxiproxy'],
      ]) {
        const history = join(out, name, 'history.jsonl');
        // While the fault is on and clients have been recording: the worst moment for a death.
        await until(() => text(history).includes('start-latency') && (text(history).match(/"type":"ok"/g)?.length ?? 0) > 20, 90_000, `${name} to load`);
        killed[name] = pidOf(join(out, name), victim);
        process.kill(killed[name], 'SIGKILL');
      }
      const [code] = await exited;
      expect(code, printed).toBe(1);
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM');
    }

    expect(printed).toMatch(/case 1\/2 redis-dies: error — redis died unasked \(killed by SIGKILL\); see redis-dies\/logs\/redis\.log/);
    expect(printed).toMatch(/case 2\/2 toxiproxy-dies: error — toxiproxy died unasked \(killed by SIGKILL\)/);
    expect(printed).toMatch(/run folder: .*run \(error\)/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ status: 'error', endedAt: expect.any(String) });
    for (const [i, [name, victim]] of [
      ['redis-dies', 'redis'],
      ['toxiproxy-dies', 'toxiproxy'],
    ].entries()) {
      const c = results.cases[i];
      expect(c).toMatchObject({ name, status: 'error', endedAt: expect.any(String) });
      expect(c.deaths).toEqual([expect.objectContaining({ component: victim, signal: 'SIGKILL', exitCode: null })]);
      expect(c.history.ok).toBeGreaterThan(20);
      // The checks ran on what was seen before the death.
      expect(Object.keys(c.checks.results).sort()).toEqual(['linearizable', 'staleness']);

      const history = readHistory(join(out, name, 'history.jsonl')); // whole and valid
      const nemesis = history.filter((op) => op.process === 'nemesis');
      expect(nemesis.map((op) => op.f)).toEqual(['start-latency', 'start-crash', 'stop-latency']);
      expect(nemesis[1].value).toEqual({ on: victim, exitCode: null, signal: 'SIGKILL' });
      // The environment stopped: nothing of it runs.
      const env = JSON.parse(readFileSync(join(out, name, 'environment.json'), 'utf8')) as { components: { pid?: number }[] };
      for (const { pid } of env.components) if (pid) expect(processRunning(pid), `pid ${pid}`).toBe(false);
    }
    // With toxiproxy gone, the latency toxic could not be removed: its stop says so.
    const closing = readHistory(join(out, 'toxiproxy-dies', 'history.jsonl')).filter((op) => op.f === 'stop-latency');
    expect((closing[0].value as { error?: string }).error).toMatch(/could not revert/);
    const redisStop = readHistory(join(out, 'redis-dies', 'history.jsonl')).filter((op) => op.f === 'stop-latency');
    expect((redisStop[0].value as { error?: string }).error).toBeUndefined();
  }, 240_000);
});
