import { defineModel, jsonEqual, unknownOp } from './model.ts';
import { register } from './register.ts';

/** A compare-and-set register: `read`, `write v`, `cas [from, to]` (ok iff the value equals `from`). Initial value as given. Pure. */
export const casRegister = defineModel<unknown>({
  name: 'cas-register',
  init: register.init,
  step(state, op) {
    if (op.f === 'read' || op.f === 'write') return register.step(state, op);
    if (op.f !== 'cas') throw unknownOp('cas-register', op.f);
    const [from, to] = casPair(op.input);
    return jsonEqual(state, from) ? { ok: true, state: to ?? null } : { ok: false, state };
  },
  effect(op) {
    if (op.f === 'read' || op.f === 'write') return register.effect!(op);
    if (op.f !== 'cas') throw unknownOp('cas-register', op.f);
    const [from, to] = casPair(op.input);
    return { swaps: [from, to ?? null] };
  },
  readOnly: register.readOnly,
});

/** Reads a cas input `[from, to]`; throws when it is not a pair. */
export function casPair(input: unknown): [unknown, unknown] {
  if (!Array.isArray(input) || input.length !== 2) throw new Error(`cas expects [from, to], got ${JSON.stringify(input)}`);
  return [input[0], input[1]];
}
