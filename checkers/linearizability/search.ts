import type { Model } from '../models/model.ts';
import type { Call } from './prepare.ts';

/** Limits on one search: an absolute deadline (`performance.now()` ms) and a cap on memoised configurations. */
export interface SearchBudget {
  deadlineMs: number;
  maxStates: number;
}

/** The outcome of searching one partition. */
export interface SearchResult {
  outcome: 'linearizable' | 'violation' | 'timeout' | 'state-budget';
  /** The longest linearizable prefix found: indices into `calls`, in linearization order. */
  prefix: number[];
  /** The model state after `prefix`. */
  state: unknown;
  /** Configurations (linearized set, state) memoised. */
  states: number;
}

/** How often (in loop turns) the clock is read: often enough to stop within a few ms, rarely enough to cost nothing. */
const CLOCK_EVERY = 4096;

// The helpers below are classes with prototype methods, not closures made
// per search: V8 inlines a call only for the function it saw, so a fresh
// closure per partition (or per check) would throw the optimised search
// away each time, and a history of many partitions would run it cold.

/**
 * Model states interned as small integers, and transitions memoised per
 * (state, call): most histories visit few distinct states, so `step` and
 * `hash` run rarely and the search works on integers only. The transition
 * table is open addressing over typed arrays: a Map keyed by
 * `state * n + call` costs a boxed double per entry.
 */
class States {
  readonly values: unknown[] = [];
  private readonly ids = new Map<string, number>();
  private from = new Int32Array(64).fill(-1);
  private call = new Int32Array(64);
  private to = new Int32Array(64);
  private count = 0;

  constructor(
    private readonly model: Model,
    private readonly calls: readonly Call[],
  ) {}

  intern(s: unknown): number {
    const h = this.model.hash(s);
    let id = this.ids.get(h);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(s);
      this.ids.set(h, id);
    }
    return id;
  }

  /** The state after `call` from state `from`, or -1 when the call's output is impossible there. */
  step(from: number, call: number): number {
    const mask = this.from.length - 1;
    for (let i = slotHash(from, call) & mask; this.from[i] >= 0; i = (i + 1) & mask) {
      if (this.from[i] === from && this.call[i] === call) return this.to[i];
    }
    const before = this.values[from];
    const r = this.model.step(before, this.calls[call].op);
    // A step that returns its own state (a read) needs no hash.
    const to = !r.ok ? -1 : r.state === before ? from : this.intern(r.state);
    if (++this.count * 2 > this.from.length) this.grow();
    let i = slotHash(from, call) & (this.from.length - 1);
    while (this.from[i] >= 0) i = (i + 1) & (this.from.length - 1);
    this.from[i] = from;
    this.call[i] = call;
    this.to[i] = to;
    return to;
  }

  private grow(): void {
    const [from, call, to] = [this.from, this.call, this.to];
    this.from = new Int32Array(from.length * 2).fill(-1);
    this.call = new Int32Array(from.length * 2);
    this.to = new Int32Array(from.length * 2);
    const mask = this.from.length - 1;
    for (let o = 0; o < from.length; o++) {
      if (from[o] < 0) continue;
      let i = slotHash(from[o], call[o]) & mask;
      while (this.from[i] >= 0) i = (i + 1) & mask;
      this.from[i] = from[o];
      this.call[i] = call[o];
      this.to[i] = to[o];
    }
  }
}

function slotHash(from: number, call: number): number {
  return (Math.imul(from, 0x9e3779b1) + Math.imul(call, 0x85ebca6b)) ^ (call >>> 7);
}

/**
 * The set of configurations explored. Entries live in one growing arena,
 * [hash, length, ...encoding], found through an open-addressing table of
 * arena offsets: no object and no boxed number per entry, so millions of
 * entries cost little GC. Both start sized to the partition, so a history of
 * many small partitions (kv with many keys) does not allocate a large arena
 * for each. The caller writes an encoding into `scratch`, then calls `add`.
 */
class Memo {
  readonly scratch: Int32Array;
  size = 0;
  private arena: Int32Array;
  private end = 0;
  private table: Int32Array;

