import { defineModel, unknownOp } from './model.ts';

/** A lock: `acquire` (ok iff free), `release` (ok iff held). State: held? Starts free unless `initial` is `true`. Pure. */
export const mutex = defineModel<boolean>({
  name: 'mutex',
  init: (initial) => initial === true,
  step(state, op) {
    switch (op.f) {
      case 'acquire':
        return state ? { ok: false, state } : { ok: true, state: true };
      case 'release':
        return state ? { ok: true, state: false } : { ok: false, state };
      default:
        throw unknownOp('mutex', op.f);
    }
  },
  describe: (state) => (state ? 'held' : 'free'),
});
