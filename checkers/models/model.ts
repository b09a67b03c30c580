/**
 * A model is a bag of pure functions (Porcupine's design): the sequential
 * specification a linearizability checker holds a history against.
 */

/** One operation as a model sees it: `input` is the invocation's value, `output` the ok completion's (undefined for an `info` op). */
export interface ModelOp {
  f: string;
  input: unknown;
  output: unknown;
  key?: string;
}

/**
 * A sequential specification. Every function is pure and must not mutate its
 * arguments. A model sees JSON values, as a history file holds them: the
 * linearizability checker steps each distinct op (f, key, input, output,
 * equal as JSON) once per state, so a model must not tell apart ops that
 * JSON cannot (0 and -0, key order).
 */
export interface Model<S = unknown> {
  name: string;
  /** The state before any op; `initial` is the user's initial value (for `kv`, the value of every key). */
  init(initial?: unknown): S;
  /** Applies `op` to `state`: whether the op's output is possible there, and the next state. Throws on an `f` the model does not know. */
  step(state: S, op: ModelOp): { ok: boolean; state: S };
  /**
   * P-compositionality: the partition (key) `op` belongs to, when the model
   * is a product of independent objects. A history is linearizable iff each
   * partition's sub-history is, so each is checked alone.
   */
  partition?(op: ModelOp): string;
  /** True when `f` never changes the state: such an op that ends `info` constrains nothing and is dropped. */
  readOnly?(f: string): boolean;
  /** A string equal for two states iff they are equal, for memoisation; default a stable JSON. */
  hash(state: S): string;
  /** A short human-readable rendering of `state` for counterexamples; default a stable JSON. */
  describe(state: S): string;
  /**
   * Optional, with `equal`: what the linearizability search interns states
   * by in place of `hash`. A number equal for equal states (unequal ones may
   * share one; `equal` settles it), for states that carry it so that it
   * costs nothing to read: `kv`'s values grow by appends, and hashing each
   * whole was most of a check's time.
   */
  fingerprint?(state: S): number;
  /** Optional, with `fingerprint`: whether two states are equal (as `hash` would say). */
  equal?(a: S, b: S): boolean;
  /**
   * Optional, with `fingerprint` and an `effect` for every op: the text of
   * a state, or undefined for a state that has none, for models whose ops
   * only read the state, set it (`writes`, `swaps`) or extend its text
   * (`appends`), as `kv`'s do. The search then drops a configuration as
   * soon as a pending read's text does not start with the state's and
   * nothing left can set the state to a prefix of it: appends never take a
   * text back. `fingerprint(state)` must then be the text's fingerprint
   * (fingerprint.ts), and `text(state).length` cheap.
   */
  text?(state: S): string | undefined;
  /**
   * Optional: `op`'s {@link Effect} when it has one of those simple shapes
   * (a read of a known value, a blind write, a compare-and-set, an append),
   * so that the linearizability search runs it without calling `step` (but
   * for appends); undefined for any other op. Must agree with `step`,
   * states compared by `hash`.
   */
  effect?(op: ModelOp): Effect<S> | undefined;
  /**
   * Optional, with `partition`: the model one partition's ops are checked
   * against, whose state is that partition's alone (for `kv`, one key's
   * value rather than a map of every key). Must agree with this model on
   * any history of one partition: it is how P-compositionality is made
   * cheap, not a different specification.
   */
  partitionModel?: Model;
}

/**
 * What an op does when it has a simple shape (see {@link Model.effect}).
 * `reads`: possible only in state `reads`, which it leaves as it is.
 * `writes`: possible in any state; the state becomes `writes`. `swaps`:
 * possible only in state `swaps[0]`; the state becomes `swaps[1]`.
 * `appends`: possible in any state, whose text (see {@link Model.text})
 * it extends by `appends`; the search still calls `step` for the state.
 */
export type Effect<S> = { reads: S } | { writes: S } | { swaps: readonly [S, S] } | { appends: string };

/** What a model author writes: `hash` and `describe` may be left out. */
export type ModelSpec<S> = Omit<Model<S>, 'hash' | 'describe'> & Partial<Pick<Model<S>, 'hash' | 'describe'>>;

/** Fills a model's defaults in one place (`hash`, `describe`: stable JSON). Pure. */
export function defineModel<S>(spec: ModelSpec<S>): Model<S> {
  return { hash: stableJson, describe: stableJson, ...spec };
}

/** JSON with object keys sorted, so equal values give equal strings; `undefined` renders as `null`. Pure. */
export function stableJson(value: unknown): string {
  // Loops and concatenation rather than map/join: checkers hash states with
  // this on their hot path.
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + stableJson(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length > 1) keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) out += `${(i === 0 ? '' : ',') + JSON.stringify(keys[i])}:${stableJson(obj[keys[i]])}`;
  return `${out}}`;
}

/** Deep equality on JSON values (`undefined` equals `null`, as JSON would write both). Pure. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  return stableJson(a) === stableJson(b);
}

/** The error every model throws for an operation it does not define. */
export function unknownOp(model: string, f: string): Error {
  return new Error(`model ${model} has no operation "${f}"`);
}
