import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { readHistory } from '../history/index.ts';
import { parseJsonl } from '../history/parse.ts';
import { renderLinearizabilityHtml } from './linearizability-html.ts';

const history = readHistory(fileURLToPath(new URL('../history/fixtures/register-bad.jsonl', import.meta.url)));
const iv = (i: number, c: number, process: number, f: string, input: unknown, output: unknown) => ({ process, f, input, output, type: 'ok' as const, invokeIndex: i, completeIndex: c });
// What the checker says of register-bad.jsonl: the second read of 0 comes after write 1 completed.
const verdict = {
  valid: false as const, model: 'cas-register', ops: 10, partitions: 1, elapsedMs: 3,
  counterexample: [{ partition: null, prefix: [iv(1, 2, 1, 'read', null, 0), iv(0, 3, 0, 'write', 1, 1)], unplaced: [iv(5, 7, 1, 'read', null, 0)], state: '1' }],
};

describe('renderLinearizabilityHtml', () => {
  const html = renderLinearizabilityHtml(history, verdict, { title: 'register-bad' });

  it('draws a lane per process and one for the nemesis', () => {
    const lanes = [...html.matchAll(/class="lane-label" data-lane="([^"]+)"/g)].map((m) => m[1]);
    expect(lanes).toEqual(['0', '1', '2', 'nemesis']);
  });

  it('marks the unplaced op, numbers the prefix and draws the failing point', () => {
    const unplaced = [...html.matchAll(/<g class="op ok unplaced" data-i="(\d+)"/g)];
    expect(unplaced).toHaveLength(1);
    expect(html).toMatch(/<g class="op ok prefix"[^>]*>.*?1\. read nil → 0</);
    expect(html).toMatch(/<g class="op ok prefix"[^>]*>.*?2\. write 1 → 1</);
    expect(html).toContain('class="failing-point"');
    expect(html).toContain('NOT linearizable');
  });

  it('hatches info ops to the end and needs nothing from the network', () => {
    expect(html).toMatch(/<g class="op info"[^>]*>.*?cas \[1,2\] → \?/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('offers a partition selector only when the history has several keys', () => {
    expect(html).not.toContain('<select');
    const kv = parseJsonl([
      '{"process":0,"type":"invoke","f":"put","key":"a","value":"x"}', '{"process":0,"type":"ok","f":"put","key":"a","value":"x"}',
      '{"process":1,"type":"invoke","f":"get","key":"b","value":null}', '{"process":1,"type":"ok","f":"get","key":"b","value":"y"}',
    ].join('\n'), 'kv.jsonl');
    const page = renderLinearizabilityHtml(kv, {
      valid: false, model: 'kv', ops: 4, partitions: 2, elapsedMs: 1,
      counterexample: [{ partition: 'b', prefix: [], unplaced: [{ ...iv(2, 3, 1, 'get', null, 'y'), key: 'b' }], state: '""' }],
    });
    expect(page).toMatch(/<select id="part"><option value="\*">all keys<\/option><option value="a">a<\/option><option value="b" selected>b ✗<\/option>/);
  });

  it('escapes what the history says', () => {
    const evil = parseJsonl('{"process":0,"type":"invoke","f":"<script>x</script>","value":"</script>"}', 'e.jsonl');
    const page = renderLinearizabilityHtml(evil, { valid: true, model: 'register', ops: 1, partitions: 1, elapsedMs: 0 });
    expect(page).not.toContain('<script>x');
    expect(page.match(/<\/script>/g)).toHaveLength(1);
  });
});

describe('the page in a browser', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lin-html-'));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the lanes and a hover tip offline, without console errors', async () => {
    const file = join(dir, 'register-bad.html');
    writeFileSync(file, renderLinearizabilityHtml(history, verdict));
    const page = await browser.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('file://')) requests.push(r.url()); });
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(pathToFileURL(file).href);
    for (const lane of ['p0', 'p1', 'p2', 'nemesis']) await expect(page.locator('.lane-label', { hasText: lane }).isVisible()).resolves.toBe(true);
    await page.locator('.op.unplaced rect').hover();
    await expect(page.locator('#tip').textContent()).resolves.toContain('UNPLACED');
    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
  });
});
