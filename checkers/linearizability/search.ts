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
  const n = calls.length;
  const words = (n >>> 5) + 1;

  // Entries: 0 = head, 1..2n = calls and returns in real-time order, 2n+1 = tail.
  const HEAD = 0;
  const TAIL = 2 * n + 1;
  const next = new Int32Array(2 * n + 2);
  const prev = new Int32Array(2 * n + 2);
  const entryCall = new Int32Array(2 * n + 2).fill(-1); // call index for a call entry, -1 otherwise
  const entryInfoReturn = new Uint8Array(2 * n + 2);
  const matchOf = new Int32Array(2 * n + 2); // call entry → its return entry
  const callEntry = new Int32Array(n);
  {
    // calls are in invoke order; returns are merged in by position (info returns, at Infinity, last).
    const byReturn = Array.from({ length: n }, (_, i) => i).sort((a, b) => calls[a].completePos - calls[b].completePos || calls[a].invokePos - calls[b].invokePos);
    let e = 1;
    let c = 0;
    let r = 0;
    while (c < n || r < n) {
      if (c < n && calls[c].invokePos < calls[byReturn[r]].completePos) {
        entryCall[e] = c;
        callEntry[c++] = e++;
      } else {
        const call = byReturn[r++];
        matchOf[callEntry[call]] = e;
        entryInfoReturn[e++] = calls[call].type === 'info' ? 1 : 0;
      }
    }
    for (let i = 0; i < TAIL; i++) next[i] = i + 1;
    for (let i = 1; i <= TAIL; i++) prev[i] = i - 1;
  }
  const lift = (entry: number): void => {
    next[prev[entry]] = next[entry];
    prev[next[entry]] = prev[entry];
    const m = matchOf[entry];
    next[prev[m]] = next[m];
    prev[next[m]] = prev[m];
  };
  const unlift = (entry: number): void => {
    const m = matchOf[entry];
    next[prev[m]] = m;
    prev[next[m]] = m;
    next[prev[entry]] = entry;
    prev[next[entry]] = entry;
  };

  // Model states are interned, and transitions memoised per (state, call):
  // most histories visit few distinct states, so `step` and `hash` run
  // rarely and the loop below works on small integers only.
  const states: unknown[] = [];
  const stateIds = new Map<string, number>();
  const intern = (s: unknown): number => {
    const h = model.hash(s);
    let id = stateIds.get(h);
    if (id === undefined) {
      id = states.length;
      states.push(s);
      stateIds.set(h, id);
    }
    return id;
  };
  const transitions = new Map<number, number>();
  const transition = (stateId: number, call: number): number => {
    const key = stateId * n + call;
    let to = transitions.get(key);
    if (to === undefined) {
      const r = model.step(states[stateId], calls[call].op);
      to = r.ok ? intern(r.state) : -1;
      transitions.set(key, to);
    }
    return to;
  };

  // Zobrist hashing: the linearized set's 32-bit hash is the XOR of per-call
  // random words, updated in O(1) as calls are placed and removed.
  const zob = new Int32Array(n);
  let seed = 0x9e3779b9 ^ n;
  const rand = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed | 0;
  };
  for (let i = 0; i < n; i++) zob[i] = rand();
  const bits = new Uint32Array(words);
  let hash = 0;

  // The memo stores each linearized set compactly. Let the frontier be the
  // earliest ok call not yet linearized: every ok call before it is
  // linearized, and no call invoked after the frontier's return can be (the
  // walk never passes an unlifted return). So the set is the frontier, which
  // info calls are linearized (a bitset of the few info calls), and the
  // bitset words from the frontier to its horizon (the last call invoked
  // before its return): a few words in place of n bits, whatever the
  // history's length. The frontier is kept incrementally.
  const isInfo = new Uint8Array(n);
  const infoRank = new Int32Array(n);
  let infos = 0;
  const horizon = new Int32Array(n);
  for (let c = 0; c < n; c++) {
    isInfo[c] = calls[c].type === 'info' ? 1 : 0;
    infoRank[c] = isInfo[c] ? infos++ : -1;
    let lo = c;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (calls[mid].invokePos < calls[c].completePos) lo = mid;
      else hi = mid - 1;
    }
    horizon[c] = lo;
  }
  const infoWords = (infos >>> 5) + 1;
  const infoBits = new Uint32Array(infoWords);
  let frontier = 0;
  while (frontier < n && isInfo[frontier]) frontier++;
  /** The frontier once `call` (whose bit is already set) is linearized. */
  const frontierAfter = (call: number): number => {
    if (call !== frontier) return frontier;
    let f = frontier + 1;
    while (f < n && (isInfo[f] === 1 || (bits[f >>> 5] & (1 << (f & 31))) !== 0)) f++;
    return f;
  };
  const scratch = new Int32Array(2 + infoWords + words);
  // Memo entries live in one growing arena, [hash, length, ...encoding],
  // found through an open-addressing table of arena offsets: no object and
  // no boxed number per entry, so millions of entries cost little GC.
  let arena = new Int32Array(1 << 16);
  let arenaEnd = 0;
  let table = new Int32Array(1 << 12).fill(-1);
  let cached = 0;
  const slotOf = (h: number, len: number): number => {
    const mask = table.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const o = table[i];
      if (o < 0) return i;
      if (arena[o] !== h || arena[o + 1] !== len) continue;
      let same = true;
      for (let k = 0; k < len && same; k++) same = arena[o + 2 + k] === scratch[k];
      if (same) return i;
    }
  };
  /** Adds the current (linearized set, state) to the memo; false if it was already there. */
  const remember = (stateId: number, f: number): boolean => {
    const loWord = f >>> 5;
    const hiWord = f === n ? words - 1 : horizon[f] >>> 5;
    let len = 0;
    scratch[len++] = stateId;
    scratch[len++] = f;
    for (let w = 0; w < infoWords; w++) scratch[len++] = infoBits[w];
    for (let w = loWord; w <= hiWord; w++) scratch[len++] = bits[w];

    let h = hash ^ Math.imul(stateId + 1, 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h ^= h >>> 13;
    const slot = slotOf(h, len);
    if (table[slot] >= 0) return false;
    if (arenaEnd + 2 + len > arena.length) {
      const grown = new Int32Array(Math.max(arena.length * 2, arenaEnd + 2 + len));
      grown.set(arena.subarray(0, arenaEnd));
      arena = grown;
    }
    arena[arenaEnd] = h;
    arena[arenaEnd + 1] = len;
    arena.set(scratch.subarray(0, len), arenaEnd + 2);
    table[slot] = arenaEnd;
    arenaEnd += 2 + len;
    if (++cached * 2 > table.length) {
      const old = table;
      table = new Int32Array(old.length * 2).fill(-1);
      const mask = table.length - 1;
      for (const o of old) {
        if (o < 0) continue;
        let i = arena[o] & mask;
        while (table[i] >= 0) i = (i + 1) & mask;
        table[i] = o;
      }
    }
    return true;
  };

  const stackCall = new Int32Array(n);
  const stackState = new Int32Array(n);
  let depth = 0;
  // The longest prefix so far, kept incrementally: `agree` is how many
  // leading stack entries equal `best`, so extending the best prefix costs
  // O(1) rather than a copy of the stack.
  const best = new Int32Array(n);
  let bestLen = 0;
  let bestState = 0;
  let agree = 0;

  let state = intern(model.init(initial));
  bestState = state;
  let entry = next[HEAD];
  let turns = 0;
  const result = (outcome: SearchResult['outcome']): SearchResult => ({
    outcome,
    prefix: Array.from(best.subarray(0, bestLen)),
    state: states[bestState],
    states: cached,
  });

  for (;;) {
    if (++turns === CLOCK_EVERY) {
      turns = 0;
      if (performance.now() > budget.deadlineMs) return result('timeout');
    }
    if (entry === TAIL || entryInfoReturn[entry] === 1) return result('linearizable');
    const call = entryCall[entry];
    if (call >= 0) {
      const to = transition(state, call);
      if (to >= 0) {
        bits[call >>> 5] |= 1 << (call & 31);
        const rank = infoRank[call];
        if (rank >= 0) infoBits[rank >>> 5] |= 1 << (rank & 31);
        hash ^= zob[call];
        const f = frontierAfter(call);
        if (remember(to, f)) {
          frontier = f;
          if (cached > budget.maxStates) return result('state-budget');
          stackCall[depth] = call;
          stackState[depth] = state;
          if (agree === depth && best[depth] === call && depth < bestLen) agree++;
          depth++;
          if (depth > bestLen) {
            if (agree < depth - 1) best.set(stackCall.subarray(agree, depth - 1), agree);
            best[depth - 1] = call;
            bestLen = agree = depth;
            bestState = to;
          }
          state = to;
          lift(entry);
          entry = next[HEAD];
          continue;
        }
        bits[call >>> 5] &= ~(1 << (call & 31));
        if (rank >= 0) infoBits[rank >>> 5] &= ~(1 << (rank & 31));
        hash ^= zob[call];
      }
      entry = next[entry];
    } else {
      // A return whose call is not linearized: this branch is dead.
      if (depth === 0) return result('violation');
      depth--;
      if (agree > depth) agree = depth;
      const undone = stackCall[depth];
      state = stackState[depth];
      bits[undone >>> 5] &= ~(1 << (undone & 31));
      const rank = infoRank[undone];
      if (rank >= 0) infoBits[rank >>> 5] &= ~(1 << (rank & 31));
      else if (undone < frontier) frontier = undone;
      hash ^= zob[undone];
      entry = callEntry[undone];
      unlift(entry);
      entry = next[entry];
    }
  }
}
