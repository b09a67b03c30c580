import { describe, expect, it } from 'vitest';
import type { OpInput } from '../history/op.ts';
import type { Fault } from './fault.ts';
import { Nemesis } from './nemesis.ts';

/** A fault whose revert fails while `broken` is set (its toxiproxy died, its component will not restart). */
function fault(kind: string, on: string): Fault & { broken: boolean } {
  return {
    kind,
    on,
    attributes: { latency: 100 },
    broken: false,
    start: async () => undefined,
    async stop() {
      if (this.broken) throw new Error('fetch failed');
    },
  };
}

describe('Nemesis.stopAll', () => {
  const setUp = () => {
    const ops: OpInput[] = [];
    const nemesis = new Nemesis({
      history: { append: (op) => ops.push(op) },
      clock: () => 7,
      ctx: { toxiproxyUrl: '', components: new Map(), links: new Map() },
    });
    return { ops, nemesis };
  };

  it('keeps a fault it could not revert active, so that a later call retries', async () => {
    const { ops, nemesis } = setUp();
    const f = fault('latency', 'target-to-redis');
    await nemesis.start(f);
    f.broken = true;
    await expect(nemesis.stopAll()).rejects.toThrow(/could not revert 1 fault\(s\): latency on target-to-redis: fetch failed/);
    expect(nemesis.active).toEqual([f]);
    expect(ops.map((o) => o.f)).toEqual(['start-latency']);
  });

  it('when final, closes a fault it could not revert in the history, with the error, and lets it go', async () => {
    const { ops, nemesis } = setUp();
    const f = fault('latency', 'target-to-redis');
    const g = fault('down', 'target-to-postgres');
    await nemesis.start(f);
    await nemesis.start(g);
    f.broken = true;
    await expect(nemesis.stopAll({ final: true })).rejects.toThrow(/could not revert 1 fault\(s\)/);
    expect(nemesis.active).toEqual([]);
    expect(ops.slice(2)).toEqual([
      { time: 7, process: 'nemesis', type: 'info', f: 'stop-down', value: { on: 'target-to-postgres', latency: 100 } },
      { time: 7, process: 'nemesis', type: 'info', f: 'stop-latency', value: { on: 'target-to-redis', latency: 100, error: 'could not revert: fetch failed' } },
    ]);
  });
});
