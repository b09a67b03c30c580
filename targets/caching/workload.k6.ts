/**
 * The caching family's workload: reads and writes of `/items/:id` at a fixed
 * arrival rate (an open model: requests keep arriving whether or not the
 * target keeps up, as users do), each operation recorded as Jepsen-style
 * history lines on the console.
 *
 * Env: TARGET_URL (required), RATE (iterations/s, 50), DURATION ('30s'),
 * PRE_VUS (20), MAX_VUS (100), KEYS (key space, 1000), READ_RATIO (0..1,
 * 0.9), TIMEOUT (per request, '2s'), INIT_KEYS ('false' skips writing every
 * key before the load).
 *
 * History: the runner runs k6 with `--console-output=<file> --log-format=raw`
 * and numbers the lines. An `invoke` line is logged before the request is
 * sent and its completion after the response, so the file order is a valid
 * real-time order.
 */
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { Rate, Trend } from 'k6/metrics';

function numberEnv(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name}=${raw} is not a number`);
  return value;
}

const targetUrl = __ENV.TARGET_URL;
if (!targetUrl) throw new Error('TARGET_URL is not set');
const keys = numberEnv('KEYS', 1000);
const readRatio = numberEnv('READ_RATIO', 0.9);
const timeout = __ENV.TIMEOUT || '2s';

export const options = {
  scenarios: {
    caching: {
      executor: 'constant-arrival-rate',
      rate: numberEnv('RATE', 50),
      timeUnit: '1s',
      duration: __ENV.DURATION || '30s',
      preAllocatedVUs: numberEnv('PRE_VUS', 20),
      maxVUs: numberEnv('MAX_VUS', 100),
    },
  },
};

const hitLatency = new Trend('hit_latency', true);
const missLatency = new Trend('miss_latency', true);
const cacheHits = new Rate('cache_hits');

type Outcome = 'ok' | 'fail' | 'info';
type F = 'read' | 'write';

// Jepsen's rule: a process whose operation ended in `info` may still have
// that operation take effect, so it never invokes again; the VU carries on as
// a new process. Each VU has its own JS runtime, so this counter is per VU.
let generation = 0;
const processId = (): number => __VU + generation * 100000;

function record(line: { process: number; type: 'invoke' | Outcome; f: F; key: string; value: string | null; [extra: string]: unknown }): void {
  console.log(JSON.stringify({ ...line, wallMs: Date.now() }));
}

/**
 * Skewed keys, as real caches see them: k⌊KEYS·u³⌋ for uniform u, so key
 * popularity falls off like a power law; the first 10% of the keys draw
 * about 46% of the operations (P(u³ < 0.1) = 0.1^(1/3)).
 */
const pickKey = (): string => `k${Math.floor(keys * Math.random() ** 3)}`;

/**
 * What the client can know about an operation from its response. `fail` only
 * when it surely did not happen: refused by validation (a 4xx; a read's 404
 * is a successful read of nothing), or never sent at all (k6 error codes
 * 1020 invalid URL, 11xx DNS, 1210–1213 TCP dial errors, all before a
 * connection exists). A timeout, a reset or a 5xx after sending is `info`.
 */
function outcomeOf(f: F, res: RefinedResponse<ResponseType | undefined>): Outcome {
  if (res.status >= 200 && res.status < 300) return 'ok';
  if (f === 'read' && res.status === 404) return 'ok';
  if (res.status >= 400 && res.status < 500) return 'fail';
  if (res.status !== 0) return 'info';
  const code = res.error_code;
  if (code === 1020 || (code >= 1100 && code < 1200) || (code >= 1210 && code <= 1213)) return 'fail';
  return 'info';
}

function errorText(res: RefinedResponse<ResponseType | undefined>): string {
  if (res.error) return res.error;
  return `HTTP ${res.status}: ${String(res.body ?? '').slice(0, 200)}`;
}

/** The JSON body, or undefined when it is not JSON: a throw here would leave the invoke open. */
function parsed<T>(res: RefinedResponse<ResponseType | undefined>): T | undefined {
  try {
    return res.json() as T;
  } catch {
    return undefined;
  }
}

function read(key: string): void {
  const process = processId();
  record({ process, type: 'invoke', f: 'read', key, value: null });
  const res = http.get(`${targetUrl}/items/${key}`, {
    timeout,
    tags: { name: 'GET /items/:id' },
    responseCallback: http.expectedStatuses({ min: 200, max: 299 }, 404),
  });
  const type = outcomeOf('read', res);
  const common = { process, type, f: 'read' as const, key, status: res.status, latencyMs: res.timings.duration };
  if (type !== 'ok') {
    record({ ...common, value: null, error: errorText(res) });
    if (type === 'info') generation++;
    return;
  }
  if (res.status === 404) {
    record({ ...common, value: null });
    return;
  }
  const body = parsed<{ value: string; version: number; cache: 'hit' | 'miss' }>(res);
  if (!body) {
    // Answered, but not with what the API promises: what was read is unknown.
    record({ ...common, type: 'info', value: null, error: `unparsable body: ${String(res.body ?? '').slice(0, 200)}` });
    generation++;
    return;
  }
  record({ ...common, value: body.value, version: body.version, cache: body.cache });
  (body.cache === 'hit' ? hitLatency : missLatency).add(res.timings.duration);
  cacheHits.add(body.cache === 'hit');
}

// Unique per write across the whole run, so checkers can tell writes apart.
function write(key: string, value = `${__VU}-${__ITER}`): void {
  const process = processId();
  record({ process, type: 'invoke', f: 'write', key, value });
  const res = http.put(`${targetUrl}/items/${key}`, JSON.stringify({ value }), {
    timeout,
    headers: { 'Content-Type': 'application/json' },
    tags: { name: 'PUT /items/:id' },
  });
  const type = outcomeOf('write', res);
  const common = { process, type, f: 'write' as const, key, value, status: res.status, latencyMs: res.timings.duration };
  if (type === 'ok') {
    // The write took effect (2xx); a body we cannot read only loses its version.
    record({ ...common, version: parsed<{ version: number }>(res)?.version ?? null });
    return;
  }
  record({ ...common, error: errorText(res) });
  if (type === 'info') generation++;
}

/**
 * Writes every key once before the load starts, recorded like any write (as
 * process 0, k6's setup VU), so the history is self-contained: every value a
 * read can return was written in it, and checkers need not know the target's
 * seed data.
 */
export function setup(): void {
  if (__ENV.INIT_KEYS === 'false') return; // e.g. a backend blackholed from the start: nothing could be written
  for (let i = 0; i < keys; i++) write(`k${i}`, `init-k${i}`);
}

export default function (): void {
  const key = pickKey();
  if (Math.random() < readRatio) read(key);
  else write(key);
}
