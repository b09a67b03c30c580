import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPatternbench } from '../cli/run-cli.ts';
import { chartsOf, offlineChromium, openFile } from './fixtures/browser.ts';

/**
 * One real run of two cache-aside cases (a long and a 1 s TTL) under a
 * latency fault on the link to Redis, through the command users run, with
 * thresholds one of which cannot hold: its exit code, results.json against
 * the published schema, junit.xml and the report in offline Chromium.
 */
const root = mkdtempSync(join(tmpdir(), 'pb-report-'));
const runDir = join(root, 'run');
const suiteFile = join(root, 'suite.yaml');
writeFileSync(
  suiteFile,
  `name: report-it
workload: { script: targets/caching/workload.k6.ts, rate: 40, duration: 6s, keys: 50 }
cases:
  - target: cache-aside
    options: { ttlSeconds: 60 }
    thresholds: { linearizable: true }
  - { target: cache-aside, name: short-ttl, options: { ttlSeconds: 1 } }
faults:
  - { fault: latency, on: target-to-redis, at: 2s, for: 2s, latency: 60 }
checkers: [staleness, linearizable]
thresholds:
  p99: < 1ms
  staleReads: <= 100%
`,
);

let run: { code: number; out: string };
beforeAll(async () => {
  run = await runPatternbench(['run', suiteFile, '--out', runDir]);
}, 180_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const results = () => JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));

describe('a real run ends with its report', () => {
  it('fails on the threshold that cannot hold, and says which', () => {
    expect(run.code, run.out).toBe(1);
    expect(run.out).toMatch(/thresholds: 3 of 5 met/);
    expect(run.out).toMatch(/cache-aside: p99 < 1ms — not met, got [\d.]+/);
    const outcomes = results().thresholds as Array<{ case: string; figure: string; pass: unknown }>;
    expect(outcomes.filter((o) => o.pass !== true).map((o) => `${o.case} ${o.figure}`)).toEqual(['cache-aside p99', 'short-ttl p99']);
  });

  it('writes a results.json the published schema accepts, with each case’s figures from its history', () => {
    const schema = JSON.parse(readFileSync(new URL('../docs/results.schema.json', import.meta.url), 'utf8'));
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    const r = results();
    expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
    for (const c of r.cases) {
      // The stats are the load's: the history's completions but the final reads k6's teardown recorded (keys: 50).
      const lines = readFileSync(join(runDir, c.dir, 'history.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const teardown = lines.filter((op) => op.load === false && op.type !== 'invoke');
      expect(teardown).toHaveLength(50);
      expect(c.stats.ok + c.stats.fail + c.stats.info).toBe(c.history.ok + c.history.fail + c.history.info - teardown.length);
      expect(c.stats.faultWindows).toHaveLength(1);
      expect(c.stats.latencyMs.p99).toBeGreaterThan(60); // the fault's 60 ms on a Redis round trip
    }
  });

  it('opens offline in Chromium: no request, no error, every chart drawn with its fault band; a screenshot goes into the run folder', async () => {
    const browser = await offlineChromium();
    try {
      const w = await openFile(browser.context, join(runDir, 'report.html'));
      const charts = await chartsOf(w.page);
      const timeCharts = charts.filter((c) => c.bands > 0);
      // Per case: latency, throughput, hit ratio, database queries; side by side: p99, throughput, errors.
      expect(timeCharts.length).toBe(2 * 4 + 3);
      for (const c of charts) {
        expect(c.width, c.title).toBeGreaterThan(300);
        expect(c.drawn, c.title).toBeGreaterThan(0);
        expect(c.shaded, c.title).toBeGreaterThanOrEqual(c.bands);
        if (c.bands > 0)
          expect(
            c.labels.some((l) => l.includes('latency target-to-redis')),
            c.title,
          ).toBe(true);
      }
      const junit = readFileSync(join(runDir, 'junit.xml'), 'utf8');
      const parsed = await w.page.evaluate((xml) => {
        const doc = new DOMParser().parseFromString(xml, 'application/xml');
        return {
          error: doc.querySelector('parsererror')?.textContent ?? null,
          tests: Array.from(doc.querySelectorAll('testcase')).map(
            (t) => `${t.getAttribute('classname')} ${t.getAttribute('name')}${t.querySelector('failure') ? ' FAILED' : ''}`,
          ),
        };
      }, junit);
      expect(parsed.error).toBeNull();
      expect(parsed.tests).toEqual(
        expect.arrayContaining([
          'cache-aside staleness',
          'cache-aside linearizable',
          'short-ttl staleness',
          'short-ttl linearizable',
          'cache-aside.thresholds p99 < 1ms FAILED',
          'cache-aside.thresholds linearizable true',
        ]),
      );
      await w.page.screenshot({ path: join(runDir, 'report.png'), fullPage: true });
      expect(statSync(join(runDir, 'report.png')).size).toBeGreaterThan(10_000);
      expect(w.requests).toEqual([]);
      expect(w.failed).toEqual([]);
      expect(w.problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('compare sets the patterns side by side, regressions first, as text and HTML; report refuses a folder that is not a run', async () => {
    const html = join(root, 'compare.html');
    const cmp = await runPatternbench(['compare', runDir, '--html', html]);
    // short-ttl against cache-aside: p99 crosses the suite's threshold, so compare fails too.
    expect(cmp.code, cmp.out).toBe(1);
    expect(cmp.out).toMatch(/^compared with run\/cache-aside/);
    expect(cmp.out).toMatch(/short-ttl .* p99 .*FAILS < 1ms/);
    expect(existsSync(html)).toBe(true);
    const again = await runPatternbench(['report', root]);
    expect(again.code).toBe(3);
    expect(again.out).toContain('is not a run folder: it has no results.json');
    // A baseline that is no run is said before anything starts: no run folder.
    const noBase = await runPatternbench(['run', suiteFile, '--baseline', root, '--out', join(root, 'never')]);
    expect(noBase.code).toBe(3);
    expect(noBase.out).toContain(`--baseline: ${root} is not a run folder`);
    expect(existsSync(join(root, 'never'))).toBe(false);
  }, 60_000);
});
