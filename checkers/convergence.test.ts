import { describe, expect, it } from 'vitest';
import type { Op } from '../history/op.ts';
import { checkConvergence } from './convergence.ts';

function builder() {
  const ops: Op[] = [];
  let ms = 0;
  const push = (o: Omit<Op, 'index' | 'time'>) => {
    ops.push({ ...o, index: ops.length, time: ms * 1e6 } as Op);
    ms += 1;
  };
  const b = {
    ops,
    at(t: number) {
      ms = t;
      return b;
    },
    heal() {
      push({ process: 'nemesis', type: 'info', f: 'stop-partition', value: {} });
      return b;
    },
    done(p: number, f: string, key: string, value: unknown, type: Op['type'] = 'ok') {
      push({ process: p, type: 'invoke', f, key, value: f === 'read' ? null : value });
      push({ process: p, type, f, key, value });
      return b;
    },
    read(p: number, key: string, node: string, value: unknown, final = false) {
      push({ process: p, type: 'invoke', f: 'read', key, value: null, ...(final ? { final } : {}) });
      push({ process: p, type: 'ok', f: 'read', key, value, node, ...(final ? { final } : {}) });
      return b;
    },
  };
  return b;
}

describe('checkConvergence', () => {
  it('passes replicas whose final reads agree, and times convergence from the heal to the last replica holding every earlier write', () => {
    const h = builder()
      .done(1, 'add', 's0', 'a')
      .done(2, 'add', 's0', 'b')
      .done(3, 'incr', 'c0', 1)
      .at(100)
      .heal()
      .read(4, 's0', 'target-1', ['a', 'b'])
      .at(150)
      .read(5, 's0', 'target-2', ['b'])
      .at(300)
      .read(5, 's0', 'target-2', ['a', 'b'])
      .read(6, 'c0', 'target-1', 1)
      .read(6, 'c0', 'target-2', 1)
      .at(400)
      .read(0, 's0', 'target-1', ['a', 'b'], true)
      .read(0, 's0', 'target-2', ['a', 'b'], true)
      .read(0, 'c0', 'target-1', 1, true)
      .read(0, 'c0', 'target-2', 1, true).ops;
    const v = checkConvergence(h);
    expect(v).toMatchObject({ valid: true, lostAdds: 0 });
    expect(v.keys.find((k) => k.key === 's0')).toMatchObject({ converged: true, convergeMs: 201 });
    expect(v.convergeMs).toBe(205); // c0 on target-2, read last
  });

  it('fails replicas that end apart, and a converged set missing an acknowledged add', () => {
    const apart = builder().done(1, 'incr', 'c0', 1).read(0, 'c0', 'a', 1, true).read(0, 'c0', 'b', 0, true).ops;
    expect(checkConvergence(apart)).toMatchObject({ valid: false, counterexample: { key: 'c0', reason: 'the replicas ended on different values' } });
    const lost = builder().done(1, 'add', 's0', 'x').done(2, 'add', 's0', 'y').read(0, 's0', 'a', ['y'], true).read(0, 's0', 'b', ['y'], true).ops;
    expect(checkConvergence(lost)).toMatchObject({ valid: false, lostAdds: 1 });
  });

  it('is unknown without final reads, and has no convergence time without a heal', () => {
    const v = checkConvergence(builder().done(1, 'incr', 'c0', 1).read(2, 'c0', 'a', 1).ops);
    expect(v).toMatchObject({ valid: 'unknown', convergeMs: null });
  });
});