  constructor(n: number, maxLen: number) {
    this.scratch = new Int32Array(maxLen);
    this.arena = new Int32Array(Math.max(256, 8 * n));
    this.table = new Int32Array(Math.max(64, 1 << (32 - Math.clz32(2 * n)))).fill(-1);
  }

  /** Adds `scratch[0..len)` (hashed `h`); false if it was already there. */
  add(h: number, len: number): boolean {
    const { arena, table, scratch } = this;
    const mask = table.length - 1;
    let i = h & mask;
    for (let o = table[i]; o >= 0; i = (i + 1) & mask, o = table[i]) {
      if (arena[o] !== h || arena[o + 1] !== len) continue;
      let k = 0;
      while (k < len && arena[o + 2 + k] === scratch[k]) k++;
      if (k === len) return false;
    }
    if (this.end + 2 + len > arena.length) {
      const grown = new Int32Array(Math.max(arena.length * 2, this.end + 2 + len));
      grown.set(arena);
      this.arena = grown;
    }
    const at = this.end;
    this.arena[at] = h;
    this.arena[at + 1] = len;
    for (let k = 0; k < len; k++) this.arena[at + 2 + k] = scratch[k];
    table[i] = at;
    this.end += 2 + len;
    if (++this.size * 2 > table.length) this.rehash();
    return true;
  }

  private rehash(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2).fill(-1);
    const mask = this.table.length - 1;
    for (let j = 0; j < old.length; j++) {
      const o = old[j];
      if (o < 0) continue;
      let i = this.arena[o] & mask;
      while (this.table[i] >= 0) i = (i + 1) & mask;
      this.table[i] = o;
    }
  }
}

/**
 * Wing & Gong's search with Lowe's memoisation, after Porcupine's
 * `checkSingle`: the calls and returns sit in one doubly linked list in
 * real-time order; the search walks it from the head, "lifting" (unlinking)
 * a call and its return when the call can be linearized next, and
 * backtracking when it meets a return whose call is not yet linearized.
 * A configuration (set of linearized calls, model state) already explored is
 * never explored again. Pure; deterministic; throws what `model.step` throws.
 *
 * `info` calls return at +infinity: their returns sit after every `ok`
 * return, so when the walk first meets an `info` return (or the end), every
 * `ok` call has been placed and the infos still unplaced are those that
 * never took effect.
 */
export function searchPartition(calls: readonly Call[], model: Model, initial: unknown, budget: SearchBudget): SearchResult {
  const layout = new Layout(calls);
  const states = new States(model, calls);
  const memo = new Memo(calls.length, 2 + layout.infoWords + layout.words);
  const walk = new Walk(layout.calls);
  const outcome = walkList(layout, states, memo, walk, states.intern(model.init(initial)), budget);
  const prefix: number[] = new Array<number>(walk.bestLen);
  for (let k = 0; k < walk.bestLen; k++) prefix[k] = walk.best[k];
  return { outcome, prefix, state: states.values[walk.bestState], states: memo.size };
}

/**
 * The calls' linked list and the tables the walk reads, all typed arrays of
 * integers (an info call's return position, +infinity, is kept out of them
 * so that V8 sees small integers only).
 */
class Layout {
  readonly calls: number;
  readonly words: number;
  readonly infoWords: number;
  /** Entries: 0 = head, 1..2n = calls and returns in real-time order, 2n+1 = tail. */
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /** The call of a call entry, -1 for a return entry. */
  readonly entryCall: Int32Array;
  readonly entryInfoReturn: Uint8Array;
  /** A call entry's return entry. */
  readonly matchOf: Int32Array;
  readonly callEntry: Int32Array;
  readonly zob: Int32Array;
  readonly isInfo: Uint8Array;
  /** An info call's index among the info calls, -1 for an ok call. */
  readonly infoRank: Int32Array;
  /** The last call invoked before the call's return. */
  readonly horizon: Int32Array;

