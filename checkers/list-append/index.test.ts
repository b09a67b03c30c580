import { describe, expect, it } from 'vitest';
import { readHistory } from '../../history/index.ts';
import { history } from '../history-builder.ts';
import { checkListAppend } from './index.ts';

const fixture = (name: string) => readHistory(new URL(`./fixtures/${name}.jsonl`, import.meta.url).pathname);

describe('checkListAppend: no evidence is no pass', () => {
  it('says unknown for an empty history and for one where nothing committed read anything', () => {
    expect(checkListAppend([])).toMatchObject({ valid: 'unknown', reason: 'no transactions: nothing to judge' });
    const h = history()
      .invoke(0, 'txn', [['append', 'x', 1]])
      .ok(0, 'txn', [['append', 'x', 1]]);
    h.invoke(1, 'txn', [['r', 'x', null]]).info(1, 'txn', [['r', 'x', null]]);
    expect(checkListAppend(h.ops)).toMatchObject({ valid: 'unknown', reason: /no committed transaction read anything/ });
  });

  it('says unknown when the search runs out of budget before it can clear a model asked for, and still reports what it proved', () => {
    const v = checkListAppend(fixture('G2-item-bad'), { consistencyModels: ['snapshot-isolation'], maxSearchSteps: 0 });
    expect(v).toMatchObject({ valid: 'unknown', anomalyTypes: ['G2-item'], ruledOut: ['serializable', 'strict-serializable'] });
    expect(v.undecided).toEqual(['snapshot-isolation']);
    expect(v.reason).toMatch(/ran out of budget deciding G-single/);
    // A model the found anomaly already rules out is decided, budget or not.
    expect(checkListAppend(fixture('G2-item-bad'), { consistencyModels: ['serializable'], maxSearchSteps: 0 }).valid).toBe(false);
  });
});

describe('checkListAppend: order edges', () => {
  it('adds real-time edges for strict serializability unless told otherwise', () => {
    const h = fixture('G-single-realtime-bad');
    expect(checkListAppend(h).anomalyTypes).toEqual(['G-single-realtime']);
    expect(checkListAppend(h, { realtime: false }).anomalyTypes).toEqual([]);
    expect(checkListAppend(h, { consistencyModels: ['serializable'], realtime: true }).anomalyTypes).toEqual(['G-single-realtime']);
  });

  it('adds process edges on request: a process that misses its own earlier append is G-single-process', () => {
    const h = history()
      .invoke(0, 'txn', [['append', 'x', 1]])
      .ok(0, 'txn', [['append', 'x', 1]])
      .invoke(0, 'txn', [['r', 'x', null]])
      .ok(0, 'txn', [['r', 'x', []]])
      .invoke(1, 'txn', [['r', 'x', null]])
      .ok(1, 'txn', [['r', 'x', [1]]]);
    const v = checkListAppend(h.ops, { consistencyModels: ['serializable'], process: true });
    expect(v).toMatchObject({ valid: true, anomalyTypes: ['G-single-process'], ruledOut: ['strict-serializable'] });
    expect(v.anomalies['G-single-process']![0].explanation).toMatch(/T2 completed before T1 began, both on process 0 \(process\)/);
  });

  it('skips nemesis ops and ops other than txn', () => {
    const h = history()
      .info('nemesis', 'start-partition', null)
      .invoke(0, 'txn', [['append', 'x', 1]])
      .ok(0, 'txn', [['append', 'x', 1]])
      .invoke(1, 'read', null)
      .ok(1, 'read', 3)
      .invoke(2, 'txn', [['r', 'x', null]])
      .ok(2, 'txn', [['r', 'x', [1]]]);
    expect(checkListAppend(h.ops)).toMatchObject({ valid: true, txns: { ok: 2, info: 0, fail: 0 } });
  });
});

describe('checkListAppend: what a verdict names', () => {
  it('points each transaction of an anomaly at its completion in the history', () => {
    const v = checkListAppend(fixture('G-single-bad'));
    expect(v.counterexample).toMatchObject({
      type: 'G-single',
      txns: [
        {
          name: 'T1',
          index: 3,
          process: 1,
          type: 'ok',
          value: [
            ['r', 'x', []],
            ['r', 'y', [1]],
          ],
        },
        { name: 'T2', index: 2, process: 0, type: 'ok' },
      ],
      steps: [
        { from: 'T1', to: 'T2', kind: 'rw', key: 'x', read: [], y: 1 },
        { from: 'T2', to: 'T1', kind: 'wr', key: 'y', read: [1], x: 1 },
      ],
    });
  });

  it('counts every anomaly and keeps the first few examples', () => {
    const h = history();
    for (let p = 0; p < 5; p++) h.invoke(p, 'txn', [['r', `k${p}`, null]]).ok(p, 'txn', [['r', `k${p}`, [9, 9]]]);
    const v = checkListAppend(h.ops, { examples: 2 });
    expect(v.anomalyCounts).toEqual({ 'garbage-read': 5, 'duplicate-elements': 5 });
    expect(v.anomalies['garbage-read']).toHaveLength(2);
  });
});

describe('checkListAppend: bad input', () => {
  it('throws naming the op for a value that is not micro-ops', () => {
    const h = history().invoke(0, 'txn', [['append', 'x']]);
    expect(() => checkListAppend(h.ops)).toThrow(/^op 0: micro-op 0: \["append","x"\] is not \[f k v\]/);
    expect(() => checkListAppend(history().invoke(0, 'txn', [['cas', 'x', [1, 2]]]).ops)).toThrow(/unknown micro-op "cas"/);
    expect(() => checkListAppend(history().invoke(0, 'txn', 5).ops)).toThrow(/op 0: value 5 is not a vector of micro-ops/);
  });

  it('throws when two appends add one element to one key', () => {
    const h = history()
      .invoke(0, 'txn', [['append', 'x', 1]])
      .ok(0, 'txn', [['append', 'x', 1]]);
    h.invoke(1, 'txn', [['append', 'x', 1]]).ok(1, 'txn', [['append', 'x', 1]]);
    expect(() => checkListAppend(h.ops)).toThrow(
      'op 3: element 1 is appended to key "x" again (first by op 1); list-append needs every append to a key unique',
    );
  });

  it('throws for a key used both as a list and as a register, and for a value written twice', () => {
    const both = history()
      .invoke(0, 'txn', [['append', 'x', 1]])
      .invoke(1, 'txn', [['w', 'x', 2]]);
    expect(() => checkListAppend(both.ops)).toThrow('op 1: key "x" is used as a register here and as a list at op 0');
    const twice = history()
      .invoke(0, 'txn', [['w', 'x', 1]])
      .ok(0, 'txn', [['w', 'x', 1]])
      .invoke(1, 'txn', [['w', 'x', 1]]);
    expect(() => checkListAppend(twice.ops)).toThrow(/op 2: value 1 is written to key "x" again \(first by op 1\)/);
  });

  it('refuses an unknown consistency model', () => {
    expect(() => checkListAppend([], { consistencyModels: ['linearizable' as never] })).toThrow(/unknown consistency model "linearizable"/);
  });
});
