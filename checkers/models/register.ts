import { defineModel, jsonEqual, unknownOp } from './model.ts';

/** A read/write register: `read` (output = value), `write v`. Initial value as given (`null` is a value). Pure. */
export const register = defineModel<unknown>({
  name: 'register',
  init: (initial) => initial ?? null,
  step(state, op) {
    switch (op.f) {
      case 'read':
        // An unknown output (info read) says nothing.
        return { ok: op.output === undefined || jsonEqual(op.output, state), state };
      case 'write':
        return { ok: true, state: op.input ?? null };
      default:
        throw unknownOp('register', op.f);
    }
  },
  effect(op) {
    if (op.f === 'read') return op.output === undefined ? undefined : { reads: op.output };
    if (op.f === 'write') return { writes: op.input ?? null };
    throw unknownOp('register', op.f);
  },
  readOnly: (f) => f === 'read',
});
