/**
 * The linearizability search loop, in AssemblyScript, compiled to
 * WebAssembly (`npm run build:wasm` writes search.wasm beside this file;
 * a test checks that the committed binary is this source's build).
 *
 * Why WebAssembly: the loop is integer work over flat arrays, and in plain
 * JavaScript a one-off check ran mostly in V8's interpreter while the
 * optimising compiler was still warming up — 4x Porcupine's time on a first
 * check in a fresh process. WebAssembly is compiled before it runs.
 *
 * Wing & Gong's search with Lowe's memoisation, after Porcupine's
 * `checkSingle`: the calls and returns of one partition sit in one doubly
 * linked list in real-time order; the walk goes from the head, "lifting"
 * (unlinking) a call and its return when the call can be linearized next,
 * and backtracking when it meets a return whose call is not yet linearized.
 * A configuration (set of linearized calls, model state) already explored is
 * never explored again.
 *
 * Model states are small integers interned by the JavaScript side, and the
 * model itself stays in JavaScript: transitions are memoised per (state,
 * op kind), and when the walk needs one it has not seen it stops with STEP;
 * the caller runs the model, hands the answer to `setTransition`, and calls
 * `walk` again, which resumes where it stopped.
 *
 * Memory: one bump allocator from `__heap_base`; everything is allocated
 * from it and never freed until the allocator is reset (by `history` or
 * `begin`). Memory grows as needed, up to `limit`, and never shrinks; an
 * allocation that cannot grow it fails (0, false, or OUT_OF_MEMORY from the
 * walk).
 *
 * An instance plays one of two roles. A layout instance holds a history:
 * `history(slots)` returns where to write four i32 arrays of `slots`
 * entries, one entry a client invoke in history order — its invoke
 * position, its return position (`INFO_RETURN` for a call that may take
 * effect at any later time), where its completion is (-1: never) and its op
 * kind (-1 for a call dropped); then `kinds(k, p)` returns where to write
 * two arrays of `k` entries: each kind's partition (0 .. p-1) and its index
 * there; then `scatter(slots used)` groups the calls by partition. A search
 * instance searches one partition, so that several searches can be paused
 * and resumed in turn, each in its own memory: `begin(calls, kinds)` returns
 * where to write the partition's invoke positions, return positions and op
 * kinds (`calls` each, copied from the layout instance's `partitionColumn`)
 * and each kind's shape (two arrays of `kinds`: FROM and TO, see below);
 * then `layout()`, then `walk(...)` until it returns an outcome other than
 * STEP or CLOCK. State 0 is the initial state.
 *
 * An op kind's shape lets the walk step it without the model: FROM is the
 * state it needs (ANY: any state), TO the state it leads to, so a read of
 * state s is (s, s), a blind write of s (ANY, s), a compare-and-set (s, t).
 * FROM = GENERAL (what `begin` leaves) means: ask the model.
 *
 * Text pruning, optional (`pruning`, `stateText`): for states that are
 * strings grown by appends (kv's append), the JavaScript side gives each
 * state's text length and fingerprint, and each read kind's prefix
 * fingerprints and the kinds that can reset the state to a prefix of what
 * it reads. See `readable`.
 */

// Outcomes of `walk` (mirrored in ../core.ts).
const LINEARIZABLE: i32 = 0;
const VIOLATION: i32 = 1;
const STATE_BUDGET: i32 = 2;
const STEP: i32 = 3;
const CLOCK: i32 = 4;
const OUT_OF_MEMORY: i32 = 5;

/** The return position of an `info` call: after every other. */
const INFO_RETURN: i32 = i32.MAX_VALUE;
/** A transition not computed yet (all bits set, so that a byte fill clears a table). */
const UNKNOWN: i32 = -1;
/** A transition whose op is impossible from its state. */
const IMPOSSIBLE: i32 = -2;
/** States whose transitions sit in a dense table, by `kind * DIRECT_STATES + state`. */
const DIRECT_STATES: i32 = 8;
/** An op kind's FROM when the model must step it (all bits set, so that a byte fill sets it). */
const GENERAL: i32 = -1;
/** An op kind's FROM when it is possible in any state. */
const ANY: i32 = -2;

@inline function get(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}

@inline function put(base: usize, i: i32, v: i32): void {
  store<i32>(base + (<usize>i << 2), v);
}

// ---- Memory -------------------------------------------------------------

let top: usize = 0;
/** The most 64 KiB pages this instance may have (WebAssembly's 4 GiB unless `limit` says less). */
let maxPages: i32 = 65536;
/** Whether the last allocation that failed was refused by `limit` rather than by WebAssembly or the machine. */
let refused: bool = false;

