import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync, existsSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { toolPath, repoRoot } from '../runtime/local/tools.ts';
import { track, signalGroup } from '../runtime/local/supervisor.ts';
import { k6NetworkRule } from './safety.ts';

/** What one k6 run produced, read from its summary export. */
export interface K6Result {
  exitCode: number | null;
  /** Iterations the open model wanted to start but could not (no free VU): latency k6 could not measure. */
  droppedIterations: number;
  iterations: number;
  httpReqs: number;
  httpReqDurationMs: Record<string, number>;
  summaryPath: string;
  dashboardPath: string | undefined;
}

export interface K6Options {
  /** Script path relative to the repo root. */
  script: string;
  /** Passed to the script as `__ENV`. */
  env: Record<string, string>;
  /** Where the console output (the raw history), summary, dashboard and log go. */
  dir: string;
  /** Non-loopback hosts the user allowed with `--allow-remote`; k6 may dial nothing else. */
  allowRemote?: readonly string[];
  signal?: AbortSignal;
}

/** How k6 is started for one run: what {@link runK6} spawns (in the repository root). */
export interface K6Invocation {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * The k6 command line and environment for a run. Nothing may call out of
 * the machine: usage reports and automatic extension resolution are off,
 * the REST API is disabled, the web dashboard (kept only for its HTML
 * export) listens on 127.0.0.1, and k6 itself enforces the loopback rule on
 * every connection the script opens (`--blacklist-ip`, `--block-hostnames`:
 * see `k6NetworkRule`). Command-line flags outrank a script's own
 * `options`, so a script cannot lift them. Proxy settings are dropped (a
 * proxy on loopback would carry requests past the blacklist), and k6's
 * remote module imports — fetched by a plain HTTPS client that knows no
 * blacklist — are sent to a proxy that refuses (port 0 on loopback; Go
 * never proxies loopback targets, so the workload's own requests are not
 * affected). Throws when the script is not a file inside the repository.
 */
export async function k6Invocation(opts: Omit<K6Options, 'signal'>): Promise<K6Invocation> {
  const script = resolve(repoRoot, opts.script);
  const inside = relative(repoRoot, script);
  if (/^[a-z][a-z0-9+.-]*:/i.test(opts.script) || inside.startsWith('..') || isAbsolute(inside) || !isFile(script))
    throw new Error(`workload script "${opts.script}": expected a file inside ${repoRoot}; k6 may not load a script from anywhere else`);
  const rule = await k6NetworkRule(opts.allowRemote);
  const args = [
    'run',
    '--quiet',
    '--no-color',
    '--address',
    '',
    '--blacklist-ip',
    rule.blacklistIPs.join(','),
    ...(rule.blockHostnames.length > 0 ? ['--block-hostnames', rule.blockHostnames.join(',')] : []),
    '--console-output',
    join(opts.dir, 'k6-console.log'),
    '--log-format',
    'raw',
    '--summary-export',
    join(opts.dir, 'k6-summary.json'),
    '--summary-trend-stats',
    'avg,min,med,p(90),p(95),p(99),max',
    inside,
  ];
  const env = {
    ...withoutK6Settings(process.env),
    K6_NO_USAGE_REPORT: 'true',
    K6_AUTO_EXTENSION_RESOLUTION: 'false',
    K6_WEB_DASHBOARD: 'true',
    K6_WEB_DASHBOARD_HOST: '127.0.0.1',
    K6_WEB_DASHBOARD_PORT: '0',
    K6_WEB_DASHBOARD_PERIOD: '1s',
    K6_WEB_DASHBOARD_EXPORT: join(opts.dir, 'k6-dashboard.html'),
    HTTPS_PROXY: 'http://127.0.0.1:0',
    ...opts.env,
  };
  return { command: toolPath('k6'), args, env };
}

/**
 * Runs k6 on a script (as {@link k6Invocation} says) and waits for it to
 * end. On abort, k6 gets SIGINT (it stops and still writes its summary),
 * then SIGKILL after 10 s.
 */
export async function runK6(opts: K6Options): Promise<K6Result> {
  if (opts.signal?.aborted) throw new Error('interrupted before k6 started');
  const summaryPath = join(opts.dir, 'k6-summary.json');
  const dashboardPath = join(opts.dir, 'k6-dashboard.html');
  const { command, args, env } = await k6Invocation(opts);
  const log = createWriteStream(join(opts.dir, 'logs', 'k6.log'), { flags: 'a' });
  await once(log, 'open');
  const child = spawn(command, args, { cwd: repoRoot, detached: true, stdio: ['ignore', log, log], env });
  track(child);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const onAbort = () => {
    signalGroup(child, 'SIGINT');
    setTimeout(() => signalGroup(child, 'SIGKILL'), 10_000).unref();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const [exitCode] = await exited;
  opts.signal?.removeEventListener('abort', onAbort);
  log.end();
  return { exitCode, ...readSummary(summaryPath), summaryPath, dashboardPath: existsSync(dashboardPath) ? dashboardPath : undefined };
}

/**
 * The caller's environment less its K6_* settings (a user's K6_OUT or
 * K6_CLOUD_* would send metrics off the machine) and its proxy settings (a
 * proxy carries requests to wherever it likes). The run sets what it needs.
 */
function withoutK6Settings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('K6_') && !/^(https?|all|no)_proxy$/i.test(k)));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function readSummary(path: string): Pick<K6Result, 'droppedIterations' | 'iterations' | 'httpReqs' | 'httpReqDurationMs'> {
  if (!existsSync(path)) return { droppedIterations: 0, iterations: 0, httpReqs: 0, httpReqDurationMs: {} };
  const metrics = (JSON.parse(readFileSync(path, 'utf8')).metrics ?? {}) as Record<string, Record<string, number>>;
  return {
    droppedIterations: metrics.dropped_iterations?.count ?? 0,
    iterations: metrics.iterations?.count ?? 0,
    httpReqs: metrics.http_reqs?.count ?? 0,
    httpReqDurationMs: metrics.http_req_duration ?? {},
  };
}
