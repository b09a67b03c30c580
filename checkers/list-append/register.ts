import { RW, WR, type GraphBuilder } from './graph.ts';
import type { ReadAnomaly, Witness } from './infer.ts';
import type { Element, Key, Txn } from './txn.ts';

interface Write {
  txn: number;
  /** The txn wrote nothing to this key after this value. */
  final: boolean;
}

/**
 * What a history of read-write registers (`[:w k v]`, `[:r k v]`) lets us
 * infer, as far as it allows (pure). A read names its writer, since each
 * value is written once: that gives the wr edges, aborted, intermediate and
 * garbage reads. A register's version order is mostly hidden — a read of 3
 * says nothing of whether 2 was written before or after — so the only
 * ordering taken is the one every store keeps: the register starts unwritten,
 * so a read of nil comes before every committed write of the key (rw). No ww
 * edge is ever inferred; a cycle that needs one goes unseen, so a register
 * history can be found invalid, never proved valid beyond what these edges
 * show. Throws when a value is written twice to one key.
 */
export class RegisterInference {
  readonly anomalies: ReadAnomaly[] = [];
  private readonly writers = new Map<Key, Map<Element, Write>>();
  /** Per key, the committed txns that wrote it (`ok`, or `info` with a write some read shows) and a value each wrote. */
  private readonly committedWriters = new Map<Key, Map<number, Element>>();

  constructor(private readonly txns: readonly Txn[]) {
    this.indexWrites();
    for (const t of txns) if (t.status === 'ok') this.checkReads(t);
  }

  /** Adds the wr edges, and the rw edges from reads of a never-written register. */
  addEdges(graph: GraphBuilder): void {
    for (const t of this.txns) {
      if (t.status !== 'ok') continue;
      this.wrInto(t, (a) => graph.add(a, t.id, WR));
      this.rwFrom(t, (b) => graph.add(t.id, b, RW));
    }
  }

  /** What shows edge `a → b` of one data kind; undefined when it does not hold here. */
  why(a: number, b: number, kind: number): Witness | undefined {
    let found: Witness | undefined;
    const take = (want: number) => (other: number, w: Witness) => {
      if (!found && other === want) found = w;
    };
    if (kind === WR) this.wrInto(this.txns[b], take(a));
    else if (kind === RW) this.rwFrom(this.txns[a], take(b));
    return found;
  }

  private indexWrites(): void {
    for (const t of this.txns) {
      const last = new Map<Key, Write>();
      for (const m of t.mops) {
        if (m.f !== 'w') continue;
        let byValue = this.writers.get(m.key);
        if (!byValue) this.writers.set(m.key, (byValue = new Map()));
        const prior = byValue.get(m.value);
        if (prior) {
          const where = (x: Txn) => `op ${x.completeIndex ?? x.invokeIndex}`;
          throw new Error(
            `${where(t)}: value ${JSON.stringify(m.value)} is written to key ${JSON.stringify(m.key)} again (first by ${where(this.txns[prior.txn])}); a register history needs every write to a key unique`,
          );
        }
        const write = { txn: t.id, final: true };
        const before = last.get(m.key);
        if (before) before.final = false;
        last.set(m.key, write);
        byValue.set(m.value, write);
      }
    }
    const committed = new Set<number>();
    for (const t of this.txns) {
      if (t.status !== 'ok') continue;
      committed.add(t.id);
      for (const m of t.mops) {
        const writer = m.f === 'read' && m.value !== null ? this.writers.get(m.key)?.get(m.value) : undefined;
        if (writer && this.txns[writer.txn].status === 'info') committed.add(writer.txn);
      }
    }
    for (const [key, byValue] of this.writers) {
      const txns = new Map<number, Element>();
      for (const [value, w] of byValue) if (committed.has(w.txn) && !txns.has(w.txn)) txns.set(w.txn, value);
      this.committedWriters.set(key, txns);
    }
  }

  private checkReads(t: Txn): void {
    // Per key, what this txn last wrote or read: a later read must see it again.
    const own = new Map<Key, Element | null>();
    t.mops.forEach((m, mop) => {
      if (m.f === 'w') {
        own.set(m.key, m.value);
        return;
      }
      if (m.f !== 'read') return;
      const add = (a: Omit<ReadAnomaly, 'txn' | 'mop' | 'key' | 'read' | 'register'>) =>
        this.anomalies.push({ txn: t.id, mop, key: m.key, read: m.value, register: true, ...a });
      if (own.has(m.key)) {
        const expected = own.get(m.key)!;
        if (expected !== m.value) add({ type: 'internal', expected: [expected] });
        return;
      }
      own.set(m.key, m.value);
      if (m.value === null) return;
      const write = this.writers.get(m.key)?.get(m.value);
      if (!write) add({ type: 'garbage-read', element: m.value });
      else if (write.txn === t.id) add({ type: 'future-read', element: m.value });
      else if (this.txns[write.txn].status === 'fail') add({ type: 'G1a', element: m.value, writer: write.txn });
      else if (!write.final) add({ type: 'G1b', element: m.value, writer: write.txn });
    });
  }

  /** The external reads of `t`: each key's first micro-op when it is a read, so it saw what others wrote. */
  private externalReads(t: Txn, each: (key: Key, value: Element | null) => void): void {
    const touched = new Set<Key>();
    for (const m of t.mops) {
      if (m.f !== 'w' && m.f !== 'read') continue;
      if (!touched.has(m.key) && m.f === 'read') each(m.key, m.value);
      touched.add(m.key);
    }
  }

  private wrInto(t: Txn, edge: (a: number, w: Witness) => void): void {
    this.externalReads(t, (key, value) => {
      if (value === null) return;
      const write = this.writers.get(key)?.get(value);
      if (write && write.txn !== t.id && this.txns[write.txn].status !== 'fail') edge(write.txn, { key, x: value, read: value, register: true });
    });
  }

  private rwFrom(t: Txn, edge: (b: number, w: Witness) => void): void {
    this.externalReads(t, (key, value) => {
      if (value !== null) return;
      for (const [b, y] of this.committedWriters.get(key) ?? []) if (b !== t.id) edge(b, { key, read: null, y, register: true });
    });
  }
}