/** Whether the last allocation that failed was refused by `limit` (a bound the caller may raise) rather than by WebAssembly or the machine. */
export function limited(): bool {
  return refused;
}

/** Caps this instance's memory at `pages` 64 KiB pages from now on (memory already grown stays). */
export function limit(pages: i32): void {
  maxPages = min(max(pages, 0), 65536);
}

/** `words` i32 words from the bump allocator, or 0 when memory cannot grow. */
function alloc(words: i32): usize {
  const at = top;
  // In 64 bits: near the 4 GiB limit a 32-bit end would wrap.
  const end = <u64>at + (<u64>words << 2);
  const have = <u64>memory.size() << 16;
  if (end > 0xffff_ffff) {
    refused = false;
    return 0;
  }
  if (end > have) {
    const need = <i32>((end - have + 0xffff) >>> 16);
    refused = memory.size() + need > maxPages;
    if (refused) return 0;
    // Doubling keeps growth amortised; near the limit, just what is needed.
    if (memory.grow(min(max(need, memory.size()), maxPages - memory.size())) < 0 && memory.grow(need) < 0) return 0;
  }
  top = <usize>end;
  return at;
}

// ---- One partition's search ---------------------------------------------

let n: i32 = 0;
let opKindCount: i32 = 0;
let words: i32 = 0;
let infoWords: i32 = 0;

/** The partition's calls: invoke and return positions, op kinds; its kinds' shapes. */
let INVOKE: usize = 0;
let RETURN: usize = 0;
let KIND: usize = 0;
let FROM: usize = 0;
let TO: usize = 0;
/** Entries: 0 = head, 1..2n = calls and returns in real-time order, 2n+1 = tail. */
let NEXT: usize = 0;
let PREV: usize = 0;
/** The call of a call entry, -1 for a return entry. */
let ENTRY_CALL: usize = 0;
/** 1 for the return entry of an info call. */
let ENTRY_INFO: usize = 0;
/** A call entry's return entry. */
let MATCH: usize = 0;
let CALL_ENTRY: usize = 0;
/** Zobrist words, one a call: the linearized set's hash is their XOR. */
let ZOB: usize = 0;
let IS_INFO: usize = 0;
/**
 * An info call's index among the info calls; for an ok call, a spare bit
 * past the info words, so that the walk sets and clears a bit for every
 * call without a branch.
 */
let INFO_RANK: usize = 0;
/** The bitset word of the last call invoked before call `c` returns, for `c` in 0..n (n: the last word). */
let HORIZON: usize = 0;
let STACK_CALL: usize = 0;
let STACK_STATE: usize = 0;
/** 1 where the call at that depth was a forced read (see `readable`). */
let STACK_FORCED: usize = 0;
/** Per kind: its calls in the partition, and how many of them are linearized. */
let KIND_CALLS: usize = 0;
let KIND_DONE: usize = 0;
/**
 * Info calls of one kind are interchangeable once invoked (the same op, and
 * no return to keep to), so the walk only ever linearizes the first of a
 * kind not yet linearized: per kind, that call (n when none is left); per
 * info call, the next one of its kind. See the walk.
 */
let FIRST_INFO: usize = 0;
let NEXT_INFO: usize = 0;

// ---- Text pruning (see `readable`) ----------------------------------------

let pruneOn: bool = false;
/** Per kind: the text length of the state it reads (-1: none), where its prefix fingerprints start in PFX (pairs), where its resets start in RESETS and how many. */
let READ_LEN: usize = 0;
let READ_AT: usize = 0;
let RESET_AT: usize = 0;
let RESET_N: usize = 0;
/** Prefix fingerprints, two residues a prefix length. */
let PFX: usize = 0;
let RESETS: usize = 0;
/** Per state: its text length (-1: not a text), and its fingerprint's two residues; `stateTexts` states have a slot. */
let STATE_TEXT: usize = 0;
let stateTexts: i32 = 0;
let BEST: usize = 0;
let BITS: usize = 0;
let INFO_BITS: usize = 0;
let SCRATCH: usize = 0;
let DIRECT: usize = 0;

// ---- The history's calls, by partition -----------------------------------

let slots: i32 = 0;
let H_INVOKE: usize = 0;
let H_RETURN: usize = 0;
let H_END: usize = 0;
let H_KIND: usize = 0;
let K_PARTITION: usize = 0;
let K_LOCAL: usize = 0;
let partitions: i32 = 0;
/** Partition p's calls are entries P_START[p] .. P_START[p+1]-1 of the S_ arrays, in invoke order. */
let P_START: usize = 0;
let S_SLOT: usize = 0;
let S_INVOKE: usize = 0;
let S_RETURN: usize = 0;
let S_KIND: usize = 0;
/** Where the next layout step's allocations start: after the history's. */
let historyTop: usize = 0;

