import { RW, WR, WW, type GraphBuilder } from './graph.ts';
import type { Element, Key, Txn } from './txn.ts';

/** The anomalies a list-append history shows without any cycle: one bad read, or one transaction at odds with itself. */
export type ReadAnomalyType = 'G1a' | 'G1b' | 'internal' | 'future-read' | 'garbage-read' | 'duplicate-elements' | 'incompatible-order';

/** One such anomaly, by txn id; {@link explain} turns it into words. */
export interface ReadAnomaly {
  type: ReadAnomalyType;
  /** The transaction whose read shows it. */
  txn: number;
  /** Which of its micro-ops. */
  mop: number;
  key: Key;
  /** The list the read returned; for a register, the value (`null`: never written). */
  read: Element[] | Element | null;
  /** The key is a register, not a list. */
  register?: true;
  /** The element at fault: aborted, intermediate, never appended, repeated, or appended later by the reader itself. */
  element?: Element;
  /** Who appended `element` (G1a, G1b). */
  writer?: number;
  /** internal: what the txn's own earlier micro-ops say it must read (`null` first: an unknown prefix; for a register, the one value). incompatible-order: the longest read of the key. */
  expected?: Array<Element | null>;
  /** incompatible-order: the txn and micro-op of the longest read. */
  other?: { txn: number; mop: number };
}

/** Why an edge holds: the key and the elements the inference saw. */
export interface Witness {
  key: Key;
  /** ww: the earlier element; wr: the last element read. */
  x?: Element;
  /** ww: the later element; rw: the element the reader did not see. */
  y?: Element;
  /** wr, rw: the list read (the reader's own trailing appends removed); for a register, the value (`null`: never written). */
  read?: Element[] | Element | null;
  /** The key is a register, not a list. */
  register?: true;
}

interface Append {
  txn: number;
  element: Element;
  /** The txn appended nothing to this key after this element. */
  final: boolean;
}

/** A key's version order as far as reads show it: the longest read, every element's position in it. */
interface Order {
  elements: Element[];
  pos: Map<Element, number>;
  txn: number;
  mop: number;
}

/**
 * Everything list-append lets us infer from the values read (pure): the
 * anomalies of single reads, and the ww, wr and rw dependencies. Because an
 * append only ever extends a list, the longest read of a key is a prefix of
 * its version order, and every other read must be a prefix of it; a committed
 * append no read shows comes after all of it. Throws when two appends add the
 * same element to one key: the inference needs each element to name one
 * writer.
 */
export class Inference {
  readonly anomalies: ReadAnomaly[] = [];
  private readonly writers = new Map<Key, Map<Element, Append>>();
  private readonly orders = new Map<Key, Order>();
  /** Committed txns whose append to the key no read shows; they follow the whole known order. */
  private readonly unseen = new Map<Key, number[]>();
  /** Txns known to have committed: `ok`, or `info` with an append some read shows. */
  private readonly committed = new Set<number>();
  /** Reads that are no prefix of their key's order: no rw edge can be read from them. */
  private readonly offOrder = new Set<Element[]>();

  constructor(readonly txns: readonly Txn[]) {
    this.indexAppends();
    this.indexOrders();
    for (const t of txns) if (t.status === 'ok') this.checkReads(t);
  }

  /** Adds every ww, wr and rw edge to `graph`. */
  addEdges(graph: GraphBuilder): void {
    for (const t of this.txns) {
      if (t.status === 'fail') continue;
      this.wwInto(t, (a) => graph.add(a, t.id, WW));
      if (t.status !== 'ok') continue;
      this.wrInto(t, (a) => graph.add(a, t.id, WR));
      this.rwFrom(t, (b) => graph.add(t.id, b, RW));
    }
  }

  /** What shows edge `a → b` of one data kind; undefined when it does not hold. */
  why(a: number, b: number, kind: number): Witness | undefined {
    let found: Witness | undefined;
    const take = (want: number) => (other: number, w: Witness) => {
      if (!found && other === want) found = w;
    };
    if (kind === WW) this.wwInto(this.txns[b], take(a));
    else if (kind === WR) this.wrInto(this.txns[b], take(a));
    else if (kind === RW) this.rwFrom(this.txns[a], take(b));
    return found;
  }

