/**
 * The consistency family's counter workload, for the lock and multi-leader
 * patterns: increments of a few counters (`POST /kv/c<i>/incr`), adds of
 * unique elements to a few sets (`POST /kv/s<i>/add`) and reads of both, at
 * a fixed arrival rate, recorded by Jepsen's rules with the node that served
 * each. An increment's completion carries what the service said of it (the
 * value read and written, a lock's token, when the lock was taken).
 *
 * When the load ends (teardown, after every fault of a well-made suite has
 * healed), every key is read on every replica, again every 200 ms until all
 * replicas agree or FINAL_WAIT passes: these `final: true` reads are what
 * convergence and lost increments are judged on.
 *
 * Env: TARGET_URLS, RATE, DURATION, PRE_VUS, MAX_VUS, TIMEOUT (the runner's);
 * KEYS (counters and sets each, 1), SET_RATIO (share of adds, 0),
 * READ_RATIO (0.2), FINAL_WAIT (ms, 10000).
 */
import http from 'k6/http';
import { sleep } from 'k6';
import { bodyOf, errorText, numberEnv, openModel, outcomeOf, processId, record, targetUrls, urlForVu } from '../../workloads/jepsen.ts';

const urls = targetUrls();
const keys = numberEnv('KEYS', 1);
const setRatio = numberEnv('SET_RATIO', 0);
const readRatio = numberEnv('READ_RATIO', 0.2);
const finalWaitMs = numberEnv('FINAL_WAIT', 10_000);
const timeout = __ENV.TIMEOUT || '2s';
const json = { 'Content-Type': 'application/json' };

export const options = openModel('counter');

function read(url: string, key: string, final = false): unknown {
  const process = processId();
  record({ process, type: 'invoke', f: 'read', key, value: null, ...(final ? { final } : {}) });
  const res = http.get(`${url}/kv/${key}`, { timeout, tags: { name: 'GET /kv/:k' } });
  const type = outcomeOf(res);
  const body = type === 'ok' ? bodyOf<{ value: unknown; node: string }>(res) : undefined;
  const common = { process, f: 'read', key, status: res.status, latencyMs: res.timings.duration, ...(final ? { final } : {}) };
  if (type === 'ok' && body) {
    record({ ...common, type, value: body.value, node: body.node });
    return body.value;
  }
  record({ ...common, type: type === 'ok' ? 'info' : type, value: null, error: errorText(res) });
  return undefined;
}

function incr(key: string): void {
  const process = processId();
  record({ process, type: 'invoke', f: 'incr', key, value: 1 });
  const res = http.post(`${urlForVu(urls)}/kv/${key}/incr`, null, {
    timeout,
    tags: { name: 'POST /kv/:k/incr' },
    responseCallback: http.expectedStatuses({ min: 200, max: 299 }, 409),
  });
  const type = outcomeOf(res);
  const { key: _key, ...said } = (type === 'ok' ? bodyOf<Record<string, unknown>>(res) : undefined) ?? {};
  record({
    process,
    type,
    f: 'incr',
    key,
    value: 1,
    status: res.status,
    latencyMs: res.timings.duration,
    ...said,
    ...(type === 'ok' ? {} : { error: errorText(res) }),
  });
}

function add(key: string): void {
  const process = processId();
  const value = `${__VU}-${__ITER}`;
  record({ process, type: 'invoke', f: 'add', key, value });
  const res = http.post(`${urlForVu(urls)}/kv/${key}/add`, JSON.stringify({ element: value }), { timeout, headers: json, tags: { name: 'POST /kv/:k/add' } });
  const type = outcomeOf(res);
  const node = bodyOf<{ node?: string }>(res)?.node;
  record({
    process,
    type,
    f: 'add',
    key,
    value,
    status: res.status,
    latencyMs: res.timings.duration,
    node,
    ...(type === 'ok' ? {} : { error: errorText(res) }),
  });
}

export default function (): void {
  const i = Math.floor(Math.random() * keys);
  const isSet = Math.random() < setRatio;
  const key = isSet ? `s${i}` : `c${i}`;
  if (Math.random() < readRatio) read(urlForVu(urls), key);
  else if (isSet) add(key);
  else incr(key);
}

/** Reads every key on every replica until they agree (or FINAL_WAIT passes): the run's final state. */
export function teardown(): void {
  const all = [...Array.from({ length: keys }, (_, i) => `c${i}`), ...(setRatio > 0 ? Array.from({ length: keys }, (_, i) => `s${i}`) : [])];
  const deadline = Date.now() + finalWaitMs;
  for (const key of all) {
    for (;;) {
      const seen = urls.map((url) => JSON.stringify(read(url, key, true) ?? null));
      if (seen.every((v) => v === seen[0]) || Date.now() > deadline) break;
      sleep(0.2);
    }
  }
}
