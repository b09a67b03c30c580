/**
 * The bank workload: transfers between the two shards and reads of every
 * balance, at a fixed arrival rate (open model), every operation recorded by
 * Jepsen's rules (`workloads/jepsen.ts`); then, in `teardown`, a wait for
 * quiescence, a final read and the audit (`settle.k6.ts`).
 *
 * - `transfer` (POST /transfers): value `{ id, from, to, amount }`, from an
 *   account of one shard to an account of the other; `ok` records the
 *   service's `outcome` (and 2PC's `phases`), `fail` a 409's.
 *   `CLOSED_RATIO` of them go to the other shard's closed account, so a
 *   step is refused after the debit and sagas compensate.
 * - `read` (GET /accounts): value the balances read; the one `setup` takes
 *   before any transfer has `initial: true`, the one after quiescence
 *   `final: true`.
 *
 * Env: TARGET_URLS, RATE, DURATION, PRE_VUS, MAX_VUS, TIMEOUT (the runner's);
 * READ_RATIO (0.2), MAX_AMOUNT (50), CLOSED_RATIO (0.02), SETTLE_TIMEOUT ('60s').
 */
import http from 'k6/http';
import { bodyOf, errorText, numberEnv, openModel, outcomeOf, processId, record, targetUrls, urlForVu } from '../../workloads/jepsen.ts';
import { durationMs, settleAndAudit } from './settle.k6.ts';

const urls = targetUrls();
const readRatio = numberEnv('READ_RATIO', 0.2);
const maxAmount = numberEnv('MAX_AMOUNT', 50);
const closedRatio = numberEnv('CLOSED_RATIO', 0.02);
const settleTimeout = __ENV.SETTLE_TIMEOUT || '60s';
const timeout = __ENV.TIMEOUT || '2s';

export const options = { ...openModel('transfers'), setupTimeout: '60s', teardownTimeout: `${durationMs(settleTimeout) / 1000 + 60}s` };

interface Accounts {
  a: string[];
  b: string[];
}

function read(mark?: 'initial' | 'final'): Record<string, number> | undefined {
  const flag = mark ? { [mark]: true } : {};
  const process = processId();
  record({ process, type: 'invoke', f: 'read', value: null, ...flag });
  const res = http.get(`${urlForVu(urls)}/accounts`, { timeout, tags: { name: 'GET /accounts' } });
  const type = outcomeOf(res);
  const body = type === 'ok' ? bodyOf<{ accounts: Record<string, number> }>(res) : undefined;
  const common = { process, f: 'read', status: res.status, latencyMs: res.timings.duration, ...flag };
  if (!body) {
    // A read changes nothing: one that failed or was never answered saw nothing.
    record({ ...common, type: type === 'ok' ? 'info' : type, value: null, error: errorText(res) });
    return undefined;
  }
  record({ ...common, type: 'ok', value: body.accounts });
  return body.accounts;
}

function transfer(accounts: Accounts): void {
  const forward = Math.random() < 0.5;
  const [mine, theirs] = forward ? [accounts.a, accounts.b] : [accounts.b, accounts.a];
  const pick = (xs: string[]) => xs[Math.floor(Math.random() * xs.length)];
  const to = Math.random() < closedRatio ? `${forward ? 'b' : 'a'}-closed` : pick(theirs);
  const value = { id: `t${__VU}-${__ITER}`, from: pick(mine), to, amount: 1 + Math.floor(Math.random() * maxAmount) };
  const process = processId();
  record({ process, type: 'invoke', f: 'transfer', value });
  const res = http.post(`${urlForVu(urls)}/transfers`, JSON.stringify(value), {
    timeout,
    headers: { 'Content-Type': 'application/json' },
    tags: { name: 'POST /transfers' },
    responseCallback: http.expectedStatuses({ min: 200, max: 299 }, 409),
  });
  const type = outcomeOf(res);
  const body = bodyOf<{ outcome?: string; phases?: Record<string, number>; error?: string }>(res);
  record({
    process,
    type,
    f: 'transfer',
    value,
    status: res.status,
    latencyMs: res.timings.duration,
    ...(body?.outcome ? { outcome: body.outcome } : {}),
    ...(body?.phases ? { phases: body.phases } : {}),
    ...(type !== 'ok' ? { error: body?.error ?? errorText(res) } : {}),
  });
}

/** The accounts to move money between, from a first read (recorded: the state before any transfer). */
export function setup(): Accounts {
  const balances = read('initial');
  if (!balances) throw new Error('the first read of the accounts failed: no transfer can be chosen');
  const open = Object.keys(balances).filter((id) => !id.endsWith('-closed'));
  return { a: open.filter((id) => id.startsWith('a')), b: open.filter((id) => id.startsWith('b')) };
}

export default function (accounts: Accounts): void {
  if (Math.random() < readRatio) read();
  else transfer(accounts);
}

export function teardown(): void {
  settleAndAudit(urls[0], durationMs(settleTimeout), timeout);
  read('final');
}
