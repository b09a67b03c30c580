import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readHistory } from '../../history/index.ts';
import { type AnomalyType, type ConsistencyModel, checkListAppend } from './index.ts';

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixture = (name: string) => readHistory(`${dir}${name}.jsonl`);

const ALL: ConsistencyModel[] = ['read-uncommitted', 'read-committed', 'snapshot-isolation', 'serializable', 'strict-serializable'];
const FROM_RC = ALL.slice(1);
const FROM_SI = ALL.slice(2);

/** Each `…-bad` fixture: the anomalies it must show, the models they rule out, and a word its explanation must use. */
const BAD: Array<[name: string, types: AnomalyType[], ruledOut: ConsistencyModel[], words: RegExp]> = [
  ['G0', ['G0'], ALL, /T1 appended 1 to x and T2 appended 2 after it \(ww\); T2 appended 1 to y and T1 appended 2 after it \(ww\)/],
  ['G1a', ['G1a'], FROM_RC, /holds 1, appended by T2, a txn that failed/],
  // Reading an intermediate state is also a G-single: the reader misses the writer's later append.
  ['G1b', ['G1b', 'G-single'], FROM_RC, /ending in 1, which T2 appended to x before appending more to it/],
  ['G1c', ['G1c'], FROM_RC, /T2 read x = \[1\], seeing T1's append of 1 \(wr\); T1 read y = \[1\], seeing T2's append of 1 \(wr\)/],
  ['G-single', ['G-single'], FROM_SI, /T1 read x = \[\] without 1, which T2 appended \(rw\); T1 read y = \[1\], seeing T2's append of 1 \(wr\)/],
  ['G-nonadjacent', ['G-nonadjacent'], FROM_SI, /\(rw\).*\(wr\).*\(rw\).*\(wr\)/],
  [
    'G2-item',
    ['G2-item'],
    ['serializable', 'strict-serializable'],
    /T1 read x = \[\] without 1, which T2 appended \(rw\); T2 read y = \[\] without 1, which T1 appended \(rw\)/,
  ],
  ['G-single-realtime', ['G-single-realtime'], ['strict-serializable'], /T2 completed before T1 began \(realtime\)/],
  ['internal', ['internal'], FROM_SI, /must read \[… 1\]/],
  ['future-read', ['future-read'], FROM_RC, /an element T1 itself appends only later/],
  ['garbage-read', ['garbage-read'], ALL, /holds 9, an element no transaction appended to x/],
  ['duplicate-elements', ['duplicate-elements'], ALL, /holds 1 more than once/],
  ['incompatible-order', ['incompatible-order'], FROM_RC, /T1 read x = \[2 1\], and T2 read it as \[1 2\]/],
  // An info txn one of whose appends was read committed, so a read missing its other append, and seeing the first, is read skew.
  ['info', ['G-single'], FROM_SI, /\(rw\)/],
  ['register-G1c', ['G1c'], FROM_RC, /T2 read x = 1, which T1 wrote \(wr\); T1 read y = 1, which T2 wrote \(wr\)/],
  ['register-G-single', ['G-single'], FROM_SI, /T1 read x = nil, never written, and T2 wrote 1 to it \(rw\); T1 read y = 1, which T2 wrote \(wr\)/],
];

describe('list-append fixtures: every …-bad shows its anomaly, its …-ok twin none', () => {
  it('has an ok twin for every bad fixture and nothing else', () => {
    const names = readdirSync(dir).map((f) => f.replace(/\.jsonl$/, ''));
    expect(names.sort()).toEqual(BAD.flatMap(([n]) => [`${n}-bad`, `${n}-ok`]).sort());
  });

  it.each(BAD)('%s-bad', (name, types, ruledOut, words) => {
    const v = checkListAppend(fixture(`${name}-bad`));
    expect(v.valid).toBe(false);
    expect(v.anomalyTypes).toEqual(types);
    expect(v.ruledOut).toEqual(ruledOut);
    expect(v.anomalies[types[0]]![0].explanation).toMatch(words);
    expect(v.counterexample).toBe(v.anomalies[types[0]]![0]);
  });

  it.each(BAD)('%s-ok', (name) => {
    const v = checkListAppend(fixture(`${name}-ok`));
    expect(v).toMatchObject({ valid: true, anomalyTypes: [], ruledOut: [], undecided: [] });
  });

  it('judges a bad fixture only against the models asked for', () => {
    expect(checkListAppend(fixture('G2-item-bad'), { consistencyModels: ['snapshot-isolation'] }).valid).toBe(true);
    expect(checkListAppend(fixture('G2-item-bad'), { consistencyModels: ['serializable'] }).valid).toBe(false);
    expect(checkListAppend(fixture('G-single-realtime-bad'), { consistencyModels: ['serializable'] })).toMatchObject({ valid: true, anomalyTypes: [] });
    expect(checkListAppend(fixture('internal-bad'), { consistencyModels: ['read-committed'] }).valid).toBe(true);
  });
});
