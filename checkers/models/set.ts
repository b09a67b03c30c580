import { defineModel, stableJson, unknownOp } from './model.ts';

/** A grow-only set: `add v`, `read` (output = every element, compared as a set). State: the elements' stable JSON, sorted. Pure. */
export const set = defineModel<readonly string[]>({
  name: 'set',
  init: (initial) => canonical(Array.isArray(initial) ? initial : []),
  step(state, op) {
    switch (op.f) {
      case 'add': {
        const element = stableJson(op.input);
        return { ok: true, state: state.includes(element) ? state : [...state, element].sort() };
      }
      case 'read': {
        if (op.output === undefined) return { ok: true, state };
        if (!Array.isArray(op.output)) return { ok: false, state };
        const seen = canonical(op.output);
        return { ok: seen.length === state.length && seen.every((e, i) => e === state[i]), state };
      }
      default:
        throw unknownOp('set', op.f);
    }
  },
  readOnly: (f) => f === 'read',
  hash: (state) => state.join('\u0000'),
  describe: (state) => `#{${state.join(' ')}}`,
});

function canonical(elements: readonly unknown[]): string[] {
  return [...new Set(elements.map(stableJson))].sort();
}
