import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync, existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { toolPath, repoRoot } from '../runtime/local/tools.ts';
import { track, signalGroup } from '../runtime/local/supervisor.ts';

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
  signal?: AbortSignal;
}

/**
 * Runs k6 on a script and waits for it to end. Nothing may call out of the
 * machine: usage reports and automatic extension resolution are off, the
 * REST API is disabled, and the web dashboard (kept only for its HTML
 * export) listens on 127.0.0.1. On abort, k6 gets SIGINT (it stops and still
 * writes its summary), then SIGKILL after 10 s.
 */
export async function runK6(opts: K6Options): Promise<K6Result> {
  if (opts.signal?.aborted) throw new Error('interrupted before k6 started');
  const summaryPath = join(opts.dir, 'k6-summary.json');
  const dashboardPath = join(opts.dir, 'k6-dashboard.html');
  const log = createWriteStream(join(opts.dir, 'logs', 'k6.log'), { flags: 'a' });
  await once(log, 'open');
  const child = spawn(
    toolPath('k6'),
    [
      'run',
      '--quiet',
      '--no-color',
      '--address',
      '',
      '--console-output',
      join(opts.dir, 'k6-console.log'),
      '--log-format',
      'raw',
      '--summary-export',
      summaryPath,
      '--summary-trend-stats',
      'avg,min,med,p(90),p(95),p(99),max',
      opts.script,
    ],
    {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...withoutK6Settings(process.env),
        K6_NO_USAGE_REPORT: 'true',
        K6_AUTO_EXTENSION_RESOLUTION: 'false',
        K6_WEB_DASHBOARD: 'true',
        K6_WEB_DASHBOARD_HOST: '127.0.0.1',
        K6_WEB_DASHBOARD_PORT: '0',
        K6_WEB_DASHBOARD_PERIOD: '1s',
        K6_WEB_DASHBOARD_EXPORT: dashboardPath,
        ...opts.env,
      },
    },
  );
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
 * The caller's environment less its K6_* settings: a user's K6_OUT or
 * K6_CLOUD_* would send metrics off the machine. The run sets what it needs.
 */
function withoutK6Settings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('K6_')));
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
