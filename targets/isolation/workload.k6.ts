/**
 * The isolation family's workload: Jepsen's list-append transactions at a
 * fixed arrival rate, each one a few reads and appends over a small window of
 * keys, recorded by Jepsen's rules (`workloads/jepsen.ts`) as `f: "txn"`
 * with micro-ops `["append", k, e]` and `["r", k, null]` (filled in on `ok`).
 *
 * A transaction PostgreSQL rolled back on a conflict (409) is recorded as
 * `fail` and run again, as a client would, with fresh elements (every
 * append to a key must be unique for the checker to tell writers apart), up
 * to ATTEMPTS times in all. A transaction the service knows did not commit
 * (`committed: false`) is `fail`; a timeout, a reset or any other 5xx is
 * `info`, and the client carries on under a new process id.
 *
 * Keys: KEYS of them are live at any moment, in a window that slides so
 * each key is live for KEY_LIFE_S seconds and then never touched again, as
 * Jepsen retires keys: lists stay short, and new keys keep the insert path
 * busy (where PostgreSQL 12.3's serializable bug lived).
 *
 * Env: TARGET_URLS (required), RATE (txns/s, 50), DURATION ('30s'),
 * PRE_VUS (20), MAX_VUS (100), TIMEOUT (per request, '2s'), KEYS (8),
 * KEY_LIFE_S (2), MAX_TXN_LENGTH (micro-ops, 4), ATTEMPTS (5).
 */
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import { bodyOf, errorText, numberEnv, openModel, outcomeOf, processId, record, targetUrls, urlForVu } from '../../workloads/jepsen.ts';

type MicroOp = ['append', number, number] | ['r', number, number[] | null];

const urls = targetUrls();
const keys = numberEnv('KEYS', 8);
const keyLifeMs = numberEnv('KEY_LIFE_S', 2) * 1000;
const maxTxnLength = numberEnv('MAX_TXN_LENGTH', 4);
const attempts = numberEnv('ATTEMPTS', 5);
const timeout = __ENV.TIMEOUT || '2s';

export const options = openModel('isolation');

const conflicts = new Counter('txn_conflicts');
const givenUp = new Counter('txn_attempts_exhausted');

// Each VU has its own JS runtime: its n-th element is n followed by its VU
// number in as many digits as MAX_VUS has (with 10 VUs, VU 7's third is
// 307), so elements are unique across the run and short to read.
const vuDigits = 10 ** String(numberEnv('MAX_VUS', 100)).length;
let appended = 0;
const nextElement = (): number => ++appended * vuDigits + __VU;

/** The live keys when `elapsedMs` into the load: KEYS consecutive integers, sliding by one every KEY_LIFE_S / KEYS. */
function liveKey(elapsedMs: number): number {
  const first = Math.floor((elapsedMs * keys) / keyLifeMs);
  return first + Math.floor(Math.random() * keys);
}

/** A transaction of 1…MAX_TXN_LENGTH micro-ops, each a read or an append (even odds) of a live key. */
function generate(elapsedMs: number): MicroOp[] {
  const length = 1 + Math.floor(Math.random() * maxTxnLength);
  return Array.from({ length }, (): MicroOp => {
    const key = liveKey(elapsedMs);
    return Math.random() < 0.5 ? ['r', key, null] : ['append', key, nextElement()];
  });
}

/** The same transaction with fresh elements: what a retry sends. */
const fresh = (txn: MicroOp[]): MicroOp[] => txn.map((m): MicroOp => (m[0] === 'append' ? ['append', m[1], nextElement()] : m));

/** Runs one attempt and records it; says whether to run it again. */
function attempt(txn: MicroOp[]): boolean {
  const process = processId();
  record({ process, type: 'invoke', f: 'txn', value: txn });
  const res = http.post(`${urlForVu(urls)}/txn`, JSON.stringify({ value: txn }), {
    timeout,
    headers: { 'Content-Type': 'application/json' },
    tags: { name: 'POST /txn' },
    responseCallback: http.expectedStatuses({ min: 200, max: 299 }, 409),
  });
  const common = { process, f: 'txn', status: res.status, latencyMs: res.timings.duration };
  const body = bodyOf<{ value?: MicroOp[]; committed?: boolean; code?: string }>(res);
  let type = outcomeOf(res);
  // The service knows a transaction that failed before COMMIT did not commit.
  if (type === 'info' && body?.committed === false) type = 'fail';
  if (type === 'ok') {
    // Committed, but the reads are lost: what it saw is unknown.
    if (!Array.isArray(body?.value)) {
      record({ ...common, type: 'info', value: txn, error: `unparsable body: ${String(res.body ?? '').slice(0, 200)}` });
      return false;
    }
    record({ ...common, type: 'ok', value: body.value });
    return false;
  }
  record({ ...common, type, value: txn, error: errorText(res), ...(body?.code ? { code: body.code } : {}) });
  if (res.status !== 409) return false;
  conflicts.add(1);
  return true;
}

/** The load's start, shared by every VU so they agree on the live keys. */
export function setup(): { startMs: number } {
  return { startMs: Date.now() };
}

export default function (data: { startMs: number }): void {
  let txn = generate(Date.now() - data.startMs);
  for (let i = 1; attempt(txn); i++) {
    if (i >= attempts) {
      givenUp.add(1);
      return;
    }
    txn = fresh(txn);
  }
}