/** Starts a history of `count` invokes: returns where its four input arrays go, or 0 when memory cannot grow. */
export function history(count: i32): usize {
  top = (__heap_base + 7) & ~7;
  slots = count;
  H_INVOKE = alloc(count);
  H_RETURN = alloc(count);
  H_END = alloc(count);
  H_KIND = alloc(count);
  historyTop = top;
  return H_KIND == 0 ? 0 : H_INVOKE;
}

/** Makes room for the partition and local index of `count` kinds in `partitionCount` partitions: returns where they go, or 0. */
export function kinds(count: i32, partitionCount: i32): usize {
  top = historyTop;
  partitions = partitionCount;
  K_PARTITION = alloc(count);
  K_LOCAL = alloc(count);
  historyTop = top;
  return K_LOCAL == 0 ? 0 : K_PARTITION;
}

/** Groups the calls of the first `used` slots by partition, each in invoke order (a counting sort). False when memory cannot grow. */
export function scatter(used: i32): bool {
  top = historyTop;
  slots = used;
  P_START = alloc(partitions + 1);
  const cursor = alloc(partitions);
  S_SLOT = alloc(slots);
  S_INVOKE = alloc(slots);
  S_RETURN = alloc(slots);
  S_KIND = alloc(slots);
  if (S_KIND == 0) return false;
  memory.fill(P_START, 0, <usize>(partitions + 1) << 2);
  for (let s = 0; s < slots; s++) {
    const k = get(H_KIND, s);
    if (k >= 0) {
      const p = get(K_PARTITION, k) + 1;
      put(P_START, p, get(P_START, p) + 1);
    }
  }
  for (let p = 0; p < partitions; p++) {
    put(P_START, p + 1, get(P_START, p + 1) + get(P_START, p));
    put(cursor, p, get(P_START, p));
  }
  for (let s = 0; s < slots; s++) {
    const k = get(H_KIND, s);
    if (k < 0) continue;
    const p = get(K_PARTITION, k);
    const at = get(cursor, p);
    put(cursor, p, at + 1);
    put(S_SLOT, at, s);
    put(S_INVOKE, at, get(H_INVOKE, s));
    put(S_RETURN, at, get(H_RETURN, s));
    put(S_KIND, at, get(K_LOCAL, k));
  }
  historyTop = top;
  return true;
}

/** Where partition `p`'s calls' slots are (`partitionSize(p)` of them): the call a walk calls `c` is the history's invoke `slot[c]`. */
export function partitionSlots(p: i32): usize {
  return S_SLOT + (<usize>get(P_START, p) << 2);
}

/** Where partition `p`'s calls' invoke positions (`column` 0), return positions (1) or op kinds, local to the partition (2) are, in invoke order. */
export function partitionColumn(p: i32, column: i32): usize {
  const at = <usize>get(P_START, p) << 2;
  return column == 0 ? S_INVOKE + at : column == 1 ? S_RETURN + at : S_KIND + at;
}

export function partitionSize(p: i32): i32 {
  return get(P_START, p + 1) - get(P_START, p);
}

/**
 * Starts a search of `calls` calls of `opKinds` op kinds in this instance,
 * forgetting whatever it held: returns where to write the calls' invoke
 * positions, return positions and kinds, then the kinds' FROM and TO (see
 * the shapes above; FROM is left GENERAL), one after another; 0 when memory
 * cannot grow.
 */
export function begin(calls: i32, opKinds: i32): usize {
  top = (__heap_base + 7) & ~7;
  n = calls;
  opKindCount = opKinds;
  words = (n >>> 5) + 1;
  const entries = 2 * n + 2;
  INVOKE = alloc(3 * n + 2 * opKinds);
  RETURN = INVOKE + (<usize>n << 2);
  KIND = RETURN + (<usize>n << 2);
  FROM = KIND + (<usize>n << 2);
  TO = FROM + (<usize>opKinds << 2);
  NEXT = alloc(entries);
  PREV = alloc(entries);
  ENTRY_CALL = alloc(entries);
  ENTRY_INFO = alloc(entries);
  MATCH = alloc(entries);
  CALL_ENTRY = alloc(n);
  ZOB = alloc(n);
  IS_INFO = alloc(n);
  INFO_RANK = alloc(n);
  HORIZON = alloc(n + 1);
  STACK_CALL = alloc(n);
  STACK_STATE = alloc(n);
  STACK_FORCED = alloc(n);
  BEST = alloc(n);
  BITS = alloc(words);
  INFO_BITS = alloc(words + 1);
  SCRATCH = alloc(2 + 2 * words + 1);
  DIRECT = alloc(opKindCount * DIRECT_STATES);
  KIND_CALLS = alloc(opKindCount);
  KIND_DONE = alloc(opKindCount);
  FIRST_INFO = alloc(opKindCount);
  NEXT_INFO = alloc(n);
  pruneOn = false;
  stateTexts = 0;
  transitionCount = 0;
  memoSize = 0;
  if (INVOKE == 0 || SCRATCH == 0 || NEXT_INFO == 0 || !newTransitions(64) || !newMemo(max(64, <i32>(1 << (32 - clz(2 * n)))))) return 0;
  memory.fill(FROM, 0xff, <usize>opKinds << 2);
  return INVOKE;
}

