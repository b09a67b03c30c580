import { defineModel, jsonEqual, unknownOp } from './model.ts';

/** Each register's value by key; a key not written yet is `null`. */
export type Registers = Readonly<Record<string, unknown>>;

/**
 * Registers by key, read and written together in transactions (Knossos'
 * multi-register): `txn` whose value is a list of `[f, key, value]`, `f`
 * `read` or `write`. An ok transaction's completion holds the values read;
 * a read of `null` reads nothing (as Knossos has it: a value not known).
 * `initial` is an object of the keys' first values. Not partitioned: a
 * transaction spans keys. Pure.
 */
export const multiRegister = defineModel<Registers>({
  name: 'multi-register',
  init: (initial) => {
    if (initial === undefined || initial === null) return {};
    if (typeof initial !== 'object' || Array.isArray(initial))
      throw new Error(`multi-register starts from an object of values by key, got ${JSON.stringify(initial)}`);
    return { ...(initial as Registers) };
  },
  step(state, op) {
    if (op.f !== 'txn') throw unknownOp('multi-register', op.f);
    // An ok transaction as it completed (reads filled in); an info one as invoked.
    const micro = op.output === undefined ? op.input : op.output;
    if (!Array.isArray(micro)) throw new Error(`txn expects a list of [f, key, value], got ${JSON.stringify(micro)}`);
    let next = state;
    for (const m of micro) {
      if (!Array.isArray(m) || m.length !== 3 || typeof m[1] !== 'string') throw new Error(`txn expects [f, key, value] items, got ${JSON.stringify(m)}`);
      const [f, key, value] = m as [unknown, string, unknown];
      if (f === 'read') {
        if (value !== null && value !== undefined && !jsonEqual(value, next[key] ?? null)) return { ok: false, state };
      } else if (f === 'write') next = { ...next, [key]: value ?? null };
      else throw new Error(`txn items are read or write, got ${JSON.stringify(f)}`);
    }
    return { ok: true, state: next };
  },
});
