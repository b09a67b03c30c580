import type { Op } from '../../history/op.ts';
import { mulberry32 } from '../../faults/prng.ts';

/** What {@link generateHistory} simulates. */
export interface HistorySpec {
  model: 'register' | 'cas-register' | 'kv';
  /** Concurrent client slots (a crashed client's slot continues under a new process id, as in Jepsen). */
  processes: number;
  /** Operations to invoke in total. */
  ops: number;
  seed: number;
  /** `linearizable`: every op takes effect at one instant within its call. `lagging`: some reads are served by a replica that lags. */
  store: 'linearizable' | 'lagging';
  /** Fraction of ops that end `info` (half of those take effect anyway, possibly after the client gave up). */
  infoRate?: number;
  /** Keys for `kv` (one register otherwise). */
  keys?: number;
  /** How far the lagging replica is behind, in ms. */
  lagMs?: number;
  /** Fraction of reads the lagging replica serves. */
  staleReadRate?: number;
  /** Longest think time between a client's ops, in ms; default `processes` ms (see {@link generateHistory}). */
  maxThinkMs?: number;
}

const NS_PER_MS = 1e6;
/**
 * Values are drawn from 0..4, as Jepsen's register workloads do: a small
 * domain is what real tests produce, and with unique values the number of
 * distinct states after a burst of unread concurrent writes explodes for
 * every checker alike.
 */
const VALUES = 5;

interface Event {
  timeNs: number;
  seq: number;
  kind: 'invoke' | 'effect' | 'complete';
  slot: number;
  /** The op an effect or completion belongs to (a crashed op's effect may land after its client moved on). */
  flight?: InFlight;
}

/** A binary min-heap of events by time, then by scheduling order (so equal times stay deterministic). */
class EventQueue {
  private heap: Event[] = [];
  private seq = 0;
  push(e: Omit<Event, 'seq'>): void {
    const h = this.heap;
    h.push({ ...e, seq: this.seq++ });
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }
  pop(): Event | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
  private less(a: Event, b: Event): boolean {
    return a.timeNs < b.timeNs || (a.timeNs === b.timeNs && a.seq < b.seq);
  }
}

interface InFlight {
  invoke: Op;
  type: 'ok' | 'fail' | 'info';
  result: unknown;
}

/**
 * Simulates clients against a register, cas-register or kv store and returns
 * the history they would record (pure and deterministic in `spec.seed`;
 * throws nothing). A discrete-event simulation: each client invokes an op,
 * which takes effect at a random instant inside its 1–10 ms call (so a
 * `linearizable` store yields linearizable histories), then thinks up to
 * `maxThinkMs`. Its default grows with the client count, so the total rate
 * stays near that of a rate-limited load generator and about 5–8 ops are in
 * flight: more clients mean more distinct processes and interleavings, not a
 * pile-up that no checker (Porcupine included) could search.
 * Values are 0–4. A `cas` whose expected value does not
 * match ends `fail` (it surely did not take effect). An op chosen to end
 * `info` takes effect with probability ½, at a random instant up to three
 * call lengths after its invocation — possibly after the client gave up —
 * and the client continues as a new process. With `store: 'lagging'`, a
 * `staleReadRate` share of reads return the value the key had `lagMs` earlier:
 * stale reads, which a linearizability checker must reject.
 */
export function generateHistory(spec: HistorySpec): Op[] {
  const random = mulberry32(spec.seed);
  const infoRate = spec.infoRate ?? 0.02;
  const keyCount = spec.model === 'kv' ? (spec.keys ?? 5) : 1;
  const lagNs = (spec.lagMs ?? 20) * NS_PER_MS;
  const staleReadRate = spec.store === 'lagging' ? (spec.staleReadRate ?? 0.1) : 0;
  const maxThinkNs = (spec.maxThinkMs ?? spec.processes) * NS_PER_MS;
  const keyName = (k: number) => (spec.model === 'kv' ? `k${k}` : undefined);

  const state: Array<number | null> = Array.from({ length: keyCount }, () => null);
  // Each key's values with the time they took effect, for the lagging replica.
  const log: Array<Array<{ timeNs: number; value: number | null }>> = Array.from({ length: keyCount }, () => []);
  const processOf = Array.from({ length: spec.processes }, (_, slot) => slot);
  const history: Op[] = [];
  const queue = new EventQueue();
  let invoked = 0;

  const append = (op: Omit<Op, 'index'>) => history.push({ index: history.length, ...op } as Op);
  const keyIndex = (op: Op) => (op.key === undefined ? 0 : Number(op.key.slice(1)));
  const replicaValue = (k: number, atNs: number): number | null => {
    let value: number | null = null;
    for (const entry of log[k]) {
      if (entry.timeNs > atNs) break;
      value = entry.value;
    }
    return value;
  };

  for (let slot = 0; slot < spec.processes; slot++) queue.push({ timeNs: Math.round(random() * maxThinkNs), kind: 'invoke', slot });

  for (let e = queue.pop(); e; e = queue.pop()) {
    if (e.kind === 'invoke') {
      if (invoked === spec.ops) continue;
      const k = Math.floor(random() * keyCount);
      const roll = random();
      const f = spec.model === 'cas-register' ? (roll < 0.4 ? 'read' : roll < 0.7 ? 'write' : 'cas') : roll < 0.5 ? 'read' : 'write';
      let value: unknown = null;
      if (f === 'write') value = Math.floor(random() * VALUES);
      if (f === 'cas') value = [Math.floor(random() * VALUES), Math.floor(random() * VALUES)];
      const invoke: Op = {
        index: history.length,
        time: e.timeNs,
        process: processOf[e.slot],
        type: 'invoke',
        f,
        value,
        ...(keyName(k) ? { key: keyName(k) } : {}),
      };
      append(invoke);
      const latencyNs = Math.round((1 + random() * 9) * NS_PER_MS);
      const crashes = random() < infoRate;
      const flight: InFlight = { invoke, type: crashes ? 'info' : 'ok', result: null };
      if (!crashes) queue.push({ timeNs: e.timeNs + Math.round(random() * latencyNs), kind: 'effect', slot: e.slot, flight });
      else if (random() < 0.5) queue.push({ timeNs: e.timeNs + Math.round(random() * 3 * latencyNs), kind: 'effect', slot: e.slot, flight });
      queue.push({ timeNs: e.timeNs + latencyNs, kind: 'complete', slot: e.slot, flight });
      invoked++;
    } else if (e.kind === 'effect') {
      const op = e.flight!;
      const k = keyIndex(op.invoke);
      if (op.invoke.f === 'read') {
        op.result = random() < staleReadRate ? replicaValue(k, e.timeNs - lagNs) : state[k];
      } else {
        const [expected, next] = op.invoke.f === 'cas' ? (op.invoke.value as [number, number]) : [state[k], op.invoke.value as number];
        if (state[k] === expected) {
          state[k] = next;
          log[k].push({ timeNs: e.timeNs, value: next });
        } else if (op.type === 'ok') op.type = 'fail';
      }
    } else {
      const op = e.flight!;
      const value = op.invoke.f === 'read' ? (op.type === 'ok' ? op.result : null) : op.invoke.value;
      append({ time: e.timeNs, process: op.invoke.process, type: op.type, f: op.invoke.f, value, ...(op.invoke.key ? { key: op.invoke.key } : {}) });
      if (op.type === 'info') processOf[e.slot] += spec.processes;
      queue.push({ timeNs: e.timeNs + Math.round(random() * maxThinkNs), kind: 'invoke', slot: e.slot });
    }
  }
  return history;
}
