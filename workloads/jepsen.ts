/**
 * Jepsen's recording rules for k6 scripts, shared by every family's
 * workload. Each operation is two history lines on the console (the runner
 * runs k6 with `--console-output=<file> --log-format=raw` and appends them to
 * history.jsonl as they come): an `invoke` logged before the request is
 * sent, and its completion — `ok`, `fail` or `info` — after the response.
 * k6 writes console lines in call order, so the file order is a valid
 * real-time order.
 *
 * - `fail` only when the operation surely did not happen: refused by
 *   validation (a 4xx), or never sent (k6 error codes 1020 invalid URL, 11xx
 *   DNS, 1210–1213 TCP dial errors, all before a connection exists).
 * - A timeout, a reset or a 5xx after sending is `info`: it may still take
 *   effect. The process that saw it never invokes again: the VU carries on
 *   under a new process id, as in Jepsen.
 */
import type { RefinedResponse, ResponseType } from 'k6/http';

export type Outcome = 'ok' | 'fail' | 'info';

/** One history line as a script logs it; the runner adds `index` and `time` (from `wallMs`). */
export interface Line {
  process: number;
  type: 'invoke' | Outcome;
  f: string;
  key?: string;
  value: unknown;
  [extra: string]: unknown;
}

type Response = RefinedResponse<ResponseType | undefined>;

// Each VU has its own JS runtime, so this counter is per VU.
let generation = 0;

/** This VU's current process id: unique across VUs and across the new processes a VU becomes after an `info`. */
export function processId(): number {
  return __VU + generation * 100_000;
}

// RECORD=false turns recording off (nothing is logged; process ids still
// advance), for measuring what recording itself costs the load generator.
const recording = __ENV.RECORD !== 'false';

/**
 * Appends one history line (with the wall clock, k6's only one, in ms). An
 * `info` completion retires the process. A line from k6's `setup` or
 * `teardown` (VU 0: seeding before the load, final reads after it) carries
 * `load: false`, so that figures of the load (throughput, latency) leave it
 * out while checkers still read it.
 */
export function record(line: Line): void {
  if (recording) console.log(JSON.stringify({ ...line, ...(__VU === 0 ? { load: false } : {}), wallMs: Date.now() }));
  if (line.type === 'info') generation++;
}

/** What the client can know about an operation from its response (see the rules above); `okStatuses` beyond 2xx count as `ok` (a read's 404). */
export function outcomeOf(res: Response, okStatuses: readonly number[] = []): Outcome {
  if ((res.status >= 200 && res.status < 300) || okStatuses.includes(res.status)) return 'ok';
  if (res.status >= 400 && res.status < 500) return 'fail';
  if (res.status !== 0) return 'info';
  const code = res.error_code;
  if (code === 1020 || (code >= 1100 && code < 1200) || (code >= 1210 && code <= 1213)) return 'fail';
  return 'info';
}

/** The error a failed or unknown completion records: k6's own, or the status and the start of the body. */
export function errorText(res: Response): string {
  if (res.error) return res.error;
  return `HTTP ${res.status}: ${String(res.body ?? '').slice(0, 200)}`;
}

/** The JSON body, or undefined when it is not JSON: a throw here would leave the invoke open. */
export function bodyOf<T>(res: Response): T | undefined {
  try {
    return res.json() as T;
  } catch {
    return undefined;
  }
}

/** An environment variable as a number, `fallback` when unset; throws naming it when it is not a number. */
export function numberEnv(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name}=${raw} is not a number`);
  return value;
}

/** `TARGET_URLS` (comma-separated, the service's replicas); throws when unset. */
export function targetUrls(): string[] {
  const urls = (__ENV.TARGET_URLS ?? '').split(',').filter(Boolean);
  if (urls.length === 0) throw new Error('TARGET_URLS is not set');
  return urls;
}

/** The replica this VU talks to: VUs spread over the replicas round-robin, each keeping to one (a client sticks to its server). */
export function urlForVu(urls: readonly string[]): string {
  return urls[(__VU > 0 ? __VU - 1 : 0) % urls.length];
}

/** k6's standard options for an open-model load at a fixed arrival rate, from the runner's environment (RATE, DURATION, PRE_VUS, MAX_VUS). */
export function openModel(name: string) {
  return {
    scenarios: {
      [name]: {
        executor: 'constant-arrival-rate',
        rate: numberEnv('RATE', 50),
        timeUnit: '1s',
        duration: __ENV.DURATION || '30s',
        preAllocatedVUs: numberEnv('PRE_VUS', 20),
        maxVUs: numberEnv('MAX_VUS', 100),
      },
    },
  };
}
