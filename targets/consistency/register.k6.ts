/**
 * The consistency family's register workload: reads, writes and
 * compare-and-set on a few keys (`/kv/:k`), at a fixed arrival rate, every
 * operation recorded by Jepsen's rules (`workloads/jepsen.ts`) with the node
 * that served it. Few clients on few keys make histories a linearizability
 * checker can decide; many clients measure staleness and throughput.
 *
 * Writes carry values unique in the run (`<vu>-<iteration>`), so a read
 * names the write it saw. A compare-and-set swaps the value this VU last read
 * of the key (null before any) for a new one, as a read-modify-write client
 * does: it succeeds when nobody wrote in between, and a 409 (not swapped) is
 * a `fail` — it surely did not happen.
 *
 * Env: TARGET_URLS, RATE, DURATION, PRE_VUS, MAX_VUS, TIMEOUT (the runner's);
 * KEYS (5), READ_RATIO (0.5), CAS_RATIO (0.25; the rest are writes).
 */
import http from 'k6/http';
import { bodyOf, errorText, numberEnv, openModel, outcomeOf, processId, record, targetUrls, urlForVu } from '../../workloads/jepsen.ts';

const urls = targetUrls();
const keys = numberEnv('KEYS', 5);
const readRatio = numberEnv('READ_RATIO', 0.5);
const casRatio = numberEnv('CAS_RATIO', 0.25);
const timeout = __ENV.TIMEOUT || '2s';
const json = { 'Content-Type': 'application/json' };

export const options = openModel('register');

/** What this VU last read of each key: the `from` of its next compare-and-set. */
const lastRead: Record<string, string | null> = {};

function read(key: string): void {
  const process = processId();
  record({ process, type: 'invoke', f: 'read', key, value: null });
  const res = http.get(`${urlForVu(urls)}/kv/${key}`, { timeout, tags: { name: 'GET /kv/:k' } });
  const type = outcomeOf(res);
  const common = { process, f: 'read', key, status: res.status, latencyMs: res.timings.duration };
  const body = type === 'ok' ? bodyOf<{ value: string | null; node: string }>(res) : undefined;
  if (type === 'ok' && body) {
    lastRead[key] = body.value;
    record({ ...common, type, value: body.value, node: body.node });
    return;
  }
  // Answered 2xx but unreadable: what was read is unknown.
  record({ ...common, type: type === 'ok' ? 'info' : type, value: null, error: body ? undefined : errorText(res) });
}

function write(key: string): void {
  const process = processId();
  const value = `${__VU}-${__ITER}`;
  record({ process, type: 'invoke', f: 'write', key, value });
  const res = http.put(`${urlForVu(urls)}/kv/${key}`, JSON.stringify({ value }), { timeout, headers: json, tags: { name: 'PUT /kv/:k' } });
  const type = outcomeOf(res);
  const node = bodyOf<{ node?: string }>(res)?.node;
  record({
    process,
    type,
    f: 'write',
    key,
    value,
    status: res.status,
    latencyMs: res.timings.duration,
    node,
    ...(type === 'ok' ? {} : { error: errorText(res) }),
  });
}

function cas(key: string): void {
  const process = processId();
  const value = [lastRead[key] ?? null, `${__VU}-${__ITER}`];
  record({ process, type: 'invoke', f: 'cas', key, value });
  const res = http.post(`${urlForVu(urls)}/kv/${key}/cas`, JSON.stringify({ from: value[0], to: value[1] }), {
    timeout,
    headers: json,
    tags: { name: 'POST /kv/:k/cas' },
    responseCallback: http.expectedStatuses({ min: 200, max: 299 }, 409),
  });
  const type = outcomeOf(res);
  const node = bodyOf<{ node?: string }>(res)?.node;
  record({
    process,
    type,
    f: 'cas',
    key,
    value,
    status: res.status,
    latencyMs: res.timings.duration,
    node,
    ...(type === 'ok' ? {} : { error: errorText(res) }),
  });
}

export default function (): void {
  const key = `k${Math.floor(Math.random() * keys)}`;
  const dice = Math.random();
  if (dice < readRatio) read(key);
  else if (dice < readRatio + casRatio) cas(key);
  else write(key);
}
