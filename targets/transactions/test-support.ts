import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createFault, type Fault } from '../../faults/index.ts';
import { faultContext } from '../../faults/fault-context.ts';
import { endpointUrl } from '../../runtime/endpoint.ts';
import type { Environment } from '../../runtime/environment.ts';
import { startLocalEnvironment } from '../../runtime/local/start-local-environment.ts';
import { transactions } from './index.ts';

/**
 * Test support for the family's integration tests: a pattern's own topology
 * started through the runtime, its target's URL, direct connections to its
 * databases (as an operator would open them), the kill fault as the suite
 * uses it, and polling for a state a test waits on.
 */
export interface Started {
  env: Environment;
  url: string;
  /** A connection pool straight to a PostgreSQL component (not through a link). */
  db(component: string): pg.Pool;
  /** The catalogue's `kill` fault on `component`, built as a suite builds it: start kills -9, stop restarts. */
  kill(component: string): Fault;
  stop(): Promise<void>;
}

export async function startPattern(name: string, options: Record<string, unknown> = {}): Promise<Started> {
  const pattern = transactions.patterns[name];
  const runDir = mkdtempSync(join(tmpdir(), `patternbench-${name}-`));
  const env = await startLocalEnvironment(pattern.topology(pattern.options.parse(options)), { runDir });
  const pools = new Map<string, pg.Pool>();
  return {
    env,
    url: env.services.get('target')![0],
    db: (component) => {
      let pool = pools.get(component);
      if (!pool) {
        const c = env.components.get(component)!;
        pool = new pg.Pool({ connectionString: endpointUrl('postgres', c), max: 4 });
        pool.on('error', () => undefined);
        pools.set(component, pool);
      }
      return pool;
    },
    kill: (component) => createFault('kill', component, {}, faultContext(env)),
    stop: async () => {
      await Promise.allSettled([...pools.values()].map((p) => p.end()));
      await env.stop();
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

/** JSON from `url` (GET, or POST with `body`), with its status; a request that gets no answer yields status 0. */
// biome-ignore lint/suspicious/noExplicitAny: the JSON bodies tests read field by field
export async function call(url: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<{ status: number; body: any }> {
  try {
    const res = await fetch(url, { method, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  } catch {
    return { status: 0, body: undefined };
  }
}

/** Polls `probe` every 100 ms until it returns something truthy; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