/**
 * Turns text pruning on for the search `begin` started, with `pairs` prefix
 * fingerprints and `resets` reset entries in all: returns where to write,
 * one after another, READ_LEN, READ_AT, RESET_AT and RESET_N (one entry a
 * kind each; READ_LEN is left -1), then PFX (two residues a prefix) and
 * RESETS (kind indices); 0 when memory cannot grow. Call before `layout`.
 */
export function pruning(pairs: i32, resets: i32): usize {
  const at = alloc(4 * opKindCount + 2 * pairs + resets);
  if (at == 0) return 0;
  READ_LEN = at;
  READ_AT = READ_LEN + (<usize>opKindCount << 2);
  RESET_AT = READ_AT + (<usize>opKindCount << 2);
  RESET_N = RESET_AT + (<usize>opKindCount << 2);
  PFX = RESET_N + (<usize>opKindCount << 2);
  RESETS = PFX + (<usize>pairs << 3);
  memory.fill(READ_LEN, 0xff, <usize>opKindCount << 2);
  pruneOn = true;
  return at;
}

/** Records state `id`'s text: its length (-1: not a text) and fingerprint residues. False when memory cannot grow. */
export function stateText(id: i32, length: i32, fp1: i32, fp2: i32): bool {
  if (id >= stateTexts) {
    const size = max(64, max(id + 1, 2 * stateTexts));
    const at = alloc(3 * size);
    if (at == 0) return false;
    if (stateTexts > 0) memory.copy(at, STATE_TEXT, <usize>(3 * stateTexts) << 2);
    memory.fill(at + (<usize>(3 * stateTexts) << 2), 0xff, <usize>(3 * (size - stateTexts)) << 2);
    STATE_TEXT = at;
    stateTexts = size;
  }
  put(STATE_TEXT, 3 * id, length);
  put(STATE_TEXT, 3 * id + 1, fp1);
  put(STATE_TEXT, 3 * id + 2, fp2);
  return true;
}

/**
 * Builds the linked list and the tables the walk reads from the inputs, and
 * puts the walk at the head in state 0. False when memory cannot grow.
 */
export function layout(): bool {
  const SORTED = alloc(n);
  const SPARE = alloc(n);
  if (SPARE == 0) return false;
  memory.fill(ENTRY_CALL, 0xff, <usize>(2 * n + 2) << 2);
  memory.fill(ENTRY_INFO, 0, <usize>(2 * n + 2) << 2);
  memory.fill(BITS, 0, <usize>words << 2);
  memory.fill(DIRECT, 0xff, <usize>(opKindCount * DIRECT_STATES) << 2);
  memory.fill(KIND_CALLS, 0, <usize>opKindCount << 2);
  memory.fill(KIND_DONE, 0, <usize>opKindCount << 2);
  for (let c = 0; c < n; c++) put(KIND_CALLS, get(KIND, c), get(KIND_CALLS, get(KIND, c)) + 1);
  // Each kind's info calls, linked in invoke order (built backwards).
  for (let k = 0; k < opKindCount; k++) put(FIRST_INFO, k, n);
  for (let c = n - 1; c >= 0; c--) {
    if (get(RETURN, c) != INFO_RETURN) continue;
    put(NEXT_INFO, c, get(FIRST_INFO, get(KIND, c)));
    put(FIRST_INFO, get(KIND, c), c);
  }

  // The ok calls by return position; calls are already in invoke order.
  let oks = 0;
  for (let c = 0; c < n; c++) if (get(RETURN, c) != INFO_RETURN) put(SORTED, oks++, c);
  const sorted = sortByReturn(SORTED, SPARE, oks);

  // Merge calls and ok returns by position; info returns go last, in invoke order.
  let e = 1;
  let c = 0;
  let r = 0;
  while (c < n || r < oks) {
    const call = r < oks ? get(sorted, r) : -1;
    if (c < n && (r == oks || get(INVOKE, c) < get(RETURN, call))) {
      put(ENTRY_CALL, e, c);
      put(CALL_ENTRY, c++, e++);
    } else {
      r++;
      put(MATCH, get(CALL_ENTRY, call), e++);
    }
  }
  for (let call = 0; call < n; call++) {
    if (get(RETURN, call) != INFO_RETURN) continue;
    put(MATCH, get(CALL_ENTRY, call), e);
    put(ENTRY_INFO, e++, 1);
  }
  for (let i = 0; i < 2 * n + 1; i++) put(NEXT, i, i + 1);
  for (let i = 1; i <= 2 * n + 1; i++) put(PREV, i, i - 1);

  let seed: i32 = 0x9e3779b9;
  let infos = 0;
  for (let c = 0; c < n; c++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    put(ZOB, c, seed);
    const info = get(RETURN, c) == INFO_RETURN;
    put(IS_INFO, c, <i32>info);
    if (info) put(INFO_RANK, c, infos++);
    // The last call invoked before c returns (calls are in invoke order).
    let lo = c;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (get(INVOKE, mid) < get(RETURN, c)) lo = mid;
      else hi = mid - 1;
    }
    put(HORIZON, c, lo >>> 5);
  }
  put(HORIZON, n, words - 1);
  infoWords = (infos >>> 5) + 1;
  const spare = infoWords * 32;
  for (let c = 0; c < n; c++) if (!get(IS_INFO, c)) put(INFO_RANK, c, spare);
  memory.fill(INFO_BITS, 0, <usize>(infoWords + 1) << 2);

  hash = 0;
  frontier = 0;
  while (frontier < n && get(IS_INFO, frontier)) frontier++;
  depth = 0;
  entry = readable(0);
  forcedEntry = entry > 0 ? 1 : 0;
  if (entry < 0) entry = get(NEXT, 0);
  state = 0;
  bestLen = 0;
  bestState = 0;
  agree = 0;
  return true;
}

