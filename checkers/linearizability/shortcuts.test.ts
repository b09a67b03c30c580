/**
 * The search's shortcuts — ops run by their effect without the model, reads
 * forced when possible, configurations dropped on text pruning, states
 * interned by fingerprint — change no verdict: on histories far larger than
 * the brute-force oracle can take, the checker agrees with itself run on the
 * same model stripped of every capability that enables them.
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../history/op.ts';
import { kv, kvKey } from '../models/kv.ts';
import { defineModel, type Model } from '../models/model.ts';
import { checkLinearizable } from './index.ts';
import { history, info, invoke, ok, type Draft } from './test-builders.ts';

/** kv as it was before the shortcuts: every op through `step`, states interned by hash, no text. */
const plainKey = defineModel({ name: kvKey.name, init: kvKey.init, step: kvKey.step, readOnly: kvKey.readOnly, hash: kvKey.hash, describe: kvKey.describe });
const plainKv: Model = { ...kv, partitionModel: plainKey as Model };

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/**
 * A store of `keys` seen by `processes` clients: each op takes effect at
 * a random instant within its call, reads return what the key held then,
 * some calls end info (taking effect or not); then, for a bad history, a
 * few reads are given another read's value. Appends of short pieces, now
 * and then a put or a cas.
 */
function appendHistory(seed: number, ops: number, processes: number, corrupt: number, keys: readonly string[]): Op[] {
  const r = rng(seed);
  type Call = { process: number; f: string; key: string; input: unknown; start: number; at: number; end: number; output?: unknown; crashed: boolean };
  const calls: Call[] = [];
  const free = Array.from({ length: processes }, () => 0);
  const ids = Array.from({ length: processes }, (_, p) => p);
  for (let i = 0; i < ops; i++) {
    const slot = i % processes;
    const start = free[slot] + r() * 3;
    const end = start + 1 + r() * 6;
    const at = start + r() * (end - start);
    const pick = r();
    const key = keys[Math.floor(r() * keys.length)];
    const call: Call =
      pick < 0.45
        ? { process: ids[slot], f: 'append', key, input: `${i}.`, start, at, end, crashed: false }
        : pick < 0.9
          ? { process: ids[slot], f: 'get', key, input: null, start, at, end, crashed: false }
          : pick < 0.95
            ? { process: ids[slot], f: 'put', key, input: `p${i}.`, start, at, end, crashed: false }
            : { process: ids[slot], f: 'cas', key, input: [null, `c${i}.`], start, at, end, crashed: false };
    if (call.f !== 'get' && r() < 0.05) {
      call.crashed = true;
      if (r() < 0.5) call.at = Infinity;
      ids[slot] += processes;
    }
    calls.push(call);
    free[slot] = end;
  }
  const values = new Map<string, unknown>();
  for (const c of [...calls].sort((x, y) => x.at - y.at)) {
    if (c.at === Infinity) continue;
    const v = values.get(c.key) ?? null;
    if (c.f === 'get') c.output = v;
    else if (c.f === 'append') values.set(c.key, String(v ?? '') + String(c.input));
    else if (c.f === 'put') values.set(c.key, c.input);
    else if (c.f === 'cas') {
      const [from, to] = c.input as [unknown, unknown];
      if (v === from) values.set(c.key, to);
      else if (!c.crashed) c.f = 'cas-failed';
    }
  }
  const reads = calls.filter((c) => c.f === 'get');
  for (let k = 0; k < corrupt && reads.length > 1; k++) reads[Math.floor(r() * reads.length)].output = reads[Math.floor(r() * reads.length)].output;
  const events: Array<{ t: number; d: Draft }> = [];
  for (const c of calls) {
    if (c.f === 'cas-failed') continue;
    events.push({ t: c.start, d: invoke(c.process, c.f, c.input, c.key) });
    if (c.crashed) events.push({ t: c.end, d: info(c.process, c.f, c.input, c.key) });
    else events.push({ t: c.end, d: ok(c.process, c.f, c.f === 'get' ? c.output : c.input, c.key) });
  }
  return history(...events.sort((x, y) => x.t - y.t).map((e) => e.d));
}

describe('the search shortcuts change no verdict', () => {
  it('kv appends: 300 histories of 80 ops on 5 clients, linearizable and corrupted, against kv without effects, text or fingerprints', () => {
    const seen = { true: 0, false: 0, unknown: 0 };
    let skipped = 0;
    for (let seed = 1; seed <= 300; seed++) {
      // One key: enough calls in the partition (64) for the search to prune on texts.
      const h = appendHistory(seed, 80, 5, seed % 2 === 0 ? 0 : 1 + (seed % 3), ['a']);
      const fast = checkLinearizable(h, { model: 'kv', maxStates: 200_000 });
      const plain = checkLinearizable(h, { model: plainKv, maxStates: 50_000 });
      seen[String(fast.valid) as 'true' | 'false' | 'unknown']++;
      if (plain.valid !== 'unknown') expect(fast.valid, `seed ${seed}`).toBe(plain.valid);
      else skipped++;
    }
    // Plain kv gives up on a few (its budget); the comparison must still cover nearly all.
    expect(skipped).toBeLessThan(30);
    expect(Math.min(seen.true, seen.false)).toBeGreaterThan(50);
  });
});
