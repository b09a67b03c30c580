import type { HistoryRatio } from './family-views.ts';
import { forEachLine } from './read-lines.ts';

/** A fault's active span, from its `start-<fault>` nemesis op to its `stop-<fault>` (or the history's end). */
export interface FaultWindow {
  fault: string;
  /** The link or component it acted on. */
  on: string;
  /** ns since the run started. */
  startNs: number;
  endNs: number;
  /** True when the history ends before the fault's stop. */
  open: boolean;
}

/** Latency quantiles, ms; nearest rank (each is a latency some client saw). */
export interface Quantiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** One bucket of the time series; `tS` is its start, seconds since the run started. */
export interface SeriesRow {
  tS: number;
  /** Completions per second in the bucket, by type. */
  okPerS: number;
  failPerS: number;
  infoPerS: number;
  /** Over the completions that ended in the bucket; absent when none did. */
  latencyMs?: Quantiles;
  /** Each history ratio over the bucket's counted completions; absent when none counted. */
  ratios: Record<string, number | undefined>;
}

/** The generic figures of one case, computed from its history alone, the same way for every family. */
export interface CaseStats {
  /** Client operations (invokes); fault events are not operations. */
  ops: number;
  ok: number;
  fail: number;
  info: number;
  /** Invoked, never completed (the history ends first). */
  open: number;
  /** `fail` + `info`. */
  errors: number;
  /** errors / completed ops. */
  errorRate: number | undefined;
  /** ok / completed ops. */
  availability: number | undefined;
  /** `ok` completions per second, from the first client invoke to the last client completion. */
  throughput: number | undefined;
  /** Over every completion (ok, fail and info): what clients waited. */
  latencyMs: Quantiles | undefined;
  /** Each ratio of the family's view over the whole history. */
  ratios: Record<string, { value: number | undefined; counted: number }>;
  /** First client invoke to last client completion, ns. */
  loadNs: { start: number; end: number } | undefined;
  series: { bucketMs: number; rows: SeriesRow[] };
  windows: FaultWindow[];
  /** The history's last time stamp, ns. */
  endNs: number;
}

/** Bucket widths the time series chooses from, ms. */
const BUCKETS_MS = [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];
/** At most this many buckets are drawn, whatever the history's length: drawing is downsampled, the figures never are. */
export const MAX_BUCKETS = 300;
/** Buckets hold this many completions on average at least, so their quantiles mean something. */
const MIN_OPS_PER_BUCKET = 50;

/**
 * Reads a case's `history.jsonl` line by line (never whole) and computes its
 * generic figures: counts, throughput, latency quantiles, error rate, the
 * family's history ratios, fault windows, and a time series in buckets of a
 * width chosen so that there are at most {@link MAX_BUCKETS} and, where the
 * run allows, {@link MIN_OPS_PER_BUCKET} completions a bucket. A completion's
 * latency is its own `latencyMs` when the client recorded one, else the time
 * since its invoke. Throws an Error naming `path:line` for a line that is not
 * a JSON object, and the fs error for an unreadable file.
 */
export function computeCaseStats(path: string, ratios: Readonly<Record<string, HistoryRatio>> = {}): CaseStats {
  const acc = new StatsAccumulator(ratios);
  forEachLine(path, (text, line) => {
    let op: unknown;
    try {
      op = JSON.parse(text);
    } catch (err) {
      throw new Error(`${path}:${line}: not JSON (${(err as Error).message})`);
    }
    if (typeof op !== 'object' || op === null || Array.isArray(op)) throw new Error(`${path}:${line}: expected an op object`);
    acc.add(op as Record<string, unknown>);
  });
  return acc.finish();
}

/** Growable typed columns: a million completions cost some 20 MB, not a million objects. */
class Column<T extends Float64Array | Int8Array> {
  data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

const TYPE_CODE = { ok: 0, fail: 1, info: 2 } as const;

/** Takes ops in file order; `finish` computes the figures. Exported for tests that build histories in memory. */
export class StatsAccumulator {
  private readonly invokedAt = new Map<unknown, number>();
  private readonly doneNs = new Column((n) => new Float64Array(n));
  private readonly latency = new Column((n) => new Float64Array(n));
  private readonly type = new Column((n) => new Int8Array(n));
  /** Per ratio, per completion: 1 counted and matching, 0 counted and not, -1 not counted. */
  private readonly ratioMarks: Array<Column<Int8Array>>;
  private readonly ratioNames: string[];
  private readonly openFaults = new Map<string, { fault: string; on: string; startNs: number }>();
  private readonly windows: FaultWindow[] = [];
  private invokes = 0;
  private firstInvokeNs: number | undefined;
  private lastNs = 0;

  constructor(private readonly ratios: Readonly<Record<string, HistoryRatio>>) {
    this.ratioNames = Object.keys(ratios);
    this.ratioMarks = this.ratioNames.map(() => new Column((n) => new Int8Array(n)));
  }

  add(op: Record<string, unknown>): void {
    const time = typeof op.time === 'number' ? op.time : this.lastNs;
    this.lastNs = Math.max(this.lastNs, time);
    if (op.process === 'nemesis') {
      this.addFaultEvent(op, time);
      return;
    }
    // k6's setup and teardown (seeding, final reads) are not the load: its figures leave them out.
    if (op.load === false) return;
    if (op.type === 'invoke') {
      this.invokes++;
      this.firstInvokeNs ??= time;
      this.invokedAt.set(op.process, time);
      return;
    }
    const code = TYPE_CODE[op.type as keyof typeof TYPE_CODE];
    if (code === undefined) return;
    const invoked = this.invokedAt.get(op.process);
    this.invokedAt.delete(op.process);
    const latency = typeof op.latencyMs === 'number' && Number.isFinite(op.latencyMs) ? op.latencyMs : invoked !== undefined ? (time - invoked) / 1e6 : NaN;
    this.doneNs.push(time);
    this.latency.push(latency);
    this.type.push(code);
    for (let i = 0; i < this.ratioNames.length; i++) {
      const r = this.ratios[this.ratioNames[i]];
      const counted = op.type === 'ok' && (r.f === undefined || op.f === r.f) && op[r.field] !== undefined;
      this.ratioMarks[i].push(counted ? (op[r.field] === r.equals ? 1 : 0) : -1);
    }
  }

