/**
 * A k6 module (not a workload of its own; hence `.k6.ts`, type-checked with k6's types).
 *
 * The end of every transactions workload (k6 `teardown`, after the load and
 * after the faults): wait until the service reports nothing in flight, then
 * record the final state, so the history holds what atomicity is judged on.
 *
 * - `settle`: `GET /in-flight` every 250 ms until it lists nothing (`ok`,
 *   value `{ waitedMs }`) or `SETTLE_TIMEOUT` passes (`info`, value the
 *   last listing: the checkers then say `unknown`).
 * - `audit`: `GET /audit` (`ok`, value the body, `atWallMs` the client's
 *   clock when it was asked, which lines the services' timestamps up with
 *   the history's clock).
 */
import http from 'k6/http';
import { sleep } from 'k6';
import { bodyOf, errorText, outcomeOf, processId, record } from '../../workloads/jepsen.ts';

/** Parses `30s`, `2m`, `500ms` (k6's own duration words) into ms. */
export function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] as 'ms' | 's' | 'm'];
}

/** Waits for quiescence (recorded as `settle`), then records `GET /audit` (`audit`). */
export function settleAndAudit(url: string, settleTimeoutMs: number, timeout: string): void {
  const process = processId();
  record({ process, type: 'invoke', f: 'settle', value: null });
  const started = Date.now();
  let last: unknown = null;
  for (;;) {
    const res = http.get(`${url}/in-flight`, { timeout, tags: { name: 'GET /in-flight' } });
    const body = outcomeOf(res) === 'ok' ? bodyOf<{ inFlight: unknown[] }>(res) : undefined;
    last = body ?? errorText(res);
    if (body && body.inFlight.length === 0) {
      record({ process, type: 'ok', f: 'settle', value: { waitedMs: Date.now() - started } });
      break;
    }
    if (Date.now() - started > settleTimeoutMs) {
      record({ process, type: 'info', f: 'settle', value: { waitedMs: Date.now() - started, last } });
      return;
    }
    sleep(0.25);
  }
  const auditor = processId();
  record({ process: auditor, type: 'invoke', f: 'audit', value: null });
  const atWallMs = Date.now();
  const res = http.get(`${url}/audit`, { timeout: '30s', tags: { name: 'GET /audit' } });
  const body = outcomeOf(res) === 'ok' ? bodyOf<unknown>(res) : undefined;
  if (body) record({ process: auditor, type: 'ok', f: 'audit', value: body, atWallMs });
  else record({ process: auditor, type: 'info', f: 'audit', value: null, error: errorText(res) });
}