  private indexAppends(): void {
    for (const t of this.txns) {
      const last = new Map<Key, Append>();
      for (const m of t.mops) {
        if (m.f !== 'append') continue;
        let byElement = this.writers.get(m.key);
        if (!byElement) this.writers.set(m.key, (byElement = new Map()));
        const prior = byElement.get(m.value);
        if (prior) {
          const where = (x: Txn) => `op ${x.completeIndex ?? x.invokeIndex}`;
          throw new Error(
            `${where(t)}: element ${JSON.stringify(m.value)} is appended to key ${JSON.stringify(m.key)} again (first by ${where(this.txns[prior.txn])}); list-append needs every append to a key unique`,
          );
        }
        const append = { txn: t.id, element: m.value, final: true };
        const before = last.get(m.key);
        if (before) before.final = false;
        last.set(m.key, append);
        byElement.set(m.value, append);
      }
    }
  }

  private indexOrders(): void {
    for (const t of this.txns) {
      if (t.status !== 'ok') continue;
      t.mops.forEach((m, mop) => {
        if (m.f !== 'r' || m.value === null) return;
        const known = this.orders.get(m.key);
        if (!known || m.value.length > known.elements.length) this.orders.set(m.key, { elements: m.value, pos: new Map(), txn: t.id, mop });
      });
    }
    for (const t of this.txns) if (t.status === 'ok') this.committed.add(t.id);
    for (const [key, order] of this.orders) {
      const byElement = this.writers.get(key);
      order.elements.forEach((e, i) => {
        if (!order.pos.has(e)) order.pos.set(e, i);
        const append = byElement?.get(e);
        if (append && this.txns[append.txn].status === 'info') this.committed.add(append.txn);
      });
    }
    for (const [key, byElement] of this.writers) {
      const pos = this.orders.get(key)?.pos;
      const txns = new Set<number>();
      for (const [element, append] of byElement) if (!pos?.has(element) && this.committed.has(append.txn)) txns.add(append.txn);
      if (txns.size > 0) this.unseen.set(key, [...txns]);
    }
  }

  private checkReads(t: Txn): void {
    const own = new Map<Key, { known: boolean; list: Element[] }>();
    // Per key, each element this txn has read so far and the micro-op that read it.
    const readSoFar = new Map<Key, Map<Element, number>>();
    t.mops.forEach((m, mop) => {
      if (m.f === 'append') {
        const readAt = readSoFar.get(m.key)?.get(m.value);
        if (readAt !== undefined)
          this.anomalies.push({
            type: 'future-read',
            txn: t.id,
            mop: readAt,
            key: m.key,
            read: (t.mops[readAt].value as Element[] | null) ?? [],
            element: m.value,
          });
        const state = own.get(m.key);
        own.set(m.key, state ? { known: state.known, list: [...state.list, m.value] } : { known: false, list: [m.value] });
        return;
      }
      if (m.f !== 'r') return;
      const read = m.value ?? [];
      const add = (a: Omit<ReadAnomaly, 'txn' | 'mop' | 'key' | 'read'>) => this.anomalies.push({ txn: t.id, mop, key: m.key, read, ...a });
      const expected = own.get(m.key);
      if (expected && !matches(read, expected)) add({ type: 'internal', expected: expected.known ? expected.list : [null, ...expected.list] });
      own.set(m.key, { known: true, list: read });
      let seen = readSoFar.get(m.key);
      if (!seen) readSoFar.set(m.key, (seen = new Map()));

      const byElement = this.writers.get(m.key);
      const order = this.orders.get(m.key)!;
      const counted = new Set<Element>();
      let prefix = read.length <= order.elements.length;
      for (let i = 0; i < read.length; i++) {
        const e = read[i];
        if (!seen.has(e)) seen.set(e, mop);
        if (order.elements[i] !== e) prefix = false;
        if (counted.has(e)) {
          add({ type: 'duplicate-elements', element: e });
          continue;
        }
        counted.add(e);
        const append = byElement?.get(e);
        if (!append) add({ type: 'garbage-read', element: e });
        else if (this.txns[append.txn].status === 'fail') add({ type: 'G1a', element: e, writer: append.txn });
      }
      if (!prefix) {
        this.offOrder.add(read);
        add({ type: 'incompatible-order', expected: order.elements, other: { txn: order.txn, mop: order.mop } });
      }
      const external = this.external(t, m.key, read);
      const last = external[external.length - 1];
      const append = last === undefined ? undefined : byElement?.get(last);
      if (append && append.txn !== t.id && !append.final && this.txns[append.txn].status !== 'fail') add({ type: 'G1b', element: last, writer: append.txn });
    });
  }

