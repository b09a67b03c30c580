import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryWriter } from '../history/writer.ts';
import { K6HistoryTail } from './k6-history.ts';

describe('k6 console → history', () => {
  it('appends op lines as they appear, in file order, with time in ns since the run start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-tail-'));
    const consolePath = join(dir, 'console.log');
    const history = new HistoryWriter(join(dir, 'history.jsonl'));
    const tail = new K6HistoryTail(consolePath, history, 1_000);
    tail.drain(); // file not there yet: nothing, no error
    writeFileSync(consolePath, '{"process":1,"type":"invoke","f":"read","key":"k1","value":null,"wallMs":1002}\n{"process":1,"type":"ok","f":"re');
    tail.drain();
    expect(history.count).toBe(1); // the half-written line waits
    appendFileSync(consolePath, 'ad","key":"k1","value":"v","wallMs":1005,"cache":"hit"}\nnot json\n{"hello":1}\n');
    tail.stop();
    history.close();
    const ops = readFileSync(join(dir, 'history.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(ops).toEqual([
      { process: 1, type: 'invoke', f: 'read', key: 'k1', value: null, time: 2_000_000, index: 0 },
      { process: 1, type: 'ok', f: 'read', key: 'k1', value: 'v', cache: 'hit', time: 5_000_000, index: 1 },
    ]);
    expect(tail.skipped).toBe(2);
  });
});