  private addFaultEvent(op: Record<string, unknown>, time: number): void {
    const m = typeof op.f === 'string' ? /^(start|stop)-(.+)$/.exec(op.f) : null;
    if (!m) return;
    const [, action, fault] = m;
    const value = op.value as { on?: unknown } | null;
    const on = value && typeof value === 'object' && typeof value.on === 'string' ? value.on : '';
    const id = `${fault}\u0000${on}`;
    if (action === 'start') {
      if (!this.openFaults.has(id)) this.openFaults.set(id, { fault, on, startNs: time });
      return;
    }
    const started = this.openFaults.get(id);
    if (!started) return;
    this.openFaults.delete(id);
    this.windows.push({ ...started, endNs: time, open: false });
  }

  finish(): CaseStats {
    const done = this.doneNs.view();
    const latency = this.latency.view();
    const type = this.type.view();
    const counts = [0, 0, 0];
    for (const t of type) counts[t]++;
    const [ok, fail, info] = counts;
    const completed = ok + fail + info;
    const lastDone = done.length ? done[done.length - 1] : undefined;
    const loadNs =
      this.firstInvokeNs !== undefined && lastDone !== undefined && lastDone > this.firstInvokeNs ? { start: this.firstInvokeNs, end: lastDone } : undefined;
    const windows = [...this.windows, ...[...this.openFaults.values()].map((w) => ({ ...w, endNs: this.lastNs, open: true }))].sort(
      (a, b) => a.startNs - b.startNs,
    );
    const ratios = Object.fromEntries(
      this.ratioNames.map((name, i) => {
        let yes = 0;
        let counted = 0;
        for (const m of this.ratioMarks[i].view()) {
          if (m < 0) continue;
          counted++;
          yes += m;
        }
        return [name, { value: counted ? yes / counted : undefined, counted }];
      }),
    );
    return {
      ops: this.invokes,
      ok,
      fail,
      info,
      open: this.invokes - completed,
      errors: fail + info,
      errorRate: completed ? (fail + info) / completed : undefined,
      availability: completed ? ok / completed : undefined,
      throughput: loadNs ? ok / ((loadNs.end - loadNs.start) / 1e9) : undefined,
      latencyMs: quantiles(latency),
      ratios,
      loadNs,
      series: this.series(done, latency, type, loadNs),
      windows,
      endNs: this.lastNs,
    };
  }

  private series(done: Float64Array, latency: Float64Array, type: Int8Array, loadNs: CaseStats['loadNs']): CaseStats['series'] {
    const spanMs = this.lastNs / 1e6;
    const perMs = loadNs ? done.length / ((loadNs.end - loadNs.start) / 1e6) : 0;
    const bucketMs =
      BUCKETS_MS.find((w) => spanMs / w <= MAX_BUCKETS && (perMs === 0 || perMs * w >= MIN_OPS_PER_BUCKET)) ??
      BUCKETS_MS.find((w) => spanMs / w <= MAX_BUCKETS) ??
      Math.ceil(spanMs / MAX_BUCKETS);
    const n = Math.max(1, Math.ceil((spanMs + 1e-9) / bucketMs));
    // Completions grouped by bucket (a counting sort), so each bucket's quantiles sort only its own latencies.
    const bucketOf = (i: number) => Math.min(n - 1, Math.floor(done[i] / 1e6 / bucketMs));
    const starts = new Uint32Array(n + 1);
    for (let i = 0; i < done.length; i++) starts[bucketOf(i) + 1]++;
    for (let b = 0; b < n; b++) starts[b + 1] += starts[b];
    const order = new Uint32Array(done.length);
    const fill = starts.slice(0, n);
    for (let i = 0; i < done.length; i++) order[fill[bucketOf(i)]++] = i;
    const perS = 1000 / bucketMs;
    const rows: SeriesRow[] = [];
    for (let b = 0; b < n; b++) {
      const counts = [0, 0, 0];
      const lat = new Float64Array(starts[b + 1] - starts[b]);
      const yes = new Array<number>(this.ratioNames.length).fill(0);
      const counted = new Array<number>(this.ratioNames.length).fill(0);
      for (let j = starts[b]; j < starts[b + 1]; j++) {
        const i = order[j];
        counts[type[i]]++;
        lat[j - starts[b]] = latency[i];
        for (let r = 0; r < this.ratioMarks.length; r++) {
          const m = this.ratioMarks[r].data[i];
          if (m >= 0) {
            counted[r]++;
            yes[r] += m;
          }
        }
      }
      rows.push({
        tS: (b * bucketMs) / 1000,
        okPerS: counts[0] * perS,
        failPerS: counts[1] * perS,
        infoPerS: counts[2] * perS,
        latencyMs: quantiles(lat),
        ratios: Object.fromEntries(this.ratioNames.map((name, r) => [name, counted[r] ? yes[r] / counted[r] : undefined])),
      });
    }
    return { bucketMs, rows };
  }
}

/** Nearest-rank quantiles of the finite values; undefined when there are none. Sorts a copy. */
export function quantiles(values: Float64Array): Quantiles | undefined {
  const sorted = values.filter(Number.isFinite).sort();
  if (sorted.length === 0) return undefined;
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] };
}
