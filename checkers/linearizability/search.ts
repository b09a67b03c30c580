import type { Model } from '../models/model.ts';
import type { Call } from './prepare.ts';

/** Limits on one search: an absolute deadline ({@link nowMs}) and a cap on memoised configurations. */
export interface SearchBudget {
  deadlineMs: number;
  maxStates: number;
}

/**
 * The clock budgets are read on, ms from an arbitrary origin. Not
 * `performance.now()`: Node loads its perf_hooks module on the first use of
 * `performance`, about 1 ms that a one-file `patternbench check` paid inside
 * the checker.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
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

/** States whose transitions are cached in a dense table, 4 bytes a call each (most histories stay within them). */
const DIRECT_STATES = 8;
/** A dense-table entry not computed yet (-1 is "impossible"). */
const UNKNOWN = -2;

/** How often (in loop turns) the clock is read: often enough to stop within a few ms, rarely enough to cost nothing. */
const CLOCK_EVERY = 4096;

// The helpers below are classes with prototype methods, not closures made
// per search: V8 inlines a call only for the function it saw, so a fresh
// closure per partition (or per check) would throw the optimised search
// away each time, and a history of many partitions would run it cold.

/**
 * The buffers of a search, allocated once for the largest partition of a
 * history and reused by each: a history of many small partitions (kv with a
 * thousand keys) spent as much time allocating some twenty typed arrays per
 * partition as searching it. Each search resets only the part it uses, so a
 * small partition after a large one costs what it would alone. Not shared
 * between concurrent searches (there are none: a check is synchronous).
 */
export class Workspace {
  readonly capacity: number;
  readonly next: Int32Array;
  readonly prev: Int32Array;
  readonly entryCall: Int32Array;
  readonly entryInfoReturn: Uint8Array;
  readonly matchOf: Int32Array;
  readonly callEntry: Int32Array;
  readonly invokePos: Float64Array;
  readonly completePos: Float64Array;
  readonly byReturn: Float64Array;
  /** Zobrist words, one a call (xorshift32): the same for every partition, so computed once. */
  readonly zob: Int32Array;
  readonly isInfo: Uint8Array;
  readonly infoRank: Int32Array;
  readonly horizonWord: Int32Array;
  readonly direct: Int32Array;
  readonly stackCall: Int32Array;
  readonly stackState: Int32Array;
  readonly best: Int32Array;
  readonly bits: Uint32Array;
  /** Info bits, plus the spare word of ok calls. */
  readonly infoBits: Uint32Array;
  readonly scratch: Int32Array;
  /** The memo's arena and table: a search that grows them leaves the larger ones for the next. */
  arena: Int32Array;
  table: Int32Array;
  readonly transitionFrom = new Int32Array(64);
  readonly transitionCall = new Int32Array(64);
  readonly transitionTo = new Int32Array(64);

  /** Room for partitions of up to `capacity` calls. */
  constructor(capacity: number) {
    const n = (this.capacity = capacity);
    const words = (n >>> 5) + 1;
    this.next = new Int32Array(2 * n + 2);
    this.prev = new Int32Array(2 * n + 2);
    this.entryCall = new Int32Array(2 * n + 2);
    this.entryInfoReturn = new Uint8Array(2 * n + 2);
    this.matchOf = new Int32Array(2 * n + 2);
    this.callEntry = new Int32Array(n);
    this.invokePos = new Float64Array(n);
    this.completePos = new Float64Array(n);
    this.byReturn = new Float64Array(n);
    this.zob = new Int32Array(n);
    let seed = 0x9e3779b9;
    for (let i = 0; i < n; i++) {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      this.zob[i] = seed;
    }
    this.isInfo = new Uint8Array(n);
    this.infoRank = new Int32Array(n);
    this.horizonWord = new Int32Array(n + 1);
    this.direct = new Int32Array(n * DIRECT_STATES);
    this.stackCall = new Int32Array(n);
    this.stackState = new Int32Array(n);
    this.best = new Int32Array(n);
    this.bits = new Uint32Array(words);
    this.infoBits = new Uint32Array(words + 1);
    this.scratch = new Int32Array(2 + 2 * words);
    this.arena = new Int32Array(Math.max(256, 8 * n, 4 * this.scratch.length));
    this.table = new Int32Array(Math.max(64, 1 << (32 - Math.clz32(2 * n))));
  }
}

/**
 * Model states interned as small integers, and transitions memoised per
 * (state, call): most histories visit few distinct states, so `step` and
 * `hash` run rarely and the search works on integers only. Transitions
 * from later states go to open addressing over typed arrays: a Map keyed
 * by `state * n + call` costs a boxed double per entry.
 */
