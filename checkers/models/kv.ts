import { casPair } from './cas-register.ts';
import { defineModel, jsonEqual, stableJson, unknownOp } from './model.ts';

/** A key-value map: `initial` is every unwritten key's value; `values` holds the written ones. */
export interface KvState {
  initial: unknown;
  values: ReadonlyMap<string, unknown>;
}

/**
 * A key-value store, partitioned by `key`: `get` (output = value), `put v`,
 * `append v` (string concatenation; a `null` value counts as ""), `cas
 * [from, to]`. Every key starts at the initial value. Pure.
 *
 * The written values are a Map rather than an object: an object keyed by
 * user keys takes a new hidden class for every key set, so `step` saw a
 * different shape in every partition and V8 never kept it fast.
 */
export const kv = defineModel<KvState>({
  name: 'kv',
  init: (initial) => ({ initial: initial ?? null, values: new Map() }),
  step(state, op) {
    const key = op.key ?? '';
    const current = state.values.has(key) ? state.values.get(key) : state.initial;
    switch (op.f) {
      case 'get':
      case 'read':
        return { ok: op.output === undefined || jsonEqual(op.output, current), state };
      case 'put':
      case 'write':
        return { ok: true, state: written(state, key, op.input ?? null) };
      case 'append':
        return { ok: true, state: written(state, key, String(current ?? '') + String(op.input ?? '')) };
      case 'cas': {
        const [from, to] = casPair(op.input);
        return jsonEqual(current, from) ? { ok: true, state: written(state, key, to ?? null) } : { ok: false, state };
      }
      default:
        throw unknownOp('kv', op.f);
    }
  },
  partition: (op) => op.key ?? '',
  readOnly: (f) => f === 'get' || f === 'read',
  hash: valuesJson,
  describe: valuesJson,
});

/** `state` with `key` set to `value`; `state` is left as it was. */
function written(state: KvState, key: string, value: unknown): KvState {
  const values = new Map(state.values);
  values.set(key, value);
  return { initial: state.initial, values };
}

/** The written values as a JSON object with sorted keys (what counterexamples show, and equal for equal states). */
function valuesJson(state: KvState): string {
  const keys = [...state.values.keys()];
  if (keys.length > 1) keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) out += `${(i === 0 ? '' : ',') + JSON.stringify(keys[i])}:${stableJson(state.values.get(keys[i]))}`;
  return `${out}}`;
}
