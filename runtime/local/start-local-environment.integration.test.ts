import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { createClient } from 'redis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startLocalEnvironment, stopLeftovers } from './start-local-environment.ts';
import { endpointUrl } from '../endpoint.ts';
import type { ProcessComponent } from './process-component.ts';
import { repoRoot } from './tools.ts';
import { isPortFree } from './free-port.ts';
import { processRunning } from './supervisor.ts';

const tsxLoader = pathToFileURL(createRequire(join(repoRoot, 'package.json')).resolve('tsx')).href;
const fixture = join(repoRoot, 'runtime/local/fixtures/hold-environment.ts');

/** A dead process not yet reaped by PID 1 (a zombie) is not alive: it runs nothing and holds nothing. */
const alive = processRunning;

/**
 * The given processes and all their descendants. (Not their process groups:
 * a PostgreSQL postmaster puts each backend in a session of its own.)
 */
function withDescendants(roots: number[]): number[] {
  const lines = execFileSync('ps', ['-eo', 'pid=,ppid=']).toString().trim().split('\n');
  const pairs = lines.map((l) => l.trim().split(/\s+/).map(Number));
  const found = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of pairs) if (found.has(ppid) && !found.has(pid)) grew = found.add(pid) !== undefined;
  }
  return [...found];
}

/** Spawns the hold-environment fixture and resolves with what it printed once its environment is up. */
async function hold(runDir: string): Promise<{ child: ChildProcess; pid: number; pids: number[]; ports: number[] }> {
  const child = spawn(process.execPath, ['--import', tsxLoader, fixture, runDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const line = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`fixture exited (${code}) before printing`)));
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    return { child, ...(JSON.parse(await line) as { pid: number; pids: number[]; ports: number[] }) };
  } finally {
    clearTimeout(timeout);
  }
}

