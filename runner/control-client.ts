import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
// Type only: `fault` and `down` load this file at start-up, and `--help` loads no runtime.
import type { ProcessIdentity } from '../runtime/local/supervisor.ts';
import { UsageError } from './usage-error.ts';

/** The state file a running `patternbench up` writes: how to reach it and what it runs. */
export interface UpState {
  pid: number;
  /** The `up` process itself, so that `down` signals it and nothing else that got its pid (absent in files of older versions). */
  process?: ProcessIdentity;
  /** `starting` until every target answers; `controlUrl` is empty until then. */
  status: 'starting' | 'up';
  controlUrl: string;
  startedAt: string;
  targets: Array<{ name: string; url: string; runDir: string; toxiproxyUrl: string; links: string[]; components: string[] }>;
}

/** The state of a running `up` with the token its control API wants, as a client holds them. */
export interface UpHandle extends UpState {
  /** From the state folder's token file (empty when there is none); never written into env.json. */
  token: string;
}

/** Default folder for the state of `up` (git-ignored). */
export const defaultStateDir = '.patternbench';

/** Where `up` keeps its control API's token: a file only its user may read (mode 0600). */
export const tokenFile = (stateDir: string) => join(resolve(stateDir), 'token');

/** Reads the state of a running `up` and its token; throws a one-line hint when none is up. */
export function readUpState(stateDir = defaultStateDir): UpHandle {
  const file = join(resolve(stateDir), 'env.json');
  if (!existsSync(file)) throw new UsageError(`no environment is up (no ${file}); start one with: patternbench up`);
  const token = existsSync(tokenFile(stateDir)) ? readFileSync(tokenFile(stateDir), 'utf8').trim() : '';
  return { ...(JSON.parse(readFileSync(file, 'utf8')) as UpState), token };
}

/** Calls the control API of a running `up` with its token; throws with the server's error text on a non-2xx answer. */
export async function control(state: UpHandle, method: string, path: string, body?: unknown): Promise<unknown> {
  // Imported here: the loopback rule needs cidr-tools and node:net, which `check` and `--help` (that load this file with every command) never use.
  const { assertAllowedUrl } = await import('./safety.ts');
  assertAllowedUrl(state.controlUrl, 'control url');
  let res: Response;
  try {
    res = await fetch(state.controlUrl + path, {
      method,
      headers: { authorization: `Bearer ${state.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
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