  constructor(calls: readonly Call[]) {
    const n = calls.length;
    this.calls = n;
    this.words = (n >>> 5) + 1;
    const next = (this.next = new Int32Array(2 * n + 2));
    const prev = (this.prev = new Int32Array(2 * n + 2));
    const entryCall = (this.entryCall = new Int32Array(2 * n + 2).fill(-1));
    const entryInfoReturn = (this.entryInfoReturn = new Uint8Array(2 * n + 2));
    const matchOf = (this.matchOf = new Int32Array(2 * n + 2));
    const callEntry = (this.callEntry = new Int32Array(n));
    const invokePos = new Float64Array(n);
    const completePos = new Float64Array(n);
    for (let c = 0; c < n; c++) {
      invokePos[c] = calls[c].invokePos;
      completePos[c] = calls[c].completePos;
    }
    // Calls are in invoke order; returns are merged in by position, info
    // returns (at Infinity) last in invoke order. Ok returns are sorted as
    // packed numbers (position * n + call, exact below 2^53) by the native
    // typed-array sort: no comparator call per comparison.
    let oks = 0;
    for (let c = 0; c < n; c++) if (completePos[c] !== Infinity) oks++;
    const byReturn = new Float64Array(oks);
    for (let c = 0, k = 0; c < n; c++) if (completePos[c] !== Infinity) byReturn[k++] = completePos[c] * n + c;
    byReturn.sort();
    let e = 1;
    let c = 0;
    let r = 0;
    while (c < n || r < oks) {
      const call = r < oks ? byReturn[r] % n : -1;
      if (c < n && (r === oks || invokePos[c] < completePos[call])) {
        entryCall[e] = c;
        callEntry[c++] = e++;
      } else {
        r++;
        matchOf[callEntry[call]] = e++;
      }
    }
    for (let call = 0; call < n; call++) {
      if (completePos[call] !== Infinity) continue;
      matchOf[callEntry[call]] = e;
      entryInfoReturn[e++] = 1;
    }
    for (let i = 0; i < 2 * n + 1; i++) next[i] = i + 1;
    for (let i = 1; i <= 2 * n + 1; i++) prev[i] = i - 1;

    // Zobrist hashing: the linearized set's 32-bit hash is the XOR of
    // per-call random words (xorshift32), updated in O(1) as calls are
    // placed and removed.
    this.zob = new Int32Array(n);
    let seed = 0x9e3779b9 ^ n;
    for (let i = 0; i < n; i++) {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      this.zob[i] = seed;
    }

    this.isInfo = new Uint8Array(n);
    this.infoRank = new Int32Array(n);
    this.horizon = new Int32Array(n);
    let infos = 0;
    for (let c = 0; c < n; c++) {
      this.isInfo[c] = completePos[c] === Infinity ? 1 : 0;
      this.infoRank[c] = this.isInfo[c] ? infos++ : -1;
      let lo = c;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (invokePos[mid] < completePos[c]) lo = mid;
        else hi = mid - 1;
      }
      this.horizon[c] = lo;
    }
    this.infoWords = (infos >>> 5) + 1;
  }
}

/** The walk's stack, and the longest prefix it found. */
class Walk {
  readonly stackCall: Int32Array;
  readonly stackState: Int32Array;
  /**
   * The longest prefix so far, kept incrementally: `agree` is how many
   * leading stack entries equal `best`, so extending the best prefix costs
   * O(1) rather than a copy of the stack.
   */
  readonly best: Int32Array;
  bestLen = 0;
  bestState = 0;

  constructor(n: number) {
    this.stackCall = new Int32Array(n);
    this.stackState = new Int32Array(n);
    this.best = new Int32Array(n);
  }
}