  /** The part of a read that other txns wrote: the list without the reader's own trailing appends. */
  private external(t: Txn, key: Key, read: Element[]): Element[] {
    const byElement = this.writers.get(key);
    let end = read.length;
    while (end > 0 && byElement?.get(read[end - 1])?.txn === t.id) end--;
    return end === read.length ? read : read.slice(0, end);
  }

  /** The nearest element at or before `i` in the key's order whose writer may have committed. */
  private committedAtOrBefore(key: Key, order: Order, i: number): Append | undefined {
    const byElement = this.writers.get(key);
    for (; i >= 0; i--) {
      const append = byElement?.get(order.elements[i]);
      if (append && this.txns[append.txn].status !== 'fail') return append;
    }
    return undefined;
  }

  /** ww into `t`: for each of its appends, the writer of the version before it. */
  private wwInto(t: Txn, edge: (a: number, w: Witness) => void): void {
    for (const m of t.mops) {
      if (m.f !== 'append') continue;
      const order = this.orders.get(m.key);
      if (!order) continue;
      const i = order.pos.get(m.value);
      if (i === undefined && !this.committed.has(t.id)) continue;
      const before = this.committedAtOrBefore(m.key, order, (i ?? order.elements.length) - 1);
      if (before) edge(before.txn, { key: m.key, x: before.element, y: m.value });
    }
  }

  /** wr into ok `t`: for each read, the writer of the last element it saw from others. */
  private wrInto(t: Txn, edge: (a: number, w: Witness) => void): void {
    for (const m of t.mops) {
      if (m.f !== 'r' || m.value === null) continue;
      const read = this.external(t, m.key, m.value);
      if (read.length === 0) continue;
      const x = read[read.length - 1];
      const append = this.writers.get(m.key)?.get(x);
      if (append && this.txns[append.txn].status !== 'fail') edge(append.txn, { key: m.key, x, read });
    }
  }

  /** rw from ok `t`: for each read, the writer of the next version, which the read did not see. */
  private rwFrom(t: Txn, edge: (b: number, w: Witness) => void): void {
    for (const m of t.mops) {
      if (m.f !== 'r' || m.value === null || this.offOrder.has(m.value)) continue;
      const order = this.orders.get(m.key)!;
      const read = this.external(t, m.key, m.value);
      const byElement = this.writers.get(m.key);
      let i = read.length;
      for (; i < order.elements.length; i++) {
        const append = byElement?.get(order.elements[i]);
        if (!append || this.txns[append.txn].status === 'fail') continue;
        if (append.txn !== t.id) edge(append.txn, { key: m.key, read, y: order.elements[i] });
        break;
      }
      if (i < order.elements.length) continue;
      // The read saw the whole known order: every committed append no read shows came after it.
      for (const u of this.unseen.get(m.key) ?? []) {
        if (u !== t.id) edge(u, { key: m.key, read, y: this.unseenElement(m.key, u) });
      }
    }
  }

  private unseenElement(key: Key, txn: number): Element | undefined {
    const pos = this.orders.get(key)?.pos;
    for (const m of this.txns[txn].mops) if (m.f === 'append' && m.key === key && !pos?.has(m.value)) return m.value;
    return undefined;
  }
}

/** Does a read agree with what the txn itself last read and appended to the key? */
function matches(read: Element[], expected: { known: boolean; list: Element[] }): boolean {
  const { known, list } = expected;
  if (known ? read.length !== list.length : read.length < list.length) return false;
  const offset = read.length - list.length;
  for (let i = 0; i < list.length; i++) if (read[offset + i] !== list[i]) return false;
  return true;
}
