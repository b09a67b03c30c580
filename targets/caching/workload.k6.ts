/**
 * The caching family's workload: reads and writes of `/items/:id` at a fixed
 * arrival rate (an open model: requests keep arriving whether or not the
 * target keeps up, as users do), every operation recorded by Jepsen's rules
 * (`workloads/jepsen.ts`), reads with the version they saw.
 *
 * Env: TARGET_URLS (required), RATE (iterations/s, 50), DURATION ('30s'),
 * PRE_VUS (20), MAX_VUS (100), KEYS (key space, 1000), READ_RATIO (0..1,
 * 0.9), TIMEOUT (per request, '2s'), INIT_KEYS ('false' skips writing every
 * key before the load).
 */
import http from 'k6/http';
import { Rate, Trend } from 'k6/metrics';
import { bodyOf, errorText, numberEnv, openModel, outcomeOf, processId, record, targetUrls, urlForVu } from '../../workloads/jepsen.ts';

const urls = targetUrls();
const keys = numberEnv('KEYS', 1000);
const readRatio = numberEnv('READ_RATIO', 0.9);
const timeout = __ENV.TIMEOUT || '2s';

export const options = openModel('caching');

const hitLatency = new Trend('hit_latency', true);
const missLatency = new Trend('miss_latency', true);
const cacheHits = new Rate('cache_hits');

/**
 * Skewed keys, as real caches see them: k⌊KEYS·u³⌋ for uniform u, so key
 * popularity falls off like a power law; the first 10% of the keys draw
 * about 46% of the operations (P(u³ < 0.1) = 0.1^(1/3)).
 */
const pickKey = (): string => `k${Math.floor(keys * Math.random() ** 3)}`;

function read(key: string): void {
  const process = processId();
  record({ process, type: 'invoke', f: 'read', key, value: null });
  const res = http.get(`${urlForVu(urls)}/items/${key}`, {
    timeout,
    tags: { name: 'GET /items/:id' },
    responseCallback: http.expectedStatuses({ min: 200, max: 299 }, 404),
  });
  // A read's 404 is a successful read of nothing.
  const type = outcomeOf(res, [404]);
  const common = { process, type, f: 'read', key, status: res.status, latencyMs: res.timings.duration };
  if (type !== 'ok') {
    record({ ...common, value: null, error: errorText(res) });
    return;
  }
  if (res.status === 404) {
    record({ ...common, value: null });
    return;
  }
  const body = bodyOf<{ value: string; version: number; cache: 'hit' | 'miss' }>(res);
  // Answered, but not with what the API promises: what was read is unknown.
  if (!body) {
    record({ ...common, type: 'info', value: null, error: `unparsable body: ${String(res.body ?? '').slice(0, 200)}` });
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
  const res = http.put(`${urlForVu(urls)}/items/${key}`, JSON.stringify({ value }), {
    timeout,
    headers: { 'Content-Type': 'application/json' },
    tags: { name: 'PUT /items/:id' },
  });
  const type = outcomeOf(res);
  const common = { process, type, f: 'write', key, value, status: res.status, latencyMs: res.timings.duration };
  // The write took effect (2xx); a body we cannot read only loses its version.
  const extra = type === 'ok' ? { version: bodyOf<{ version: number }>(res)?.version ?? null } : { error: errorText(res) };
  record({ ...common, ...extra });
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
