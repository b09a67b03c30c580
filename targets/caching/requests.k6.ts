/**
 * The caching family's two requests as k6 sees them, each recorded by
 * Jepsen's rules (`workloads/jepsen.ts`): a read (the value's tag, version,
 * hit or miss, and whether this request loaded it from PostgreSQL) and a
 * write of a value `valueBytes` long that starts with its tag. Shared by the
 * family's k6 scripts.
 */
import http from 'k6/http';
import { Rate, Trend } from 'k6/metrics';
import { bodyOf, errorText, outcomeOf, processId, record, urlForVu } from '../../workloads/jepsen.ts';

const hitLatency = new Trend('hit_latency', true);
const missLatency = new Trend('miss_latency', true);
const cacheHits = new Rate('cache_hits');

/** A value's tag: what the history records of it (the part before the first `:`). */
const tagOf = (value: string): string => value.split(':', 1)[0];

/** `read(key)` and `write(key, tag?)` against the replicas in `urls` (each VU sticks to one), each request given up after `timeout`. */
export function itemRequests(urls: readonly string[], timeout: string, valueBytes: number) {
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
    const body = bodyOf<{ value: string; version: number; cache: 'hit' | 'miss'; loaded?: boolean; tier?: string }>(res);
    // Answered, but not with what the API promises: what was read is unknown.
    if (!body || typeof body.value !== 'string') {
      record({ ...common, type: 'info', value: null, error: `unparsable body: ${String(res.body ?? '').slice(0, 200)}` });
      return;
    }
    const tier = body.tier === undefined ? {} : { tier: body.tier };
    record({ ...common, value: tagOf(body.value), version: body.version, cache: body.cache, loaded: body.loaded ?? body.cache === 'miss', ...tier });
    (body.cache === 'hit' ? hitLatency : missLatency).add(res.timings.duration);
    cacheHits.add(body.cache === 'hit');
  }

  // The tag is unique per write across the whole run (VU and iteration), so checkers can tell writes apart.
  function write(key: string, tag = `${__VU}-${__ITER}`): void {
    const process = processId();
    record({ process, type: 'invoke', f: 'write', key, value: tag });
    const res = http.put(`${urlForVu(urls)}/items/${key}`, JSON.stringify({ value: `${tag}:`.padEnd(valueBytes, 'x') }), {
      timeout,
      headers: { 'Content-Type': 'application/json' },
      tags: { name: 'PUT /items/:id' },
    });
    const type = outcomeOf(res);
    const common = { process, type, f: 'write', key, value: tag, status: res.status, latencyMs: res.timings.duration };
    // The write took effect (2xx); a body we cannot read only loses its version.
    const extra = type === 'ok' ? { version: bodyOf<{ version: number }>(res)?.version ?? null } : { error: errorText(res) };
    record({ ...common, ...extra });
  }

  return { read, write };
}
