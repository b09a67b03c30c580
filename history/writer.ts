import { openSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import type { Op, OpInput } from './op.ts';

/**
 * Appends ops to a `history.jsonl` as they happen: one synchronous write a
 * line, so a run that dies keeps every op it had recorded. Numbers ops
 * densely in the order they are appended (that order is the real-time order).
 * Not safe across processes: one writer per file.
 */
export class HistoryWriter {
  private fd: number | undefined;
  private next = 0;
  private lastTimeNs = 0;
  /** Ops appended so far by type, plus how many of them were nemesis events. */
  readonly counts = { invoke: 0, ok: 0, fail: 0, info: 0, nemesis: 0 };

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  /**
   * Appends one op, assigning its index; returns the numbered op. Throws if
   * closed. `time` is kept monotonic: ops come from two clocks (k6's
   * millisecond `Date.now()`, the nemesis's `hrtime`), so an op stamped a
   * hair before its predecessor is raised to it rather than reordered — the
   * file order is the real-time order, and `time` must agree with it. A
   * raised op keeps its own clock's reading as `clockTime`, so how far the
   * two clocks disagreed stays visible.
   */
  append(op: OpInput): Op {
    if (this.fd === undefined) throw new Error(`history ${this.path} is closed`);
    const raised = op.time < this.lastTimeNs;
    this.lastTimeNs = Math.max(this.lastTimeNs, op.time);
    const numbered = { ...op, index: this.next++, time: this.lastTimeNs, ...(raised ? { clockTime: op.time } : {}) } as Op;
    writeSync(this.fd, `${JSON.stringify(numbered)}\n`);
    this.counts[numbered.type]++;
    if (numbered.process === 'nemesis') this.counts.nemesis++;
    return numbered;
  }

  /** How many ops have been appended. */
  get count(): number {
    return this.next;
  }

  /** Flushes to disk and closes; idempotent. */
  close(): void {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }
}
