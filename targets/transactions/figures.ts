import { checkBank } from '../../checkers/bank.ts';
import { finalState } from '../../checkers/after-quiescence.ts';
import { type DecisionEntry, inDoubt, throughputWhile } from '../../checkers/in-doubt.ts';
import { orderWindows, transferWindows } from '../../checkers/inconsistency-windows.ts';
import type { OrderAudit } from '../../checkers/order-saga.ts';
import { distribution } from '../../checkers/staleness.ts';
import type { TransferEffects } from '../../checkers/transfer-atomicity.ts';
import type { Op } from '../../history/op.ts';
import type { CaseFiles } from '../family.ts';
import { bankAccounts, bankTotal } from './checks.ts';

const round = (x: number) => Math.round(x * 100) / 100;
/** p50/p95/p99/max and the mean, to 0.01. */
const withMean = (xs: number[]) => {
  const d = distribution(xs);
  return d && { p50: round(d.p50), p95: round(d.p95), p99: round(d.p99), max: round(d.max), mean: round(xs.reduce((a, b) => a + b, 0) / xs.length) };
};

/** A transaction in doubt for longer than this blocked others in the figures' sense (the normal path holds its locks for milliseconds). */
const blockingMs = 1_000;

/**
 * The transactions family's figures of one case (documented key by key in
 * FIGURES.md), from its saved history alone: the load's throughput, latency
 * and outcomes, throughput during each fault; then for bank transfers 2PC's
 * phases and in-doubt time, the inconsistency windows of the patterns whose
 * steps commit one by one, and what concurrent readers saw; for orders the
 * inconsistency windows and the reads that saw an order mid-saga.
 */
export function transactionFigures(files: CaseFiles): Record<string, unknown> {
  const { history } = files;
  const main = history.some((op) => op.f === 'transfer') ? 'transfer' : history.some((op) => op.f === 'order') ? 'order' : undefined;
  if (!main) return {};
  const final = finalState(history);
  const audit = final.settled ? (final.audit.value as Record<string, unknown>) : undefined;
  return {
    ...loadFigures(history, main),
    settle: settleFigures(history),
    ...(main === 'transfer' ? bankFigures(files, audit, final.settled ? final.audit : undefined) : orderFigures(history, audit)),
  };
}

function loadFigures(history: readonly Op[], f: string) {
  const ops = history.filter((op) => op.f === f && op.process !== 'nemesis');
  const invokes = ops.filter((op) => op.type === 'invoke');
  const done = ops.filter((op) => op.type !== 'invoke');
  const loadSeconds = invokes.length > 1 ? (invokes.at(-1)!.time - invokes[0].time) / 1e9 : 0;
  const perSecond = (n: number) => (loadSeconds > 0 ? round(n / loadSeconds) : null);
  const ok = done.filter((op) => op.type === 'ok');
  // The service's word for how it ended, else the HTTP status (`not-sent`: refused before a connection existed).
  const label = (op: Op) => String(op.outcome ?? op.state ?? (op.status ? `http-${op.status}` : 'not-sent'));
  const tally = (xs: Op[]) => Object.fromEntries([...new Set(xs.map(label))].map((k) => [k, xs.filter((x) => label(x) === k).length]));
  const latency = (xs: Op[]) => withMean(xs.map((op) => Number(op.latencyMs)).filter(Number.isFinite));
  return {
    throughput: { offeredPerSecond: perSecond(invokes.length), okPerSecond: perSecond(ok.length), loadSeconds: round(loadSeconds) },
    latencyMs: { ok: latency(ok), answered: latency(done.filter((op) => op.type !== 'info')) },
    outcomes: { ok: tally(ok), fail: tally(done.filter((op) => op.type === 'fail')), info: done.filter((op) => op.type === 'info').length },
    faults: faultFigures(history, f, invokes),
  };
}

/** Every fault window (from the nemesis ops) with the ok throughput during it, and the throughput outside every fault. */
function faultFigures(history: readonly Op[], f: string, invokes: Op[]) {
  const windows: Array<{ fault: string; on: string; fromMs: number; toMs: number }> = [];
  const open = new Map<string, { fault: string; on: string; fromMs: number }>();
  const end = (invokes.at(-1)?.time ?? 0) / 1e6;
  for (const op of history) {
    if (op.process !== 'nemesis') continue;
    const [action, ...kind] = op.f.split('-');
    const fault = kind.join('-');
    const on = String((op.value as { on?: string })?.on ?? '');
    if (action === 'start') open.set(`${fault} ${on}`, { fault, on, fromMs: op.time / 1e6 });
    else if (action === 'stop' && open.has(`${fault} ${on}`)) {
      windows.push({ ...open.get(`${fault} ${on}`)!, toMs: op.time / 1e6 });
      open.delete(`${fault} ${on}`);
    }
  }
  for (const w of open.values()) windows.push({ ...w, toMs: end });
  return {
    windows: windows.map((w) => {
      const t = throughputWhile(history, f, [w]);
      return { fault: w.fault, on: w.on, fromS: round(w.fromMs / 1000), toS: round(w.toMs / 1000), okPerSecond: t.blockedOkPerSecond };
    }),
    outsideOkPerSecond: throughputWhile(history, f, windows).otherOkPerSecond,
  };
}

