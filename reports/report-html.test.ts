import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistory } from '../history/index.ts';
import { chartsOf, offlineChromium, openFile } from './fixtures/browser.ts';
import { synthesizeRun } from './fixtures/synthesize-run.ts';
import { renderLinearizabilityHtml } from './linearizability-html.ts';
import { writeReport } from './write-report.ts';

const dir = mkdtempSync(join(tmpdir(), 'report-html-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const read = (file: string) => readFileSync(file);

const faults = [
  { kind: 'latency', on: 'target-to-redis', atMs: 2000, forMs: 2000 },
  { kind: 'kill', on: 'redis', atMs: 5000, forMs: 1000 },
];

describe('the report of two patterns', () => {
  const runDir = synthesizeRun(join(dir, 'two'), {
    rate: 200,
    faults,
    cases: [
      {
        name: 'fast',
        ops: 1600,
        latencyMs: 1,
        hitRate: 0.9,
        checks: {
          staleness: {
            valid: true,
            staleFraction: 0,
            visibility: [
              { tMs: 0, probability: 0.9 },
              { tMs: 10, probability: 1 },
            ],
          },
        },
        figures: { evictions: 3, nested: { lostWrites: 0 } },
      },
      {
        name: 'slow',
        ops: 1600,
        latencyMs: 8,
        hitRate: 0.5,
        infoRate: 0.01,
        checks: { staleness: { valid: false, staleFraction: 0.2, worst: [{ key: 'k1', tMs: 12 }] } },
      },
    ],
  });
  const { files } = writeReport(runDir);
  const html = read(files.html).toString();

  it('marks the best value of each column', () => {
    const row = (name: string) => html.match(new RegExp(`<tr><td><a href="#case-${name}">.*?</tr>`))![0];
    expect(row('fast')).toMatch(/<td class="best">[^<]*ms<\/td>/); // lower latency
    expect(row('fast')).toMatch(/<td class="best">[89]\d\.\d%<\/td>/); // higher hit ratio
    expect(row('slow')).not.toMatch(/<td class="best">[\d.]+ ms<\/td>/);
  });

  it('gives every pattern of the family the same columns', () => {
    const rows = [...html.matchAll(/<tr><td><a href="#case-[^"]+">[\s\S]*?<\/tr>/g)].map((m) => (m[0].match(/<td/g) ?? []).length);
    expect(rows).toEqual([rows[0], rows[0]]);
  });

  it('says which figure a family chart lacks instead of drawing nothing', () => {
    expect(html).toContain('Not drawn: no <code>bestHitRatio</code>');
  });

  it('lists every numeric figure the family wrote, nested ones by path', () => {
    expect(html).toContain('<code>figures.evictions</code>');
    expect(html).toContain('<code>figures.nested.lostWrites</code>');
  });

  it("shows a failed verdict's details, and links k6's dashboard and the raw files", () => {
    expect(html).toMatch(/<summary>worst \(1\)<\/summary><pre>[^<]*&#34;k1&#34;/);
    expect(html).toContain('<a href="slow/history.jsonl">history.jsonl</a>');
    expect(html).toContain('<a href="junit.xml">junit.xml</a>');
  });

  it('asks for nothing from the network', () => {
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toContain('content="default-src &#39;none&#39;;');
  });
});

describe('names from a suite and a history are text, never markup', () => {
  const evil = '<script>alert(1)</script>';
  const evilImg = '"><img src=x onerror=alert(2)>';
  let runDir: string;
  beforeAll(() => {
    runDir = synthesizeRun(join(dir, 'evil'), {
      suite: evil,
      rate: 200,
      workload: { [evil]: evilImg },
      faults: [{ kind: 'latency', on: evil, atMs: 1000, forMs: 1000 }],
      cases: [
        {
          name: evil,
          dir: 'evil-case',
          target: evilImg,
          ops: 600,
          key: () => evil,
          value: () => evilImg,
          checks: {
            [evil]: { valid: false, reason: evil, worst: [{ key: evil, value: evilImg }] },
            linearizable: { valid: false, model: 'kv', ops: 600, partitions: 1, elapsedMs: 1 },
          },
          figures: { [evil]: 1 },
        },
      ],
    });
    // The lanes view a failed linearizability check leaves beside the history, drawn from the same evil history.
    const history = readHistory(join(runDir, 'evil-case', 'history.jsonl'));
    writeFileSync(
      join(runDir, 'evil-case', 'linearizable.html'),
      renderLinearizabilityHtml(history, { valid: false, model: 'kv', ops: 600, partitions: 1, elapsedMs: 1 }),
    );
    writeReport(runDir);
  });

  it('renders them as text in a browser: no dialog, no request, no error', async () => {
    const browser = await offlineChromium();
    try {
      const w = await openFile(browser.context, join(runDir, 'report.html'));
      const text = await w.page.locator('main').innerText();
      expect(text).toContain(evil);
      expect(text).toContain(evilImg);
      expect(await w.page.locator('main script, main img').count()).toBe(0);
      const charts = await chartsOf(w.page);
      expect(charts.length).toBeGreaterThan(0);
      expect(charts.filter((c) => c.bands > 0).every((c) => c.labels.some((l) => l.includes('<script>')))).toBe(true);
      // The counterexample page in its frame draws the evil keys as text too.
      const frame = w.page.frames().find((f) => f !== w.page.mainFrame());
      expect(frame).toBeDefined();
      await expect(frame!.locator('body').innerText()).resolves.toContain('linearizable');
      await w.page.waitForTimeout(300);
      expect(w.dialogs).toEqual([]);
      expect(w.requests).toEqual([]);
      expect(w.failed).toEqual([]);
      expect(w.problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('keeps them out of junit.xml and summary.md markup', () => {
    const junit = read(join(runDir, 'junit.xml')).toString();
    expect(junit).not.toContain('<script>');
    expect(junit).toContain('name="&lt;script&gt;alert(1)&lt;/script&gt;"');
    const md = read(join(runDir, 'summary.md')).toString();
    expect(md).not.toContain('<script>');
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('a long history', () => {
  it('is drawn in at most 300 buckets a chart, so the page stays small, while its figures count every op', () => {
    const runDir = synthesizeRun(join(dir, 'long'), { rate: 1000, faults, cases: [{ name: 'long', ops: 100_000 }] });
    const { files, stats } = writeReport(runDir);
    expect(stats.long.ops).toBe(100_000);
    expect(stats.long.ok + stats.long.fail + stats.long.info).toBe(100_000);
    expect(statSync(files.html).size).toBeLessThan(1_000_000);
  });
});
