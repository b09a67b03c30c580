import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { generateHistory } from '../bench/linearizability/generate.ts';
import { readHistory } from '../history/index.ts';
import type { Op } from '../history/op.ts';
import { parseJsonl } from '../history/parse.ts';
import { checkLinearizable } from '../checkers/linearizability/index.ts';
import { history as numbered, info, invoke, ok } from '../checkers/linearizability/test-builders.ts';
import { DEFAULT_MAX_OPS, renderLinearizabilityHtml } from './linearizability-html.ts';

const history = readHistory(fileURLToPath(new URL('../history/fixtures/register-bad.jsonl', import.meta.url)));
const iv = (i: number, c: number, process: number, f: string, input: unknown, output: unknown) => ({
  process,
  f,
  input,
  output,
  type: 'ok' as const,
  invokeIndex: i,
  completeIndex: c,
});
// What the checker says of register-bad.jsonl: the second read of 0 comes after write 1 completed.
const verdict = {
  valid: false as const,
  model: 'cas-register',
  ops: 10,
  partitions: 1,
  elapsedMs: 3,
  counterexample: [
    { partition: null, prefix: [iv(1, 2, 1, 'read', null, 0), iv(0, 3, 0, 'write', 1, 1)], unplaced: [iv(5, 7, 1, 'read', null, 0)], state: '1' },
  ],
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
    const kv = parseJsonl(
      [
        '{"process":0,"type":"invoke","f":"put","key":"a","value":"x"}',
        '{"process":0,"type":"ok","f":"put","key":"a","value":"x"}',
        '{"process":1,"type":"invoke","f":"get","key":"b","value":null}',
        '{"process":1,"type":"ok","f":"get","key":"b","value":"y"}',
      ].join('\n'),
      'kv.jsonl',
    );
    const page = renderLinearizabilityHtml(kv, {
      valid: false,
      model: 'kv',
      ops: 4,
      partitions: 2,
      elapsedMs: 1,
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

/** The operations a page draws, as its hover details list them. */
const drawnOps = (page: string) =>
  JSON.parse(page.match(/const OPS = (.*);\n/)![1]) as Array<{ invokeIndex: number; key: string | null; order: number | null; unplaced: boolean }>;
const notice = (page: string) => page.match(/<p class="thinned"[^>]*>([^<]*)<\/p>/)?.[1];
const invokes = (h: readonly Op[]) => h.filter((op) => op.type === 'invoke' && op.process !== 'nemesis');
const n = (x: number) => x.toLocaleString('en-US');

describe('a history longer than maxOps', () => {
  // Key b fails: the read invoked at 7 returns 1 at 11, after write 2 completed.
  // Write 3 (invoked at 9) is linearized though invoked after the read, so the
  // window must run past the unplaced read to the last op invoked before it returns.
  const small = numbered(
    info('nemesis', 'start-partition'),
    invoke(0, 'write', 1, 'b'),
    ok(0, 'write', 1, 'b'),
    invoke(1, 'write', 1, 'a'),
    ok(1, 'write', 1, 'a'),
    invoke(0, 'write', 2, 'b'),
    ok(0, 'write', 2, 'b'),
    invoke(0, 'read', null, 'b'),
    info('nemesis', 'stop-partition'),
    invoke(1, 'write', 3, 'b'),
    ok(1, 'write', 3, 'b'),
    ok(0, 'read', 1, 'b'),
    invoke(1, 'read', null, 'b'),
    ok(1, 'read', 3, 'b'),
    invoke(2, 'read', null, 'a'),
    ok(2, 'read', 1, 'a'),
  );
  const smallVerdict = checkLinearizable(small, { model: 'kv' });

  it("draws the failing key's last ops up to where it fails, and says what it leaves out", () => {
    expect(smallVerdict.counterexample?.[0].unplaced.map((iv) => iv.invokeIndex)).toEqual([7]);
    const page = renderLinearizabilityHtml(small, smallVerdict, { maxOps: 3 });
    expect(drawnOps(page).map((o) => [o.invokeIndex, o.key, o.order, o.unplaced])).toEqual([
      [5, 'b', 2, false],
      [7, 'b', null, true],
      [9, 'b', 3, false],
    ]);
    expect(page).toContain('class="failing-point"');
    expect([...page.matchAll(/<g class="nemesis"/g)]).toHaveLength(1);
    expect(page).toContain('stop-partition');
    expect(notice(page)).toBe(
      "Not the whole history: showing operations 2–4 of 5 on key b, up to where it fails; 4 of the history's 7 operations are not drawn, " +
        "among them every operation on the other key. Invoked before the window, so not drawn: 1 of the counterexample's 3 linearized ops. " +
        '1 nemesis event outside the window is not drawn either.',
    );
  });

  it('finds the failing ops of a kv history without keys, which kv files under the key ""', () => {
    const keyless = numbered(
      invoke(0, 'write', 1),
      ok(0, 'write', 1),
      invoke(0, 'write', 2),
      ok(0, 'write', 2),
      invoke(1, 'read', null),
      ok(1, 'read', 1),
      invoke(0, 'write', 3),
      ok(0, 'write', 3),
    );
    const v = checkLinearizable(keyless, { model: 'kv' });
    expect(v.counterexample?.[0].partition).toBe('');
    const page = renderLinearizabilityHtml(keyless, v, { maxOps: 2 });
    expect(drawnOps(page).map((o) => [o.invokeIndex, o.unplaced])).toEqual([
      [2, false],
      [4, true],
    ]);
    expect(notice(page)).toMatch(
      /^Not the whole history: showing operations 2–3 of 4 without a key, up to where it fails; 2 of the history's 4 operations are not drawn\./,
    );
  });

  it('draws the first maxOps ops of a history that has no counterexample', () => {
    const page = renderLinearizabilityHtml(small, { valid: true, model: 'kv', ops: 7, partitions: 2, elapsedMs: 1 }, { maxOps: 2 });
    expect(drawnOps(page).map((o) => o.invokeIndex)).toEqual([1, 3]);
    expect(notice(page)).toBe(
      'Not the whole history: showing operations 1–2 of 7 (the first invoked); 5 operations are not drawn. 2 nemesis events outside the window are not drawn either.',
    );
  });

  it('changes nothing up to the bound', () => {
    const ops = invokes(history).length;
    const whole = renderLinearizabilityHtml(history, verdict);
    expect(renderLinearizabilityHtml(history, verdict, { maxOps: ops })).toBe(whole);
    expect(whole).not.toContain('Not the whole history');
    expect(notice(renderLinearizabilityHtml(history, verdict, { maxOps: ops - 1 }))).toMatch(/^Not the whole history: showing operations \d+–\d+ of /);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => renderLinearizabilityHtml(history, verdict, { maxOps: 0 })).toThrow(RangeError);
  });

  describe('of 100,000 ops', () => {
    const lagging = generateHistory({ model: 'kv', processes: 10, ops: 100_000, seed: 1, store: 'lagging' });
    const laggingVerdict = checkLinearizable(lagging, { model: 'kv' });

    it('draws the first failing key up to its failing point in a page of well under a few MB', () => {
      const cx = laggingVerdict.counterexample![0];
      const page = renderLinearizabilityHtml(lagging, laggingVerdict);
      expect(page.length).toBeLessThan(2_000_000);
      const drawn = drawnOps(page);
      expect(new Set(drawn.map((o) => o.key))).toEqual(new Set([cx.partition]));
      expect(drawn.filter((o) => o.unplaced).map((o) => o.invokeIndex)).toEqual(cx.unplaced.map((iv) => iv.invokeIndex));
      expect([...page.matchAll(/<g class="op ok unplaced"/g)]).toHaveLength(cx.unplaced.length);
      expect(page).toContain(`class="failing-point" data-cx="0"`);
      expect(notice(page)).toContain(`showing operations 1–${n(drawn.length)} of `);
      expect(notice(page)).toContain(
        ` on key ${cx.partition}, up to where it fails; ${n(100_000 - drawn.length)} of the history's 100,000 operations are not drawn, among them every operation on the 4 other keys.`,
      );
      for (const other of laggingVerdict.counterexample!.slice(1)) {
        expect(page).toMatch(
          new RegExp(
            `<h2>Counterexample for key <code>${other.partition}</code></h2>\n<p><strong>Not drawn:</strong> the chart shows only key <code>${cx.partition}</code>`,
          ),
        );
      }
    });

    it('draws the first ops of a linearizable history and says the rest are not drawn', () => {
      const valid = generateHistory({ model: 'kv', processes: 10, ops: 100_000, seed: 1, store: 'linearizable' });
      const page = renderLinearizabilityHtml(valid, checkLinearizable(valid, { model: 'kv' }));
      expect(page.length).toBeLessThan(2_000_000);
      expect(drawnOps(page).map((o) => o.invokeIndex)).toEqual(
        invokes(valid)
          .slice(0, DEFAULT_MAX_OPS)
          .map((op) => op.index),
      );
      expect(notice(page)).toBe(
        `Not the whole history: showing operations 1–${n(DEFAULT_MAX_OPS)} of 100,000 (the first invoked); ${n(100_000 - DEFAULT_MAX_OPS)} operations are not drawn.`,
      );
    });

    it("of a failure deep in a key, draws the last maxOps ops before it and lists only the prefix's end", () => {
      const { page, cx, lastBeforeFailure } = deepFailure();
      const drawn = drawnOps(page);
      expect(drawn).toHaveLength(DEFAULT_MAX_OPS);
      expect(drawn.at(-1)!.invokeIndex).toBe(lastBeforeFailure);
      expect(drawn.filter((o) => o.unplaced).map((o) => o.invokeIndex)).toEqual(cx.unplaced.map((iv) => iv.invokeIndex));
      // No fails or info ops here, so the window is the prefix's last ops (in linearization, not invoke, order) and the unplaced read.
      expect(
        drawn
          .filter((o) => o.order !== null)
          .map((o) => o.order!)
          .sort((a, b) => a - b),
      ).toEqual(Array.from({ length: DEFAULT_MAX_OPS - 1 }, (_, i) => cx.prefix.length - DEFAULT_MAX_OPS + 2 + i));
      expect(notice(page)).toContain(
        `Invoked before the window, so not drawn: ${n(cx.prefix.length - DEFAULT_MAX_OPS + 1)} of the counterexample's ${n(cx.prefix.length)} linearized ops.`,
      );
      const unlisted = cx.prefix.length - DEFAULT_MAX_OPS;
      expect(page).toContain(`<p>The first ${n(unlisted)} are not listed.</p><ol start="${unlisted + 1}">`);
      expect(page.match(/<ol start="\d+">(.*?)<\/ol>/)![1].match(/<li>/g)).toHaveLength(DEFAULT_MAX_OPS);
      expect(page.length).toBeLessThan(2_000_000);
    });
  });
});

/**
 * A linearizable history with one read of key k3, near its end, made to
 * return a value nobody wrote; no info ops, so the checker explains it fast.
 */
function deepFailure() {
  const h = generateHistory({ model: 'kv', processes: 10, ops: 100_000, seed: 1, store: 'linearizable', infoRate: 0 });
  const at = h.findIndex((op, i) => i > 180_000 && op.type === 'ok' && op.f === 'read' && op.key === 'k3');
  h[at] = { ...h[at], value: 7 };
  const v = checkLinearizable(h, { model: 'kv' });
  const cx = v.counterexample![0];
  const failIndex = Math.min(...cx.unplaced.map((iv) => iv.completeIndex!));
  const lastBeforeFailure = invokes(h)
    .filter((op) => op.key === 'k3' && op.index < failIndex)
    .at(-1)!.index;
  return { page: renderLinearizabilityHtml(h, v), cx, lastBeforeFailure };
}

describe('the page in a browser', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lin-html-'));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
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
    page.on('request', (r) => {
      if (!r.url().startsWith('file://')) requests.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(pathToFileURL(file).href);
    for (const lane of ['p0', 'p1', 'p2', 'nemesis']) await expect(page.locator('.lane-label', { hasText: lane }).isVisible()).resolves.toBe(true);
    await page.locator('.op.unplaced rect').hover();
    await expect(page.locator('#tip').textContent()).resolves.toContain('UNPLACED');
    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('opens a thinned page on its notice and its failing point', async () => {
    const file = join(dir, 'deep.html');
    writeFileSync(file, deepFailure().page);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(pathToFileURL(file).href);
    await expect(page.locator('.thinned').isVisible()).resolves.toBe(true);
    await expect(page.locator('.thinned').textContent()).resolves.toContain('Not the whole history');
    const { scrollLeft, clientWidth, failX } = await page.evaluate(() => {
      const chart = document.getElementById('chart')!;
      return { scrollLeft: chart.scrollLeft, clientWidth: chart.clientWidth, failX: Number(document.querySelector('.failing-point line')!.getAttribute('x1')) };
    });
    expect(scrollLeft).toBeGreaterThan(0);
    expect(failX).toBeGreaterThan(scrollLeft);
    expect(failX).toBeLessThan(scrollLeft + clientWidth);
    await page.locator('.op.unplaced rect').hover();
    await expect(page.locator('#tip').textContent()).resolves.toContain('UNPLACED');
    expect(problems).toEqual([]);
  });
});