describe('startLocalEnvironment', () => {
  it('serves redis and postgres, each with a replica, to a service through its links, tracks pids, and stops leaving nothing', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'patternbench-test-env-'));
    const started = performance.now();
    onTestFinished(() => rmSync(runDir, { recursive: true, force: true }));
    const env = await startLocalEnvironment(
      {
        redis: { redis: { replicas: 1 } },
        postgres: { postgres: { replicas: 1 } },
        services: { target: { file: 'runtime/local/fixtures/health-service.ts', uses: ['redis', 'postgres'], env: { GREETING: 'hi' } } },
      },
      { runDir },
    );
    console.log(`redis+replica, postgres+replica, service environment up in ${Math.round(performance.now() - started)} ms`);
    try {
      expect([...env.links.keys()].sort()).toEqual(
        [
          'postgres-replica-1-to-postgres',
          'redis-replica-1-to-redis',
          'target-to-postgres',
          'target-to-postgres-replica-1',
          'target-to-redis',
          'target-to-redis-replica-1',
        ].sort(),
      );
      expect(env.links.get('target-to-redis')).toMatchObject({ from: 'target', to: 'redis', upstream: { port: env.components.get('redis')!.port } });
      expect(Object.fromEntries([...env.components].map(([name, c]) => [name, c.kind]))).toEqual({
        toxiproxy: 'toxiproxy',
        redis: 'redis',
        'redis-replica-1': 'redis',
        postgres: 'postgres',
        'postgres-replica-1': 'postgres',
        target: 'service',
      });
      const [url] = env.services.get('target')!;
      expect(await (await fetch(`${url}/anything`)).text()).toBe('hi');

      const redis = createClient({ socket: { ...env.links.get('target-to-redis-replica-1')!.listen, reconnectStrategy: false } });
      redis.on('error', () => undefined);
      await redis.connect();
      expect(await redis.info('replication')).toContain('role:slave');
      redis.destroy();
      const db = new pg.Client({ connectionString: endpointUrl('postgres', env.links.get('target-to-postgres-replica-1')!.listen) });
      await db.connect();
      expect((await db.query('SELECT pg_is_in_recovery() AS r, current_setting($1) AS name', ['cluster_name'])).rows[0]).toEqual({
        r: true,
        name: 'postgres-replica-1',
      });
      await db.end();

      const pids = JSON.parse(readFileSync(join(runDir, 'pids.json'), 'utf8')) as Record<string, { pid: number; startTime: string; cmdline: string }>;
      expect(Object.keys(pids).sort()).toEqual(['postgres', 'postgres-replica-1', 'redis', 'redis-replica-1', 'target', 'toxiproxy']);
      expect(pids.redis).toMatchObject({ pid: (env.components.get('redis') as ProcessComponent).pid, cmdline: expect.stringMatching(/^redis-server /) });
      const target = env.components.get('target') as ProcessComponent;
      await target.kill();
      await target.restart();
      expect(JSON.parse(readFileSync(join(runDir, 'pids.json'), 'utf8')).target.pid).toBe(target.pid);
    } finally {
      const groups = [...env.components.values()].map((c) => (c as { pid?: number }).pid!);
      const members = withDescendants(groups);
      expect(members.length).toBeGreaterThan(groups.length); // postgres backends are in there
      await env.stop();
      await env.stop();
      for (const pid of members) expect(alive(pid)).toBe(false);
      expect(existsSync(join(runDir, 'pids.json'))).toBe(false);
    }
  });

  it('a start that fails midway stops what it had started and says which component failed', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'patternbench-test-env-fail-'));
    onTestFinished(() => rmSync(runDir, { recursive: true, force: true }));
    const before = new Set(withDescendants([process.pid]));
    // redis-server refuses an unknown policy and exits, while PostgreSQL is starting beside it.
    await expect(startLocalEnvironment({ redis: { redis: { maxmemoryPolicy: 'no-such-policy' } }, postgres: { postgres: {} } }, { runDir })).rejects.toThrow(
      /local environment did not start: redis exited before it was ready/,
    );
    expect(withDescendants([process.pid]).filter((pid) => !before.has(pid) && alive(pid))).toEqual([]);
    expect(existsSync(join(runDir, 'pids.json'))).toBe(false);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`on ${signal} the holder stops every process of its environment and frees its ports`, async () => {
      const runDir = mkdtempSync(join(tmpdir(), 'patternbench-test-interrupt-'));
      const { child, pids, ports } = await hold(runDir);
      onTestFinished(async () => {
        child.kill('SIGKILL');
        await stopLeftovers(runDir);
        rmSync(runDir, { recursive: true, force: true });
      });
      const members = withDescendants(pids);
      expect(members.length).toBeGreaterThan(pids.length);
      child.kill(signal);
      const [code, sig] = (await Promise.race([
        once(child, 'exit'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no exit in 30 s')), 30_000)),
      ])) as [number | null, string | null];
      expect(code ?? sig).toBe(signal === 'SIGINT' ? 130 : 143);
      for (const pid of members) expect(alive(pid)).toBe(false);
      for (const port of ports) expect(await isPortFree(port)).toBe(true);
    });
  }

  it('stopLeftovers stops what a SIGKILLed holder left running', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'patternbench-test-leftovers-'));
    const { child, pids } = await hold(runDir);
    onTestFinished(() => rmSync(runDir, { recursive: true, force: true }));
    const members = withDescendants(pids);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(members.filter(alive).length).toBeGreaterThan(0);
    const dataDirs = Object.values(JSON.parse(readFileSync(join(runDir, 'data-dirs.json'), 'utf8')) as Record<string, string>);
    expect(dataDirs).toHaveLength(5); // etcd's too
    const { stopped, refused } = await stopLeftovers(runDir);
    expect(stopped.sort()).toEqual(['etcd-1', 'postgres', 'postgres-replica-1', 'redis', 'redis-replica-1', 'toxiproxy']);
    expect(refused).toEqual([]);
    for (const pid of members) expect(alive(pid)).toBe(false);
    for (const dir of dataDirs) expect(existsSync(dir)).toBe(false);
    expect(await stopLeftovers(runDir)).toEqual({ stopped: [], refused: [] });
  });
});
