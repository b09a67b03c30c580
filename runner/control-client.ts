import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assertAllowedUrl } from './safety.ts';
import { UsageError } from './usage-error.ts';

/** The state file a running `patternbench up` writes: how to reach it and what it runs. */
export interface UpState {
  pid: number;
  /** `starting` until every target answers; `controlUrl` is empty until then. */
  status: 'starting' | 'up';
  controlUrl: string;
  startedAt: string;
  targets: Array<{ name: string; url: string; runDir: string; toxiproxyUrl: string; links: string[]; components: string[] }>;
}

/** Default folder for the state of `up` (git-ignored). */
export const defaultStateDir = '.patternbench';

/** Reads the state of a running `up`; throws a one-line hint when none is up. */
export function readUpState(stateDir = defaultStateDir): UpState {
  const file = join(resolve(stateDir), 'env.json');
  if (!existsSync(file)) throw new UsageError(`no environment is up (no ${file}); start one with: patternbench up`);
  return JSON.parse(readFileSync(file, 'utf8')) as UpState;
}

/**
 * Whether `pid` is a live patternbench process (not another program that got
 * a recycled pid), judged by its command line.
 */
export function isPatternbenchProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('cli/main.ts');
  } catch {
    return false;
  }
}

/** Calls the control API of a running `up`; throws with the server's error text on a non-2xx answer. */
export async function control(state: UpState, method: string, path: string, body?: unknown): Promise<unknown> {
  assertAllowedUrl(state.controlUrl, 'control url');
  let res: Response;
  try {
    res = await fetch(state.controlUrl + path, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    throw new Error(`the environment (pid ${state.pid}) does not answer at ${state.controlUrl}: ${(err as Error).message}; if it died, run: patternbench down`);
  }
  const payload = (await res.json().catch(() => ({}))) as { error?: string };
  const message = payload.error ?? `${method} ${path}: HTTP ${res.status}`;
  if (!res.ok) throw res.status === 400 ? new UsageError(message) : new Error(message);
  return payload;
}
