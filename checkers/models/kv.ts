import { casPair } from './cas-register.ts';
import { defineModel, jsonEqual, stableJson, unknownOp } from './model.ts';

/** A key-value map: `initial` is every unwritten key's value; `values` holds the written ones. */
export interface KvState {
  initial: unknown;
  values: Readonly<Record<string, unknown>>;
}

/**
 * A key-value store, partitioned by `key`: `get` (output = value), `put v`,
 * `append v` (string concatenation; a `null` value counts as ""), `cas
 * [from, to]`. Every key starts at the initial value. Pure.
 */
export const kv = defineModel<KvState>({
  name: 'kv',
  init: (initial) => ({ initial: initial ?? null, values: {} }),
  step(state, op) {
    const key = op.key ?? '';
    const current = key in state.values ? state.values[key] : state.initial;
    const set = (value: unknown) => ({ ok: true, state: { initial: state.initial, values: { ...state.values, [key]: value } } });
    switch (op.f) {
      case 'get':
      case 'read':
        return { ok: op.output === undefined || jsonEqual(op.output, current), state };
      case 'put':
      case 'write':
        return set(op.input ?? null);
      case 'append':
        return set(String(current ?? '') + String(op.input ?? ''));
      case 'cas': {
        const [from, to] = casPair(op.input);
        return jsonEqual(current, from) ? set(to ?? null) : { ok: false, state };
      }
      default:
        throw unknownOp('kv', op.f);
    }
  },
  partition: (op) => op.key ?? '',
  readOnly: (f) => f === 'get' || f === 'read',
  hash: (state) => stableJson(state.values),
  describe: (state) => stableJson(state.values),
});