/** Sorts `count` call indices at `a` by return position (bottom-up merge sort, `b` the spare); returns where the sorted run is. */
function sortByReturn(a: usize, b: usize, count: i32): usize {
  let from = a;
  let to = b;
  for (let width = 1; width < count; width <<= 1) {
    for (let lo = 0; lo < count; lo += 2 * width) {
      const mid = min(lo + width, count);
      const hi = min(lo + 2 * width, count);
      let i = lo;
      let j = mid;
      for (let k = lo; k < hi; k++) {
        if (i < mid && (j >= hi || get(RETURN, get(from, i)) < get(RETURN, get(from, j)))) put(to, k, get(from, i++));
        else put(to, k, get(from, j++));
      }
    }
    const t = from;
    from = to;
    to = t;
  }
  return from;
}

// ---- Transitions (state, kind) -> state -----------------------------------

/** Transitions from states >= DIRECT_STATES: open addressing over [from, kind, to] triples, `from` -1 when free. */
let TRANSITIONS: usize = 0;
let transitionMask: i32 = 0;
let transitionCount: i32 = 0;

function newTransitions(slots: i32): bool {
  const at = alloc(3 * slots);
  if (at == 0) return false;
  memory.fill(at, 0xff, <usize>(3 * slots) << 2);
  TRANSITIONS = at;
  transitionMask = slots - 1;
  return true;
}

@inline function transitionSlot(from: i32, kind: i32): i32 {
  return ((from * 0x9e3779b1 + kind * 0x85ebca6b) ^ (kind >>> 7)) & transitionMask;
}

/** The memoised transition from `from` (>= DIRECT_STATES) by `kind`, or UNKNOWN. */
function hashedTransition(from: i32, kind: i32): i32 {
  for (let i = transitionSlot(from, kind); get(TRANSITIONS, 3 * i) >= 0; i = (i + 1) & transitionMask) {
    if (get(TRANSITIONS, 3 * i) == from && get(TRANSITIONS, 3 * i + 1) == kind) return get(TRANSITIONS, 3 * i + 2);
  }
  return UNKNOWN;
}

function insertTransition(from: i32, kind: i32, to: i32): void {
  let i = transitionSlot(from, kind);
  while (get(TRANSITIONS, 3 * i) >= 0) i = (i + 1) & transitionMask;
  put(TRANSITIONS, 3 * i, from);
  put(TRANSITIONS, 3 * i + 1, kind);
  put(TRANSITIONS, 3 * i + 2, to);
}

/**
 * Records that op kind `kind` from state `from` leads to state `to`
 * (IMPOSSIBLE when its output is impossible there). False when memory
 * cannot grow.
 */
