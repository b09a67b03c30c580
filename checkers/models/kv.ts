import { casPair } from './cas-register.ts';
import { concatFingerprint, fingerprint } from './fingerprint.ts';
import { defineModel, jsonEqual, stableJson, unknownOp, type Effect, type ModelOp } from './model.ts';

/** A key-value map: `initial` is every unwritten key's value; `values` holds the written ones. */
export interface KvState {
  initial: unknown;
  values: ReadonlyMap<string, unknown>;
}

/** One key's value, with the fingerprint of its text (see {@link textOf} and fingerprint.ts). */
export interface KeyState {
  value: unknown;
  fingerprint: number;
}

/**
 * One key of the store, the model each of {@link kv}'s partitions is
 * checked against: the state is that key's value alone, so a step copies no
 * map. A value carries its text's fingerprint, grown with each append, so
 * that the search interns it without reading it whole (and V8 keeps it a
 * rope of the appended pieces rather than a copy per state), and prunes
 * on it (see {@link Model.text}). Pure.
 */
export const kvKey = defineModel<KeyState>({
  name: 'kv (one key)',
  init: (initial) => keyState(initial ?? null),
  step(state, op) {
    if (op.f === 'append') {
      const suffix = String(op.input ?? '');
      return {
        ok: true,
        state: { value: textOf(state.value) + suffix, fingerprint: concatFingerprint(state.fingerprint, fingerprint(suffix), suffix.length) },
      };
    }
    const next = stepValue(state.value, op);
    if (next === IMPOSSIBLE) return { ok: false, state };
    return { ok: true, state: next === state.value ? state : keyState(next) };
  },
  effect(op: ModelOp): Effect<KeyState> | undefined {
    switch (op.f) {
      case 'get':
      case 'read':
        return op.output === undefined ? undefined : { reads: keyState(op.output) };
      case 'put':
      case 'write':
        return { writes: keyState(op.input ?? null) };
      case 'cas': {
        const [from, to] = casPair(op.input);
        return { swaps: [keyState(from), keyState(to ?? null)] };
      }
      case 'append':
        return { appends: String(op.input ?? '') };
      default:
        throw unknownOp('kv', op.f);
    }
  },
  readOnly,
  hash: (state) => stableJson(state.value),
  fingerprint: (state) => state.fingerprint,
  equal: (a, b) => (typeof a.value === 'string' && typeof b.value === 'string' ? a.value === b.value : jsonEqual(a.value, b.value)),
  // Only strings and null ("" to an append) have a text: an append to 5 makes "5x", but numbers are not what appends grow.
  text: (state) => (typeof state.value === 'string' ? state.value : state.value === null ? '' : undefined),
  describe: (state) => stableJson(state.value),
});

/**
 * A key-value store, partitioned by `key`: `get` (output = value), `put v`,
 * `append v` (string concatenation; a `null` value counts as ""), `cas
 * [from, to]`. Every key starts at the initial value. Pure.
 *
 * The linearizability checker checks each key against {@link kvKey}; this
 * model's own state, every key's value, serves unpartitioned uses (the test
 * oracle). The written values are a Map rather than an object: an object
 * keyed by user keys takes a new hidden class for every key set.
 */
export const kv = defineModel<KvState>({
  name: 'kv',
  init: (initial) => ({ initial: initial ?? null, values: new Map() }),
  step(state, op) {
    const key = op.key ?? '';
    const current = state.values.has(key) ? state.values.get(key) : state.initial;
    const next = stepValue(current, op);
    if (next === IMPOSSIBLE) return { ok: false, state };
    return next === current ? { ok: true, state } : { ok: true, state: written(state, key, next) };
  },
  partition: (op) => op.key ?? '',
  partitionModel: kvKey,
  readOnly,
  hash: valuesJson,
  describe: valuesJson,
});

/** `get` and `read` never change a value. */
function readOnly(f: string): boolean {
  return f === 'get' || f === 'read';
}

/** Returned by {@link stepValue} for an op whose output is impossible from the value. */
const IMPOSSIBLE = Symbol('impossible');

/** A key's value after `op`, or IMPOSSIBLE. Pure. */
function stepValue(value: unknown, op: ModelOp): unknown {
  switch (op.f) {
    case 'get':
    case 'read':
      return op.output === undefined || jsonEqual(op.output, value) ? value : IMPOSSIBLE;
    case 'put':
    case 'write':
      return op.input ?? null;
    case 'append':
      return textOf(value) + String(op.input ?? '');
    case 'cas': {
      const [from, to] = casPair(op.input);
      return jsonEqual(value, from) ? (to ?? null) : IMPOSSIBLE;
    }
    default:
      throw unknownOp('kv', op.f);
  }
}

/** A key's value with its text's fingerprint. Values with one text (null and "", 5 and "5") share it; `equal` tells them apart. */
function keyState(value: unknown): KeyState {
  return { value, fingerprint: fingerprint(textOf(value)) };
}

/** The text an append extends: a string is its own, `null` is "", anything else its String(). */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : String(value ?? '');
}

/** `state` with `key` set to `value`; `state` is left as it was. */
function written(state: KvState, key: string, value: unknown): KvState {
  const values = new Map(state.values);
  values.set(key, value);
  return { initial: state.initial, values };
}

/** The written values as a JSON object with sorted keys (equal for equal states). */
function valuesJson(state: KvState): string {
  const keys = [...state.values.keys()];
  if (keys.length > 1) keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) out += `${(i === 0 ? '' : ',') + JSON.stringify(keys[i])}:${stableJson(state.values.get(keys[i]))}`;
  return `${out}}`;
}