class States {
  readonly values: unknown[] = [];
  private readonly ids = new Map<string, number>();
  private from: Int32Array;
  private call: Int32Array;
  private to: Int32Array;
  private count = 0;

  /** Transitions from the first `DIRECT_STATES` states, by `call * DIRECT_STATES + state`: one array read, no probing. */
  readonly direct: Int32Array;

  constructor(
    private readonly model: Model,
    private readonly calls: readonly Call[],
    ws: Workspace,
  ) {
    this.direct = ws.direct;
    this.direct.fill(UNKNOWN, 0, calls.length * DIRECT_STATES);
    this.from = ws.transitionFrom.fill(-1);
    this.call = ws.transitionCall;
    this.to = ws.transitionTo;
  }

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

  /** The memoised state after `call` from state `from`: -1 when the call's output is impossible there, `UNKNOWN` when not computed yet. Runs no model code. */
  cached(from: number, call: number): number {
    if (from < DIRECT_STATES) return this.direct[call * DIRECT_STATES + from];
    const mask = this.from.length - 1;
    for (let i = slotHash(from, call) & mask; this.from[i] >= 0; i = (i + 1) & mask) {
      if (this.from[i] === from && this.call[i] === call) return this.to[i];
    }
    return UNKNOWN;
  }

  /** Computes and memoises the transition `cached` did not have. */
  fill(from: number, call: number): void {
    const before = this.values[from];
    const r = this.model.step(before, this.calls[call].op);
    // A step that returns its own state (a read) needs no hash.
    const to = !r.ok ? -1 : r.state === before ? from : this.intern(r.state);
    if (from < DIRECT_STATES) {
      this.direct[call * DIRECT_STATES + from] = to;
      return;
    }
    if (++this.count * 2 > this.from.length) this.grow();
    let i = slotHash(from, call) & (this.from.length - 1);
    while (this.from[i] >= 0) i = (i + 1) & (this.from.length - 1);
    this.from[i] = from;
    this.call[i] = call;
    this.to[i] = to;
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
 * entries cost little GC. Both are the workspace's, reused from one
 * partition to the next; the table is a view sized to the partition, so a
 * small partition clears only what it uses. The caller writes an encoding
 * into `scratch`, then calls `add`.
 */
class Memo {
  readonly scratch: Int32Array;
  size = 0;
  /** True when the next `add` might not fit: the walk stops for `grow` first. */
  full = false;
  private arena: Int32Array;
  private end = 0;
  private table: Int32Array;

  /** A memo for `n` calls, in `ws`'s arena and (a view of the first part of) its table. */
  constructor(
    n: number,
    private readonly ws: Workspace,
  ) {
    this.scratch = ws.scratch;
    this.arena = ws.arena;
    this.table = ws.table.subarray(0, Math.max(64, 1 << (32 - Math.clz32(2 * n)))).fill(-1);
  }

  /** Adds `scratch[0..len)` (hashed `h`); false if it was already there. Requires `!full`. */
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
    const at = this.end;
    arena[at] = h;
    arena[at + 1] = len;
    for (let k = 0; k < len; k++) arena[at + 2 + k] = scratch[k];
    table[i] = at;
    this.end += 2 + len;
    this.size++;
    this.full = this.end + 2 + scratch.length > arena.length || (this.size + 1) * 2 > table.length;
    return true;
  }

  /** Makes room for the next `add`. */
  grow(): void {
    if (this.end + 2 + this.scratch.length > this.arena.length) {
      const grown = new Int32Array(Math.max(this.arena.length * 2, this.end + 2 + this.scratch.length));
      grown.set(this.arena);
      this.arena = this.ws.arena = grown;
    }
    if ((this.size + 1) * 2 > this.table.length) this.rehash();
    this.full = false;
  }

  private rehash(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2).fill(-1);
    if (this.table.length > this.ws.table.length) this.ws.table = this.table;
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
 * never explored again. Deterministic; writes only into `ws` (a fresh one
 * by default), whose contents mean nothing from one search to the next;
 * throws what `model.step` throws, and when `calls` outgrow `ws`.
 *
 * `info` calls return at +infinity: their returns sit after every `ok`
 * return, so when the walk first meets an `info` return (or the end), every
 * `ok` call has been placed and the infos still unplaced are those that
 * never took effect.
 */
export function searchPartition(calls: readonly Call[], model: Model, initial: unknown, budget: SearchBudget, ws: Workspace = new Workspace(calls.length)): SearchResult {
  if (calls.length > ws.capacity) throw new Error(`a workspace for ${ws.capacity} calls cannot search ${calls.length}`);
  const layout = new Layout(calls, ws);
  const states = new States(model, calls, ws);
  const memo = new Memo(calls.length, ws);
  const walk = new Walk(layout, states.intern(model.init(initial)), ws);
  let outcome: SearchResult['outcome'];
  // The walk stops whenever it meets something rare: a transition it has
  // not seen, a full memo, a clock reading. Those run out here, so that V8
  // optimises the walk with every path it takes already warm, and a model's
  // type surprises never throw the optimised walk away.
  for (;;) {
    const stop = walkList(layout, states, memo, walk, budget.maxStates);
    if (stop === 'step') states.fill(walk.state, walk.call);
    else if (stop === 'grow') memo.grow();
    else if (stop !== 'clock') {
      outcome = stop;
      break;
    } else if (nowMs() > budget.deadlineMs) {
      outcome = 'timeout';
      break;
    }
  }
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
  /**
   * An info call's index among the info calls; for an ok call, a spare bit
   * past the encoded words, so that the walk sets and clears a bit for every
   * call without a branch that V8 would first meet after optimising.
   */
  readonly infoRank: Int32Array;
  /** The bitset word of the last call invoked before call `c`'s return, for `c` in 0..n (n: the end, the last word). */
  readonly horizonWord: Int32Array;

  /** Lays `calls` out in `ws`'s buffers (the first 2n + 2 entries and n calls of each). */
  constructor(calls: readonly Call[], ws: Workspace) {
    const n = calls.length;
    this.calls = n;
    this.words = (n >>> 5) + 1;
    const next = (this.next = ws.next);
    const prev = (this.prev = ws.prev);
    const entryCall = (this.entryCall = ws.entryCall.fill(-1, 0, 2 * n + 2));
    const entryInfoReturn = (this.entryInfoReturn = ws.entryInfoReturn.fill(0, 0, 2 * n + 2));
    const matchOf = (this.matchOf = ws.matchOf);
    const callEntry = (this.callEntry = ws.callEntry);
    const invokePos = ws.invokePos;
    const completePos = ws.completePos;
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
    const byReturn = ws.byReturn.subarray(0, oks);
    for (let c = 0, k = 0; c < n; c++) if (completePos[c] !== Infinity) byReturn[k++] = completePos[c] * n + c;
    byReturn.sort();
    let e = 1;
    let c = 0;
    let r = 0;
    while (c < n || r < oks) {
      // Unpacked by division: `%` on doubles is a libm call.
      const call = r < oks ? byReturn[r] - Math.floor(byReturn[r] / n) * n : -1;
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
    // per-call random words, updated in O(1) as calls are placed and removed.
    this.zob = ws.zob;

    this.isInfo = ws.isInfo;
    this.infoRank = ws.infoRank;
    this.horizonWord = ws.horizonWord;
    let infos = 0;
    for (let c = 0; c < n; c++) {
      this.isInfo[c] = completePos[c] === Infinity ? 1 : 0;
      if (this.isInfo[c]) this.infoRank[c] = infos++;
      let lo = c;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (invokePos[mid] < completePos[c]) lo = mid;
        else hi = mid - 1;
      }
      this.horizonWord[c] = lo >>> 5;
    }
    this.horizonWord[n] = this.words - 1;
    this.infoWords = (infos >>> 5) + 1;
    const spare = this.infoWords * 32;
    for (let c = 0; c < n; c++) if (!this.isInfo[c]) this.infoRank[c] = spare;
  }
}

/**
 * Where the walk is, so that it can stop for a transition and resume: the
 * linearized set (bitsets and their Zobrist hash), the frontier, the stack,
 * the current entry and state, and the longest prefix found.
 */
class Walk {
  readonly bits: Uint32Array;
  readonly infoBits: Uint32Array;
  hash = 0;
  /**
   * The memo stores each linearized set compactly. Let the frontier be the
   * earliest ok call not yet linearized: every ok call before it is
   * linearized, and no call invoked after the frontier's return can be (the
   * walk never passes an unlifted return). So the set is the frontier, which
   * info calls are linearized (a bitset of the few info calls), and the
   * bitset words from the frontier to its horizon (the last call invoked
   * before its return): a few words in place of n bits, whatever the
   * history's length. The frontier is kept incrementally.
   */
  frontier = 0;
  readonly stackCall: Int32Array;
  readonly stackState: Int32Array;
  depth = 0;
  entry: number;
  state: number;
  /** The call whose transition from `state` the walk stopped for. */
  call = -1;
  turns = 0;
  /**
   * The longest prefix so far, kept incrementally: `agree` is how many
   * leading stack entries equal `best`, so extending the best prefix costs
   * O(1) rather than a copy of the stack.
   */
  readonly best: Int32Array;
  bestLen = 0;
  bestState: number;
  agree = 0;

  /** A walk from the head of `layout`'s list, in `ws`'s buffers. */
  constructor(layout: Layout, initialState: number, ws: Workspace) {
    const n = layout.calls;
    this.bits = ws.bits.fill(0, 0, layout.words);
    this.infoBits = ws.infoBits.fill(0, 0, layout.infoWords + 1); // + the spare word of ok calls
    while (this.frontier < n && layout.isInfo[this.frontier]) this.frontier++;
    this.stackCall = ws.stackCall;
    this.stackState = ws.stackState;
    this.best = ws.best;
    this.entry = layout.next[0];
    this.state = this.bestState = initialState;
  }
}

/**
 * The search loop proper, kept apart from the setup so that V8 optimises a
 * small function quickly. Returns the outcome, or why it stopped: 'step'
 * (it needs the transition `walk.state`, `walk.call`), 'grow' (the memo is
 * full), 'clock' (time to read the clock); call it again once that is dealt
 * with and it resumes where it stopped.
 */
function walkList(layout: Layout, states: States, memo: Memo, walk: Walk, maxStates: number): Exclude<SearchResult['outcome'], 'timeout'> | 'step' | 'grow' | 'clock' {
  const { next, prev, entryCall, entryInfoReturn, matchOf, callEntry, zob, isInfo, infoRank, horizonWord, infoWords } = layout;
  const n = layout.calls;
  const TAIL = 2 * n + 1;
  const { stackCall, stackState, best, bits, infoBits } = walk;
  const scratch = memo.scratch;
  const direct = states.direct;
  let { hash, frontier, depth, entry, state, turns, bestLen, agree } = walk;
  let outcome: ReturnType<typeof walkList>;

  for (;;) {
    if (++turns === CLOCK_EVERY) {
      turns = 0;
      outcome = 'clock';
      break;
    }
    if (entry === TAIL || entryInfoReturn[entry] === 1) {
      outcome = 'linearizable';
      break;
    }
    const call = entryCall[entry];
    if (call >= 0) {
      const to = state < DIRECT_STATES ? direct[call * DIRECT_STATES + state] : states.cached(state, call);
      if (to === UNKNOWN) {
        walk.call = call;
        outcome = 'step';
        break;
      }
      if (to >= 0 && memo.full) {
        outcome = 'grow';
        break;
      }
      if (to >= 0) {
        bits[call >>> 5] |= 1 << (call & 31);
        const rank = infoRank[call];
        infoBits[rank >>> 5] |= 1 << (rank & 31);
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
        for (let w = f >>> 5, hi = horizonWord[f]; w <= hi; w++) scratch[len++] = bits[w];
        let h = hash ^ Math.imul(to + 1, 0x9e3779b1);
        h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
        h ^= h >>> 13;
        if (memo.add(h, len)) {
          frontier = f;
          if (memo.size > maxStates) {
            outcome = 'state-budget';
            break;
          }
          stackCall[depth] = call;
          stackState[depth] = state;
          // Evaluated in full on every lift, without a branch that only
          // backtracking takes: V8 would optimise before seeing it, then
          // throw the optimised loop away the first time it ran.
          agree += Number(agree === depth) & Number(depth < bestLen) & Number(best[depth] === call);
          depth++;
          if (depth > bestLen) {
            for (let k = agree; k < depth - 1; k++) best[k] = stackCall[k];
            best[depth - 1] = call;
            bestLen = agree = depth;
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
        infoBits[rank >>> 5] &= ~(1 << (rank & 31));
        hash ^= zob[call];
      }
      entry = next[entry];
    } else {
      // A return whose call is not linearized: this branch is dead.
      if (depth === 0) {
        outcome = 'violation';
        break;
      }
      depth--;
      if (agree > depth) agree = depth;
      const undone = stackCall[depth];
      state = stackState[depth];
      bits[undone >>> 5] &= ~(1 << (undone & 31));
      const rank = infoRank[undone];
      infoBits[rank >>> 5] &= ~(1 << (rank & 31));
      if (isInfo[undone] === 0 && undone < frontier) frontier = undone;
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
  walk.hash = hash;
  walk.frontier = frontier;
  walk.depth = depth;
  walk.entry = entry;
  walk.state = state;
  walk.turns = turns;
  walk.bestLen = bestLen;
  walk.agree = agree;
  return outcome;
}
