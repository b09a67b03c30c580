import type { ConsistencyPattern, Served } from './api.ts';
import { type LWWRegister, lwwRegister } from './crdt/lww-register.ts';
import { type ORSet, orSet } from './crdt/or-set.ts';
import { type PNCounter, pnCounter } from './crdt/pn-counter.ts';
import { HttpError, type Route } from '../kit/http.ts';

/**
 * How concurrent writes on different replicas are resolved: `lww` keeps
 * every key, counters and sets included, as one last-writer-wins register
 * (an increment is a local read plus a write of value + 1, so of two
 * concurrent increments one is lost); `crdt` keeps registers as LWW-registers,
 * counters as PN-Counters and sets as OR-Sets, which merge without losing
 * either side.
 */
export type Resolution = 'lww' | 'crdt';

/** What one key holds on a replica: a register, or (with `crdt`) a counter or a set. */
export type Entry = { kind: 'lww'; reg: LWWRegister } | { kind: 'pn'; counter: PNCounter } | { kind: 'or'; set: ORSet };

/** The pure merge of two replicas' entries for one key; throws when one key is used as two kinds. */
export function mergeEntries(a: Entry, b: Entry): Entry {
  if (a.kind === 'lww' && b.kind === 'lww') return { kind: 'lww', reg: lwwRegister.merge(a.reg, b.reg) };
  if (a.kind === 'pn' && b.kind === 'pn') return { kind: 'pn', counter: pnCounter.merge(a.counter, b.counter) };
  if (a.kind === 'or' && b.kind === 'or') return { kind: 'or', set: orSet.merge(a.set, b.set) };
  throw new Error(`one key used as a ${a.kind} and a ${b.kind}`);
}

/** An entry's value as a read returns it: the register's value, the counter's number, the set's sorted elements. */
export function entryValue(e: Entry | undefined): unknown {
  if (!e) return null;
  if (e.kind === 'lww') return e.reg.value;
  if (e.kind === 'pn') return pnCounter.value(e.counter);
  return orSet.value(e.set);
}

/**
 * Multi-leader replication: every replica accepts every write on its own
 * in-memory store at once, answers, and sends the changed key to each peer
 * (through its own link to that peer); every `syncMs` it also sends its
 * whole state to each peer (anti-entropy), so a peer cut off by a partition,
 * or restarted empty, catches up after the heal. A replica merges what it
 * receives entry by entry (`mergeEntries`). Always available, never
 * linearizable: a read returns this replica's state, and compare-and-set
 * compares against it only. LWW stamps are this replica's wall clock, kept
 * strictly increasing, with the replica's name breaking ties.
 */
export class MultiLeaderStore implements ConsistencyPattern {
  readonly role = 'leader';
  private readonly state = new Map<string, Entry>();
  private lastStampMs = 0;
  private tags = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly node: string,
    private readonly peers: Readonly<Record<string, string>>,
    private readonly resolution: Resolution,
    syncMs: number,
  ) {
    this.timer = setInterval(() => {
      for (const url of Object.values(this.peers)) void this.send(url, [...this.state]);
    }, syncMs);
  }

  /** The route peers send entries to: `POST /replicate { entries: [[key, entry], …] }`. */
  get routes(): Route[] {
    return [
      {
        method: 'POST',
        path: '/replicate',
        handle: async (req) => {
          const { entries } = (await req.json()) as { entries?: [string, Entry][] };
          if (!Array.isArray(entries)) throw new HttpError(400, 'request body: expected { entries: [[key, entry], …] }');
          for (const [key, entry] of entries) this.merge(key, entry);
          return { status: 204 };
        },
      },
    ];
  }

  async read(key: string): Promise<Served & { value: unknown }> {
    return { value: entryValue(this.state.get(key)), node: this.node };
  }

  async write(key: string, value: string): Promise<Served> {
    this.set(key, { kind: 'lww', reg: lwwRegister.write(value, this.stamp(), this.node) });
    return { node: this.node };
  }

  async cas(key: string, from: string | null, to: string): Promise<Served & { swapped: boolean }> {
    const swapped = entryValue(this.state.get(key)) === from;
    if (swapped) await this.write(key, to);
    return { swapped, node: this.node };
  }

  async incr(key: string): Promise<Served & { value: number }> {
    const current = this.state.get(key);
    if (this.resolution === 'crdt') {
      const counter = pnCounter.add(current?.kind === 'pn' ? current.counter : pnCounter.empty(), this.node, 1);
      this.set(key, { kind: 'pn', counter });
      return { value: pnCounter.value(counter), node: this.node };
    }
    const value = Number(entryValue(current) ?? 0) + 1;
    this.set(key, { kind: 'lww', reg: lwwRegister.write(value, this.stamp(), this.node) });
    return { value, node: this.node };
  }

  async add(key: string, element: string): Promise<Served> {
    const current = this.state.get(key);
    if (this.resolution === 'crdt') {
      const set = orSet.add(current?.kind === 'or' ? current.set : orSet.empty(), element, `${this.node}-${++this.tags}`);
      this.set(key, { kind: 'or', set });
    } else {
      const elements = (entryValue(current) as string[] | null) ?? [];
      const next = elements.includes(element) ? elements : [...elements, element].sort();
      this.set(key, { kind: 'lww', reg: lwwRegister.write(next, this.stamp(), this.node) });
    }
    return { node: this.node };
  }

  async close(): Promise<unknown> {
    clearInterval(this.timer);
    return undefined;
  }

  private set(key: string, entry: Entry): void {
    this.state.set(key, entry);
    for (const url of Object.values(this.peers)) void this.send(url, [[key, entry]]);
  }

  private merge(key: string, entry: Entry): void {
    const mine = this.state.get(key);
    this.state.set(key, mine ? mergeEntries(mine, entry) : entry);
  }

  private stamp(): number {
    this.lastStampMs = Math.max(Date.now(), this.lastStampMs + 1);
    return this.lastStampMs;
  }

  /** Best effort: a peer that cannot be reached now gets it with the next anti-entropy round. */
  private async send(url: string, entries: [string, Entry][]): Promise<void> {
    if (entries.length === 0) return;
    await fetch(`${url}/replicate`, { method: 'POST', body: JSON.stringify({ entries }), signal: AbortSignal.timeout(1_000) })
      .then((res) => res.body?.cancel())
      .catch(() => undefined);
  }
}