export function setTransition(from: i32, kind: i32, to: i32): bool {
  if (from < DIRECT_STATES) {
    put(DIRECT, kind * DIRECT_STATES + from, to);
    return true;
  }
  if (2 * (transitionCount + 1) > transitionMask + 1) {
    const old = TRANSITIONS;
    const slots = transitionMask + 1;
    if (!newTransitions(2 * slots)) return false;
    for (let i = 0; i < slots; i++) {
      const at = get(old, 3 * i);
      if (at >= 0) insertTransition(at, get(old, 3 * i + 1), get(old, 3 * i + 2));
    }
  }
  transitionCount++;
  insertTransition(from, kind, to);
  return true;
}

// ---- The memo: configurations explored ---------------------------------

/** Open addressing over pointers to entries [hash, length, ...encoding]; 0 when free. */
let MEMO: usize = 0;
let memoMask: i32 = 0;
let memoSize: i32 = 0;

function newMemo(slots: i32): bool {
  const at = alloc(slots);
  if (at == 0) return false;
  memory.fill(at, 0, <usize>slots << 2);
  MEMO = at;
  memoMask = slots - 1;
  return true;
}

/** Adds the configuration `SCRATCH[0..len)` hashed `h`: 1 if new, 0 if it was there, -1 when memory cannot grow. */
function memoAdd(h: i32, len: i32): i32 {
  let i = h & memoMask;
  for (let at = <usize>get(MEMO, i); at != 0; i = (i + 1) & memoMask, at = <usize>get(MEMO, i)) {
    if (load<i32>(at) != h || load<i32>(at + 4) != len) continue;
    let k = 0;
    while (k < len && get(at + 8, k) == get(SCRATCH, k)) k++;
    if (k == len) return 0;
  }
  // Room first, then the entry: a failure leaves the memo as it was, so
  // that the walk can resume (under a larger memory bound) and add it then.
  const at = alloc(2 + len);
  if (at == 0) return -1;
  if (2 * (memoSize + 2) > memoMask + 1) {
    const old = MEMO;
    const slots = memoMask + 1;
    if (!newMemo(2 * slots)) return -1;
    for (let j = 0; j < slots; j++) {
      const o = get(old, j);
      if (o == 0) continue;
      let k = load<i32>(<usize>o) & memoMask;
      while (get(MEMO, k) != 0) k = (k + 1) & memoMask;
      put(MEMO, k, o);
    }
    i = h & memoMask;
    while (get(MEMO, i) != 0) i = (i + 1) & memoMask;
  }
  store<i32>(at, h);
  store<i32>(at + 4, len);
  memory.copy(at + 8, SCRATCH, <usize>len << 2);
  put(MEMO, i, <i32>at);
  memoSize++;
  return 1;
}

// ---- The walk -------------------------------------------------------------

/** The linearized set's Zobrist hash. */
let hash: i32 = 0;
/**
 * The earliest ok call not yet linearized. Every ok call before it is
 * linearized, and no call invoked after its return can be (the walk never
 * passes an unlifted return), so a configuration is stored as its state,
 * the frontier, the info bits and the bitset words from the frontier to its
 * horizon: a few words in place of n bits, whatever the history's length.
 */
let frontier: i32 = 0;
let depth: i32 = 0;
let entry: i32 = 0;
let state: i32 = 0;
/** The longest linearized prefix found (calls at BEST), the state after it, and how many leading stack entries equal it. */
let bestLen: i32 = 0;
let bestState: i32 = 0;
let agree: i32 = 0;
/** 1 when the walk is at a forced read (`entry` was chosen by `readable`). */
let forcedEntry: i32 = 0;
/** The transition the walk stopped for (STEP). */
let needState: i32 = 0;
let needKind: i32 = 0;
/** Turns left when the walk last stopped. */
let turnsLeft: i32 = 0;

/**
 * Looks over the candidates (the calls before the first return not yet
 * lifted) in state `now`: returns the entry of a forced read, 0 (the head,
 * which the walk takes for a dead end) when a read can never become
 * possible, or -1.
 *
 * A read is forced when its kind reads `now` (FROM = TO = `now`): if the
 * configuration can be completed at all, it can be completed with that read
 * next, because moving a read that is possible now to the front of a
 * linearization breaks nothing: it leaves the state as it is for the ops
 * after it, and every op that must precede it in real time (returned before
 * it was invoked) is already linearized, or it would not be a candidate. So
 * the walk tries only the read, and when its subtree fails the
 * configuration fails with it. In histories of many reads this cuts the
 * search by orders of magnitude; it changes no verdict.
 *
 * With text pruning, a read is hopeless when the state's text is not a
 * prefix of the text it reads, and no kind that could reset the state to a
 * prefix of it has a call left: appends only ever extend the text, so the
 * read can never become possible, and it must be linearized (an ok read).
 * The fingerprints make "is a prefix" exact in one direction only: unequal
 * fingerprints prove the prefixes differ; equal ones (very rarely a
 * collision) merely keep the configuration, which is always sound.
 */
