import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryWriter } from './writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'patternbench-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('HistoryWriter', () => {
  it('numbers ops in append order and keeps time monotonic, a raised op keeping its own clock as clockTime', () => {
    const path = join(dir, 'history.jsonl');
    const w = new HistoryWriter(path);
    w.append({ time: 5_000_000, process: 'nemesis', type: 'info', f: 'start-latency', value: null });
    w.append({ time: 4_000_000, process: 1, type: 'invoke', f: 'read', value: null });
    w.append({ time: 6_000_000, process: 1, type: 'ok', f: 'read', value: 1 });
    w.close();
    const ops = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(ops.map((o) => [o.index, o.time, o.clockTime])).toEqual([
      [0, 5_000_000, undefined],
      [1, 5_000_000, 4_000_000],
      [2, 6_000_000, undefined],
    ]);
    expect(w.counts).toMatchObject({ invoke: 1, ok: 1, info: 1, nemesis: 1 });
  });
});