function settleFigures(history: readonly Op[]) {
  const settle = history.findLast((op) => op.f === 'settle' && op.type !== 'invoke');
  if (!settle) return null;
  return { quiescent: settle.type === 'ok', waitedMs: (settle.value as { waitedMs?: number })?.waitedMs ?? null };
}

function bankFigures(files: CaseFiles, audit: Record<string, unknown> | undefined, auditOp: Op | undefined) {
  const { history, options } = files;
  const transfers = history.filter((op) => op.f === 'transfer' && op.type === 'ok');
  const phaseNames = [...new Set(transfers.flatMap((op) => Object.keys((op.phases as Record<string, number>) ?? {})))];
  const phasesMs = Object.fromEntries(
    phaseNames.map((p) => [p, withMean(transfers.map((op) => (op.phases as Record<string, number>)[p]).filter(Number.isFinite))]),
  );

  // Reads during the load, not the ones taken with nothing in flight.
  const invokes = new Map<Op['process'], Op>();
  const duringLoad = history.filter((op) => {
    if (op.f !== 'read') return false;
    if (op.type === 'invoke') invokes.set(op.process, op);
    const invoke = op.type === 'invoke' ? op : invokes.get(op.process);
    return !invoke?.initial && !invoke?.final;
  });
  const total = bankTotal(options);
  const anomalies = checkBank(duringLoad, { total, accounts: bankAccounts(options) });
  const shortfalls = Object.entries(anomalies.wrongSums).flatMap(([sum, n]) => Array<number>(n).fill(total - Number(sum)));
  const reads = duringLoad.filter((op) => op.type !== 'invoke');

  const figures: Record<string, unknown> = {
    reads: {
      ok: reads.filter((op) => op.type === 'ok').length,
      fail: reads.filter((op) => op.type === 'fail').length,
      info: reads.filter((op) => op.type === 'info').length,
    },
    readAnomalies: {
      reads: anomalies.reads,
      anomalous: anomalies.badReads,
      fraction: anomalies.reads ? round(anomalies.badReads / anomalies.reads) : null,
      missingAmount: withMean(shortfalls),
    },
    ...(phaseNames.length ? { phasesMs } : {}),
  };
  if (!audit) return figures;
  const effects = (audit.transfers ?? {}) as Record<string, TransferEffects>;
  if (audit.commits === 'atomic') {
    const log = (audit.log ?? []) as DecisionEntry[];
    figures.inDoubt = inDoubt(log);
    // The service's timestamps (ms since the epoch) on the history's clock, by the audit's own request.
    const auditInvoke = history.findLast((op) => op.f === 'audit' && op.type === 'invoke' && op.process === auditOp!.process && op.index < auditOp!.index);
    const offsetMs = Number(auditOp!.atWallMs) - (auditInvoke?.time ?? auditOp!.time) / 1e6;
    const blocking = log
      .filter((d) => (d.completedAtMs ?? Number.POSITIVE_INFINITY) - d.preparedAtMs > blockingMs)
      .map((d) => ({ fromMs: d.preparedAtMs - offsetMs, toMs: (d.completedAtMs ?? Number.POSITIVE_INFINITY) - offsetMs }));
    figures.blockedThroughput = { heldLongerThanMs: blockingMs, ...throughputWhile(history, 'transfer', blocking) };
  } else figures.inconsistencyWindowMs = transferWindows(effects);
  return figures;
}

function orderFigures(history: readonly Op[], audit: Record<string, unknown> | undefined) {
  const reads = history.filter((op) => op.f === 'read-order' && op.type === 'ok' && op.value !== null);
  const pending = reads.filter((op) => op.value === 'pending').length;
  const figures: Record<string, unknown> = {
    readAnomalies: { reads: reads.length, sawPending: pending, fraction: reads.length ? round(pending / reads.length) : null },
  };
  if (!audit) return figures;
  const a = audit as unknown as OrderAudit;
  const states = a.orders.map((o) => o.state);
  figures.orderStates = Object.fromEntries([...new Set(states)].map((s) => [s, states.filter((x) => x === s).length]));
  figures.inconsistencyWindowMs = orderWindows({ orders: a.orders, records: [...a.inventory.records, ...a.payment.records, ...a.shipping.records] });
  return figures;
}
