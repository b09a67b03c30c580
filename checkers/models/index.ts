import { casRegister } from './cas-register.ts';
import { kv } from './kv.ts';
import type { Model } from './model.ts';
import { multiRegister } from './multi-register.ts';
import { mutex } from './mutex.ts';
import { register } from './register.ts';
import { set } from './set.ts';

export { defineModel, jsonEqual, stableJson, type Model, type ModelOp, type ModelSpec } from './model.ts';

/** Every model by its name; adding a model is one file and one line here. */
export const models: Record<string, Model> = {
  register,
  'cas-register': casRegister,
  kv,
  set,
  mutex,
  'multi-register': multiRegister,
};
