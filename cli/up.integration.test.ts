import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../runtime/local/tools.ts';
import { patternbenchBin, runPatternbench } from './run-cli.ts';

const bin = patternbenchBin;
const pb = runPatternbench;
const timeGet = async (url: string) => {
  const t0 = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  await res.text();
  return { status: res.status, ms: performance.now() - t0 };
};

describe('patternbench up / fault / down (real components)', () => {
  it('holds an environment that faults injected from another process act on, and down stops it all', async () => {
    const state = mkdtempSync(join(tmpdir(), 'pb-up-'));
    const up = spawn(bin, ['up', '--state', state], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    up.stdout.on('data', (d) => (printed += d));
    up.stderr.on('data', (d) => (printed += d));
    const exited = once(up, 'exit');
    try {
      const deadline = Date.now() + 90_000;
      while (!printed.includes('up (pid') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(printed).toMatch(/links: target-to-redis, target-to-postgres/);
      const url = `${printed.match(/cache-aside: (http:\/\/127\.0\.0\.1:\d+)/)![1]}/items/k1`;
      await timeGet(url); // warm the cache

      // The control API answers the token's holder only; the token is readable by this user alone.
      expect(statSync(join(state, 'token')).mode & 0o777).toBe(0o600);
      const { controlUrl } = JSON.parse(readFileSync(join(state, 'env.json'), 'utf8')) as { controlUrl: string };
      expect((await fetch(`${controlUrl}/down`, { method: 'POST' })).status).toBe(401);
      const token = readFileSync(join(state, 'token'), 'utf8').trim();
      const fromPage = await fetch(`${controlUrl}/status`, { headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example' } });
      expect(fromPage.status).toBe(403);

      expect((await pb(['fault', 'latency', '--link', 'target-to-redis', '--latency', '150', '--state', state])).code).toBe(0);
      const during = await timeGet(url);
      expect(during.status).toBe(200);
      expect(during.ms).toBeGreaterThanOrEqual(150); // the toxic's floor: every hit waits for Redis's reply
      const listed = JSON.parse((await pb(['fault', 'list', '--state', state])).out);
      expect(listed[0].active).toEqual([expect.objectContaining({ kind: 'latency', on: 'target-to-redis', latency: 150 })]);

      const bad = await pb(['fault', 'latency', '--link', 'nowhere', '--latency', '5', '--state', state]);
      expect(bad.code).toBe(3);
      expect(bad.out).toMatch(/unknown link "nowhere"; known links: target-to-redis, target-to-postgres/);

      expect((await pb(['fault', 'clear', '--state', state])).code).toBe(0);
      // With the toxic on, no request can beat its 150 ms; one that does shows it gone (the fastest of a few, so a busy machine's stall is not taken for the toxic).
      const after: number[] = [];
      for (let i = 0; i < 5; i++) after.push((await timeGet(url)).ms);
      expect(Math.min(...after)).toBeLessThan(150);

      expect((await pb(['fault', 'kill', '--component', 'redis', '--for', '1s', '--state', state])).code).toBe(0);
      // k1 was cached; with Redis dead, cache-aside answers it from PostgreSQL.
      const killed = await fetch(url);
      expect(killed.status).toBe(200);
      expect(((await killed.json()) as { cache: string }).cache).toBe('miss');

      const history = readFileSync(join(state, 'cache-aside', 'history.jsonl'), 'utf8');
      expect(history).toMatch(/"f":"start-latency"/);
      expect(history).toMatch(/"f":"stop-latency"/);
      expect(history).toMatch(/"f":"start-kill"/);

      expect((await pb(['down', '--state', state])).code).toBe(0);
      await exited;
      expect(existsSync(join(state, 'env.json'))).toBe(false);
      expect(existsSync(join(state, 'token'))).toBe(false);
      expect((await pb(['fault', 'list', '--state', state])).out).toMatch(/no environment is up/);
    } finally {
      if (up.exitCode === null) up.kill('SIGTERM');
    }
  }, 180_000);
});
