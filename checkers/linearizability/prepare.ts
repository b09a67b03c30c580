import type { Op } from '../../history/op.ts';
import { stableJson, type Model, type ModelOp } from '../models/model.ts';
import { CoreMemoryError, INFO_RETURN, type SearchCore } from './core.ts';

/**
 * One partition of a prepared history: its key (null when the model does
 * not partition) and its op kinds. Ops equal as JSON (`f`, `key`, input,
 * output) are one kind, so the model's `step` runs once per (state, kind)
 * rather than once per (state, call): a history of a few values has a few
 * dozen kinds however long it is (Knossos memoises its models the same way).
 */
export interface Partition {
  key: string | null;
  kinds: ModelOp[];
}

/** A history laid out in the search core's memory (see wasm/search.ts), partitions in order of their first completed op. */
export interface Prepared {
  partitions: Partition[];
  /** Client operations that reached the search (fails and info reads are dropped). */
  calls: number;
  /** Where the history's columns are in the core's memory, and how many slots each has. */
  columnsAt: number;
  slots: number;
  /** Each history-wide kind's index in its partition. */
  localOf: readonly number[];
}

/**
 * One client operation of a partition, read back from the core for a
 * counterexample: `kind` indexes the partition's kinds; `invokePos` and
 * `completePos` are history positions (`completePos` is Infinity for a call
 * that may take effect at any later time), `endPos` where its completion
 * really is (an info line), -1 when it never completed.
 */
export interface Call {
  kind: number;
  invokePos: number;
  completePos: number;
  endPos: number;
}

/** Partition `p`'s calls in invoke order as the core holds them (the walk's call `c` is call `c` here), read back one at a time for a counterexample. */
export class PartitionCalls {
  readonly length: number;
  private readonly slotOf: Int32Array;
  private readonly columns: Int32Array;
  private readonly slots: number;

  constructor(
    core: SearchCore,
    private readonly prepared: Prepared,
    p: number,
  ) {
    this.slots = prepared.slots;
    this.columns = new Int32Array(core.memory.buffer, prepared.columnsAt, 4 * this.slots);
    this.length = core.partitionSize(p);
    this.slotOf = new Int32Array(core.memory.buffer, core.partitionSlots(p), this.length);
  }

  invokePos(c: number): number {
    return this.columns[this.slotOf[c]];
  }

  /** Infinity for a call that may take effect at any later time. */
  completePos(c: number): number {
    const pos = this.columns[this.slots + this.slotOf[c]];
    return pos === INFO_RETURN ? Infinity : pos;
  }

  call(c: number): Call {
    const slot = this.slotOf[c];
    return {
      kind: this.prepared.localOf[this.columns[3 * this.slots + slot]],
      invokePos: this.columns[slot],
      completePos: this.completePos(c),
      endPos: this.columns[2 * this.slots + slot],
    };
  }
}

/**
 * Pairs each client invoke with its completion, keeps what can constrain
 * the model — `ok` ops, and `info` ops unless the model says their `f` is
 * read-only — and writes them into `core`'s memory, grouped by partition.
 * `fail` ops and nemesis events are dropped; an invoke never completed
 * counts as `info`. Throws when a completion has no open invoke on its
 * process, or its `f` differs from the invoke's; a CoreMemoryError when the
 * core's memory cannot hold the history.
 *
 * This loop and the kinds' lookups are the only per-op JavaScript of a
 * check: a one-off check runs them before V8 has optimised anything, so
 * they write flat arrays and allocate nothing per op.
 */