function readable(now: i32): i32 {
  const TAIL = 2 * n + 1;
  const length = pruneOn && now < stateTexts ? get(STATE_TEXT, 3 * now) : -1;
  for (let e = get(NEXT, 0); e != TAIL && !get(ENTRY_INFO, e); e = get(NEXT, e)) {
    const call = get(ENTRY_CALL, e);
    if (call < 0) return -1;
    if (get(IS_INFO, call)) continue;
    const kind = get(KIND, call);
    const from = get(FROM, kind);
    if (from < 0 || get(TO, kind) != from) continue;
    if (from == now) return e;
    if (length < 0) continue;
    const readLength = get(READ_LEN, kind);
    if (readLength < 0) continue;
    const at = 2 * (get(READ_AT, kind) + length);
    if (length <= readLength && get(PFX, at) == get(STATE_TEXT, 3 * now + 1) && get(PFX, at + 1) == get(STATE_TEXT, 3 * now + 2)) continue;
    let reset = false;
    for (let r = get(RESET_AT, kind), end = r + get(RESET_N, kind); r < end && !reset; r++) {
      const k = get(RESETS, r);
      reset = get(KIND_DONE, k) < get(KIND_CALLS, k);
    }
    if (!reset) return 0;
  }
  return -1;
}

/**
 * Walks for at most `turns` steps: returns LINEARIZABLE, VIOLATION,
 * STATE_BUDGET (more than `maxStates` configurations memoised) or
 * OUT_OF_MEMORY, or stops with STEP (it needs the transition
 * `neededState()` by `neededKind()`) or CLOCK (its turns ran out); call it
 * again and it resumes where it stopped.
 */
