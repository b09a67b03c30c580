import { defineModel, jsonEqual, unknownOp } from './model.ts';

/** A compare-and-set register: `read`, `write v`, `cas [from, to]` (ok iff the value equals `from`). Initial value as given. Pure. */
export const casRegister = defineModel<unknown>({
  name: 'cas-register',
  init: (initial) => initial ?? null,
  step(state, op) {
    switch (op.f) {
      case 'read':
        return { ok: op.output === undefined || jsonEqual(op.output, state), state };
      case 'write':
        return { ok: true, state: op.input ?? null };
      case 'cas': {
        const [from, to] = casPair(op.input);
        return jsonEqual(state, from) ? { ok: true, state: to ?? null } : { ok: false, state };
      }
      default:
        throw unknownOp('cas-register', op.f);
    }
  },
  readOnly: (f) => f === 'read',
});

/** Reads a cas input `[from, to]`; throws when it is not a pair. */
export function casPair(input: unknown): [unknown, unknown] {
  if (!Array.isArray(input) || input.length !== 2) throw new Error(`cas expects [from, to], got ${JSON.stringify(input)}`);
  return [input[0], input[1]];
}