/** The search loop proper, kept apart from the setup so that V8 optimises a small function quickly. */
function walkList(layout: Layout, states: States, memo: Memo, walk: Walk, initialState: number, budget: SearchBudget): SearchResult['outcome'] {
  const { next, prev, entryCall, entryInfoReturn, matchOf, callEntry, zob, isInfo, infoRank, horizon, words, infoWords } = layout;
  const n = layout.calls;
  const TAIL = 2 * n + 1;
  const { stackCall, stackState, best } = walk;
  const scratch = memo.scratch;
  const bits = new Uint32Array(words);
  const infoBits = new Uint32Array(infoWords);
  let hash = 0;

  // The memo stores each linearized set compactly. Let the frontier be the
  // earliest ok call not yet linearized: every ok call before it is
  // linearized, and no call invoked after the frontier's return can be (the
  // walk never passes an unlifted return). So the set is the frontier, which
  // info calls are linearized (a bitset of the few info calls), and the
  // bitset words from the frontier to its horizon (the last call invoked
  // before its return): a few words in place of n bits, whatever the
  // history's length. The frontier is kept incrementally.
  let frontier = 0;
  while (frontier < n && isInfo[frontier]) frontier++;
  let depth = 0;
  let agree = 0;
  let state = initialState;
  walk.bestState = state;
  let entry = next[0];
  let turns = 0;

  for (;;) {
    if (++turns === CLOCK_EVERY) {
      turns = 0;
      if (performance.now() > budget.deadlineMs) return 'timeout';
    }
    if (entry === TAIL || entryInfoReturn[entry] === 1) return 'linearizable';
    const call = entryCall[entry];
    if (call >= 0) {
      const to = states.step(state, call);
      if (to >= 0) {
        bits[call >>> 5] |= 1 << (call & 31);
        const rank = infoRank[call];
        if (rank >= 0) infoBits[rank >>> 5] |= 1 << (rank & 31);
        hash ^= zob[call];
        // The frontier once `call` is linearized.
        let f = frontier;
        if (call === f) {
          f++;
          while (f < n && (isInfo[f] === 1 || (bits[f >>> 5] & (1 << (f & 31))) !== 0)) f++;
        }
        // Encode the configuration (state, frontier, info bits, frontier's words).
        let len = 0;
        scratch[len++] = to;
        scratch[len++] = f;
        for (let w = 0; w < infoWords; w++) scratch[len++] = infoBits[w];
        const hiWord = f === n ? words - 1 : horizon[f] >>> 5;
        for (let w = f >>> 5; w <= hiWord; w++) scratch[len++] = bits[w];
        let h = hash ^ Math.imul(to + 1, 0x9e3779b1);
        h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
        h ^= h >>> 13;
        if (memo.add(h, len)) {
          frontier = f;
          if (memo.size > budget.maxStates) return 'state-budget';
          stackCall[depth] = call;
          stackState[depth] = state;
          if (agree === depth && best[depth] === call && depth < walk.bestLen) agree++;
          depth++;
          if (depth > walk.bestLen) {
            for (let k = agree; k < depth - 1; k++) best[k] = stackCall[k];
            best[depth - 1] = call;
            walk.bestLen = agree = depth;
            walk.bestState = to;
          }
          state = to;
          // Lift the call and its return out of the list.
          const m = matchOf[entry];
          next[prev[entry]] = next[entry];
          prev[next[entry]] = prev[entry];
          next[prev[m]] = next[m];
          prev[next[m]] = prev[m];
          entry = next[0];
          continue;
        }
        bits[call >>> 5] &= ~(1 << (call & 31));
        if (rank >= 0) infoBits[rank >>> 5] &= ~(1 << (rank & 31));
        hash ^= zob[call];
      }
      entry = next[entry];
    } else {
      // A return whose call is not linearized: this branch is dead.
      if (depth === 0) return 'violation';
      depth--;
      if (agree > depth) agree = depth;
      const undone = stackCall[depth];
      state = stackState[depth];
      bits[undone >>> 5] &= ~(1 << (undone & 31));
      const rank = infoRank[undone];
      if (rank >= 0) infoBits[rank >>> 5] &= ~(1 << (rank & 31));
      else if (undone < frontier) frontier = undone;
      hash ^= zob[undone];
      // Put the call and its return back, in the reverse order of lifting.
      entry = callEntry[undone];
      const m = matchOf[entry];
      next[prev[m]] = m;
      prev[next[m]] = m;
      next[prev[entry]] = entry;
      prev[next[entry]] = entry;
      entry = next[entry];
    }
  }
}