export function prepare(history: readonly Op[], model: Model, core: SearchCore): Prepared {
  const base = core.history(history.length);
  if (base === 0) throw new CoreMemoryError(`out of memory laying out ${history.length} history ops`);
  // One invoke a slot, in history order: [invoke pos, return pos, completion pos, kind].
  const columns = new Int32Array(core.memory.buffer, base, 4 * history.length);
  const returnAt = history.length;
  const endAt = 2 * history.length;
  const kindAt = 3 * history.length;
  const kinds = new Kinds(model);
  const open = new Map<number, number>();
  let slots = 0;
  let calls = 0;
  for (let pos = 0; pos < history.length; pos++) {
    const op = history[pos];
    const process = op.process;
    if (typeof process !== 'number') continue;
    const slot = open.get(process);
    if (op.type === 'invoke') {
      // A new invoke on a process with one still open: the open one never
      // completed, so it is unknown (Jepsen would have logged info).
      if (slot !== undefined) calls += keepUnknown(history, kinds, columns, slot, -1);
      open.set(process, slots);
      columns[slots] = pos;
      columns[kindAt + slots++] = -1;
      continue;
    }
    if (slot === undefined) throw new Error(`history position ${pos}: ${op.type} ${op.f} on process ${process} without an open invoke`);
    const invoke = history[columns[slot]];
    if (invoke.f !== op.f) throw new Error(`history position ${pos}: ${op.type} ${op.f} completes invoke ${invoke.f} on process ${process}`);
    open.delete(process);
    if (op.type === 'ok') {
      columns[returnAt + slot] = pos;
      columns[endAt + slot] = pos;
      columns[kindAt + slot] = kinds.of(invoke, op.value, false);
      calls++;
    } else if (op.type === 'info') calls += keepUnknown(history, kinds, columns, slot, pos);
  }
  for (const slot of open.values()) calls += keepUnknown(history, kinds, columns, slot, -1);

  const table = core.kinds(kinds.partitionOf.length, kinds.partitions.length);
  if (table === 0) throw new CoreMemoryError(`out of memory laying out ${kinds.partitionOf.length} op kinds`);
  new Int32Array(core.memory.buffer, table, kinds.partitionOf.length).set(kinds.partitionOf);
  new Int32Array(core.memory.buffer, table + 4 * kinds.partitionOf.length, kinds.localOf.length).set(kinds.localOf);
  if (!core.scatter(slots)) throw new CoreMemoryError(`out of memory laying out ${calls} calls`);
  return { partitions: kinds.partitions, calls, columnsAt: base, slots: history.length, localOf: kinds.localOf };
}

/** Keeps the call in `slot` as one that may take effect at any later time (its info line at `end`, -1 for none), unless it cannot change the state. Returns 1 if kept. */
function keepUnknown(history: readonly Op[], kinds: Kinds, columns: Int32Array, slot: number, end: number): number {
  const invoke = history[columns[slot]];
  if (kinds.model.readOnly?.(invoke.f)) return 0;
  const n = columns.length / 4;
  columns[n + slot] = INFO_RETURN;
  columns[2 * n + slot] = end;
  columns[3 * n + slot] = kinds.of(invoke, undefined, true);
  return 1;
}

/** Stands for an info op's output in the kind trie: it constrains nothing. */
const UNKNOWN_OUTPUT = Symbol('unknown output');
/** Where a trie level keeps its object values, by stable JSON (apart from its string values). */
const OBJECTS = Symbol('objects');

type Level = Map<unknown, unknown>;

/** Op kinds, history-wide, each with its partition and its index there: a trie by f, key, input, output. */
class Kinds {
  readonly partitions: Partition[] = [];
  readonly partitionOf: number[] = [];
  readonly localOf: number[] = [];
  private readonly byKey = new Map<string | null, number>();
  private readonly root: Level = new Map();

  constructor(readonly model: Model) {}

  /** The kind of the op invoked as `invoke` with `output` (ignored when `info`). */
  of(invoke: Op, output: unknown, info: boolean): number {
    const leaf = child(child(child(this.root, invoke.f), invoke.key), invoke.value);
    const outputKey = info ? UNKNOWN_OUTPUT : typeof output === 'object' && output !== null ? stableJson(output) : output;
    const place = info || typeof output !== 'object' || output === null ? leaf : child(leaf, OBJECTS);
    const id = place.get(outputKey);
    return id === undefined ? this.add(place, outputKey, invoke, info ? undefined : output) : (id as number);
  }

  private add(place: Level, outputKey: unknown, invoke: Op, output: unknown): number {
    const id = this.partitionOf.length;
    place.set(outputKey, id);
    const op: ModelOp = { f: invoke.f, input: invoke.value, output };
    if (invoke.key !== undefined) op.key = invoke.key;
    const key = this.model.partition ? this.model.partition(op) : null;
    let p = this.byKey.get(key);
    if (p === undefined) {
      this.byKey.set(key, (p = this.partitions.length));
      this.partitions.push({ key, kinds: [] });
    }
    this.partitionOf.push(p);
    this.localOf.push(this.partitions[p].kinds.length);
    this.partitions[p].kinds.push(op);
    return id;
  }
}

/** The trie level under `level` for `value`: primitives by value, objects by stable JSON (kept apart, so an object never meets a string). */
function child(level: Level, value: unknown): Level {
  let map = level;
  let key = value;
  if (typeof value === 'object' && value !== null) {
    map = child(level, OBJECTS);
    key = stableJson(value);
  }
  let next = map.get(key) as Level | undefined;
  if (next === undefined) map.set(key, (next = new Map()));
  return next;
}