export function walk(maxStates: i32, turns: i32): i32 {
  // The walk's position and the arrays' addresses in locals: a global is a
  // load from the instance at every use, a local is a register.
  const TAIL = 2 * n + 1;
  const next = NEXT;
  const prev = PREV;
  const entryCall = ENTRY_CALL;
  const entryInfo = ENTRY_INFO;
  const match = MATCH;
  const kindOf = KIND;
  const shapeFrom = FROM;
  const shapeTo = TO;
  const direct = DIRECT;
  const bits = BITS;
  const infoBits = INFO_BITS;
  const infoRank = INFO_RANK;
  const isInfo = IS_INFO;
  const zob = ZOB;
  const horizon = HORIZON;
  const scratch = SCRATCH;
  const stackCall = STACK_CALL;
  const stackState = STACK_STATE;
  const stackForced = STACK_FORCED;
  const best = BEST;
  const calls = n;
  const infoWordCount = infoWords;
  let at = entry;
  let forced = forcedEntry;
  let now = state;
  let h0 = hash;
  let front = frontier;
  let d = depth;
  let longest = bestLen;
  let same = agree;
  let outcome = CLOCK;
  while (turns-- > 0) {
    if (at == TAIL || get(entryInfo, at)) {
      outcome = LINEARIZABLE;
      break;
    }
    const call = get(entryCall, at);
    // Whether this configuration is dead: a return whose call is not
    // linearized, or a forced read that led nowhere.
    let dead = call < 0;
    if (!dead) {
      const kind = get(kindOf, call);
      const from = get(shapeFrom, kind);
      let to: i32;
      // An info call behind an earlier one of its kind, still unlinearized
      // and so a candidate too: whatever it would lead to, that one leads to
      // the same (swap the two in any linearization), so only that one goes.
      if (get(isInfo, call) && get(FIRST_INFO, kind) != call) to = IMPOSSIBLE;
      else if (from == GENERAL) {
        to = now < DIRECT_STATES ? get(direct, kind * DIRECT_STATES + now) : hashedTransition(now, kind);
        if (to == UNKNOWN) {
          needState = now;
          needKind = kind;
          outcome = STEP;
          break;
        }
      } else to = from == ANY || from == now ? get(shapeTo, kind) : IMPOSSIBLE;
      if (to >= 0) {
        const word = bits + (<usize>(call >>> 5) << 2);
        store<i32>(word, load<i32>(word) | (1 << (call & 31)));
        const rank = get(infoRank, call);
        const infoWord = infoBits + (<usize>(rank >>> 5) << 2);
        store<i32>(infoWord, load<i32>(infoWord) | (1 << (rank & 31)));
        h0 ^= get(zob, call);
        // The frontier once `call` is linearized.
        let f = front;
        if (call == f) {
          f++;
          while (f < calls && (get(isInfo, f) || (get(bits, f >>> 5) & (1 << (f & 31))) != 0)) f++;
        }
        // Encode the configuration: state, frontier, info bits, the frontier's words.
        let len = 0;
        put(scratch, len++, to);
        put(scratch, len++, f);
        for (let w = 0; w < infoWordCount; w++) put(scratch, len++, get(infoBits, w));
        for (let w = f >>> 5, hi = get(horizon, f); w <= hi; w++) put(scratch, len++, get(bits, w));
        let h = h0 ^ ((to + 1) * 0x9e3779b1);
        h = (h ^ (h >>> 16)) * 0x85ebca6b;
        h ^= h >>> 13;
        const added = memoAdd(h, len);
        if (added > 0) {
          if (memoSize > maxStates) {
            outcome = STATE_BUDGET;
            break;
          }
          front = f;
          put(stackCall, d, call);
          put(stackState, d, now);
          put(stackForced, d, forced);
          if (same == d && d < longest && get(best, d) == call) same++;
          d++;
          if (d > longest) {
            for (let k = same; k < d - 1; k++) put(best, k, get(stackCall, k));
            put(best, d - 1, call);
            longest = same = d;
            bestState = to;
          }
          now = to;
          // Lift the call and its return out of the list.
          const m = get(match, at);
          put(next, get(prev, at), get(next, at));
          put(prev, get(next, at), get(prev, at));
          put(next, get(prev, m), get(next, m));
          put(prev, get(next, m), get(prev, m));
          put(KIND_DONE, get(kindOf, call), get(KIND_DONE, get(kindOf, call)) + 1);
          if (get(isInfo, call)) put(FIRST_INFO, get(kindOf, call), get(NEXT_INFO, call));
          at = readable(now);
          forced = at > 0 ? 1 : 0;
          if (at < 0) at = get(next, 0);
          continue;
        }
        store<i32>(word, load<i32>(word) & ~(1 << (call & 31)));
        store<i32>(infoWord, load<i32>(infoWord) & ~(1 << (rank & 31)));
        h0 ^= get(zob, call);
        if (added < 0) {
          outcome = OUT_OF_MEMORY;
          break;
        }
      }
      // A forced read is possible by construction, so only a memo hit gets here with it.
      dead = forced != 0;
      if (!dead) {
        at = get(next, at);
        continue;
      }
    }
    // Backtrack: undo the last linearized call, and go on to the candidate
    // after it; a call that was forced takes its configuration down too.
    let violated = false;
    for (;;) {
      if (d == 0) {
        violated = true;
        break;
      }
      d--;
      if (same > d) same = d;
      const undone = get(stackCall, d);
      put(KIND_DONE, get(kindOf, undone), get(KIND_DONE, get(kindOf, undone)) - 1);
      if (get(isInfo, undone)) put(FIRST_INFO, get(kindOf, undone), undone);
      now = get(stackState, d);
      const word = bits + (<usize>(undone >>> 5) << 2);
      store<i32>(word, load<i32>(word) & ~(1 << (undone & 31)));
      const rank = get(infoRank, undone);
      const infoWord = infoBits + (<usize>(rank >>> 5) << 2);
      store<i32>(infoWord, load<i32>(infoWord) & ~(1 << (rank & 31)));
      if (!get(isInfo, undone) && undone < front) front = undone;
      h0 ^= get(zob, undone);
      // Put the call and its return back, in the reverse order of lifting.
      at = get(CALL_ENTRY, undone);
      const m = get(match, at);
      put(next, get(prev, m), m);
      put(prev, get(next, m), m);
      put(next, get(prev, at), at);
      put(prev, get(next, at), at);
      at = get(next, at);
      if (!get(stackForced, d)) break;
    }
    if (violated) {
      outcome = VIOLATION;
      break;
    }
    forced = 0;
  }
  turnsLeft = max(turns, 0);
  entry = at;
  forcedEntry = forced;
  state = now;
  hash = h0;
  frontier = front;
  depth = d;
  bestLen = longest;
  agree = same;
  return outcome;
}

/** The turns the last walk had left when it stopped: a walk resumed after STEP is given these, so that stops for steps do not put off the clock. */
export function remainingTurns(): i32 {
  return turnsLeft;
}

/** The state of the transition the walk stopped for. */
export function neededState(): i32 {
  return needState;
}

/** The op kind of the transition the walk stopped for. */
export function neededKind(): i32 {
  return needKind;
}

/** Configurations memoised in this partition: the search's work. */
export function memoised(): i32 {
  return memoSize;
}

/** Where the longest linearized prefix found is: `prefixLength()` call indices. */
export function prefix(): usize {
  return BEST;
}

export function prefixLength(): i32 {
  return bestLen;
}

/** The state after the longest prefix. */
export function prefixState(): i32 {
  return bestState;
}
