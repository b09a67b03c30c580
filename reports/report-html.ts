import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describeVerdict, validityWord } from './verdict-text.ts';
import type { Validity, Verdict } from '../checkers/verdict.ts';
import type { FaultWindow } from './case-stats.ts';
import { type Band, barsChart, curvesChart, scatterChart, type TimeLine, timeChart } from './charts.ts';
import type { FamilyChart } from './family-views.ts';
import { type FigureDef, figureDefs, formatFigure, numberAt, numericLeaves, valueAt, verdictOf } from './figures.ts';
import { esc, href, page, table } from './html.ts';
import type { Regression, ThresholdOutcome } from './results-schema.ts';
import type { CaseModel, RunModel } from './run-model.ts';

/** What the page shows beyond the run folder's files: the thresholds' outcomes and, for `run --baseline`, the regressions. */
export interface ReportExtras {
  thresholds: readonly ThresholdOutcome[];
  baseline?: { dir: string; regressions: readonly Regression[] };
}

/**
 * The run's report as one self-contained HTML page (inline CSS, static SVG
 * charts, no script of its own, a content policy that forbids every fetch):
 * a summary table a family (best value in each column marked), thresholds
 * and regressions, the families' comparison charts, the patterns side by
 * side over time, then each case — latency quantiles, throughput and
 * errors, the family's ratios and the backends' work over time with every
 * fault window shaded, each chart's numbers in a table, each verdict (a
 * failed linearizability verdict drawn as its lanes view), every numeric
 * figure, and links to k6's own dashboard and the raw files. Every string
 * from a suite, a history or a verdict is escaped. Pure apart from reading
 * the run folder's listing and its counterexample pages.
 */
export function renderReportHtml(run: RunModel, extras: ReportExtras): string {
  const r = run.results;
  const families = [...new Set(run.cases.map((c) => c.result.family))];
  const xMaxS = Math.max(1, ...run.cases.map((c) => (c.stats?.endNs ?? 0) / 1e9));
  const parts = [
    `<h1>${esc(r.suite)}</h1>`,
    `<p class="meta">status <strong class="status-${esc(r.status)}">${esc(r.status)}</strong> · started ${esc(r.startedAt)}${r.endedAt ? ` · ended ${esc(r.endedAt)}` : ''} · runtime ${esc(r.runtime)} · ${run.cases.length} case(s) · <span class="legend-band"></span> fault active</p>`,
    settingsSection(run),
    ...families.map((f) => summarySection(run, f)),
    thresholdsSection(extras),
    baselineSection(extras),
    ...families.map((f) => familyChartsSection(run, f)),
    sideBySideSection(run, xMaxS),
    ...run.cases.map((c) => caseSection(run, c)),
    filesSection(),
  ];
  return page(`${r.suite} — patternbench report`, parts.filter(Boolean).join('\n'));
}

function settingsSection(run: RunModel): string {
  const w = run.results.workload;
  const settings = table(
    ['workload setting', 'value'],
    Object.entries(w).map(([k, v]) => [esc(k), `<code>${esc(JSON.stringify(v))}</code>`]),
  );
  const plan = run.results.plan.length
    ? table(
        ['fault', 'on', 'at', 'for', 'attributes'],
        run.results.plan.map((p) => [
          esc(p.kind),
          esc(p.on),
          `${(p.atMs / 1000).toFixed(1)} s`,
          `${(p.forMs / 1000).toFixed(1)} s`,
          `<code>${esc(JSON.stringify(p.attributes))}</code>`,
        ]),
      )
    : '<p class="note">No faults planned.</p>';
  return `<details><summary>Workload and fault plan</summary>${settings}${plan}</details>`;
}

/** The summary of one family: a row a pattern, the same columns for each, the best of each column marked. */
function summarySection(run: RunModel, family: string): string {
  const cases = run.cases.filter((c) => c.result.family === family);
  const defs = figureDefs(cases[0].view);
  const shown = defs.filter((d) => cases.some((c) => d.value(c) !== undefined));
  const checks = [...new Set(cases.flatMap((c) => Object.keys(c.result.checks?.results ?? {})))];
  const best = new Map(shown.map((d) => [d.name, bestValue(d, cases)]));
  const rows = cases.map((c) => [
    `<a href="#case-${esc(c.result.name)}">${esc(c.result.name)}</a>${c.result.name !== c.result.target ? ` <span class="note">(${esc(c.result.target)})</span>` : ''}`,
    `<span class="status-${esc(c.result.status)}">${esc(c.result.status)}</span>`,
    ...shown.map((d) => {
      const v = d.value(c);
      const isBest = v !== undefined && best.get(d.name) === v;
      return `<td${isBest ? ' class="best"' : ''}>${formatFigure(v, d.unit)}</td>`;
    }),
    ...checks.map((k) => verdictCell(verdictOf(c, k))),
  ]);
  const head = ['pattern', 'status', ...shown.map((d) => esc(d.label)), ...checks.map((k) => esc(k))];
  return `<h2>Summary: ${esc(family)}</h2>
<div class="wide">${table(head, rows, ' class="summary"')}</div>
<p class="note">From each case's own history, the same way for every family: throughput is ok completions a second from the first invoke to the last completion; latency quantiles (nearest rank) over every completion, ok, fail and info; errors are fail + info, the error rate their share of completed operations, availability the share that ended ok; dropped: iterations k6's open model could not start. ★ marks the best value of a column where the patterns differ.</p>`;
}

/** The best value of a column, or undefined when fewer than two cases have one or they are all equal. */
function bestValue(def: FigureDef, cases: readonly CaseModel[]): number | undefined {
  if (!def.better) return undefined;
  const values = cases.map((c) => def.value(c)).filter((v): v is number => v !== undefined);
  if (values.length < 2 || values.every((v) => v === values[0])) return undefined;
  return def.better === 'higher' ? Math.max(...values) : Math.min(...values);
}

function verdictCell(v: Validity | undefined): string {
  if (v === undefined) return '<td>–</td>';
  return `<td class="${v === true ? 'valid' : v === false ? 'invalid' : 'unknown'}">${esc(validityWord(v))}</td>`;
}

function thresholdsSection(extras: ReportExtras): string {
  if (extras.thresholds.length === 0) return '';
  const failed = extras.thresholds.filter((t) => t.pass !== true).length;
  const rows = extras.thresholds.map((t) => [
    esc(t.case),
    esc(t.figure),
    `<code>${esc(t.expected)}</code>`,
    esc(t.actual === null ? 'no value' : typeof t.actual === 'number' ? round(t.actual) : validityWord(t.actual)),
    verdictCell(t.pass).replace(/>(valid|INVALID|unknown)</, (_m, w) => `>${w === 'valid' ? 'pass' : w === 'INVALID' ? 'FAIL' : 'unknown'}<`),
  ]);
  return `<h2>Thresholds: ${failed === 0 ? '<span class="valid">all pass</span>' : `<span class="invalid">${failed} not met</span>`}</h2>
${table(['case', 'figure', 'threshold', 'actual', 'outcome'], rows)}
<p class="note">Actual values in the figure's unit: ms, ratios 0..1, per second, counts.</p>`;
}

function baselineSection(extras: ReportExtras): string {
  const b = extras.baseline;
  if (!b) return '';
  if (b.regressions.length === 0) return `<h2>Against the baseline <code>${esc(b.dir)}</code>: <span class="valid">no regression</span></h2>`;
  const rows = b.regressions.map((g) => [
    esc(g.case),
    esc(g.figure),
    esc(fmtAny(g.baseline)),
    esc(fmtAny(g.value)),
    esc(g.change === null ? '–' : `${(g.change * 100).toFixed(1)}%`),
  ]);
  return `<h2>Against the baseline <code>${esc(b.dir)}</code>: <span class="invalid">${b.regressions.length} regression(s)</span></h2>
${table(['case', 'figure', 'baseline', 'now', 'change'], rows)}`;
}

/** The family's own charts, comparing its patterns; a chart whose figures the run lacks says which. */
function familyChartsSection(run: RunModel, family: string): string {
  const cases = run.cases.filter((c) => c.result.family === family);
  const charts = cases[0].view.charts ?? [];
  if (charts.length === 0) return '';
  return `<h2>${esc(family)}: the trade-offs</h2>\n${charts.map((ch) => familyChart(ch, cases)).join('\n')}`;
}

function familyChart(ch: FamilyChart, cases: readonly CaseModel[]): string {
  const names = cases.map((c) => c.result.name);
  const defs = new Map(figureDefs(cases[0].view).map((d) => [d.name, d]));
  switch (ch.kind) {
    case 'bars': {
      const used = ch.figures.map((f) => defs.get(f)).filter((d): d is FigureDef => d !== undefined);
      const series = used.map((d) => ({ name: d.label, values: cases.map((c) => d.value(c)) }));
      const missing = used.filter((_d, i) => series[i].values.every((v) => v === undefined)).map((d) => d.name);
      const drawn = series.filter((s) => s.values.some((v) => v !== undefined));
      if (drawn.length === 0) return missingChart(ch.title, missing);
      const unit = used[0].unit;
      const svg = barsChart({ categories: names, series: drawn, unit });
      const rows = cases.map((c, i) => [esc(c.result.name), ...drawn.map((s) => formatFigure(s.values[i], unit))]);
      return chartFigure(ch.title, svg, table(['pattern', ...drawn.map((s) => esc(s.name))], rows), 0, missing);
    }
    case 'scatter': {
      const [dx, dy] = [defs.get(ch.x), defs.get(ch.y)];
      if (!dx || !dy)
        return missingChart(
          ch.title,
          [ch.x, ch.y].filter((n) => !defs.has(n)),
        );
      const points = cases.flatMap((c) => {
        const [x, y] = [dx.value(c), dy.value(c)];
        return x === undefined || y === undefined ? [] : [{ name: c.result.name, x, y }];
      });
      if (points.length === 0)
        return missingChart(
          ch.title,
          [ch.x, ch.y].filter((n) => cases.every((c) => defs.get(n)!.value(c) === undefined)),
        );
      const svg = scatterChart({ points, x: { name: dx.label, unit: dx.unit }, y: { name: dy.label, unit: dy.unit } });
      const rows = points.map((p) => [esc(p.name), formatFigure(p.x, dx.unit), formatFigure(p.y, dy.unit)]);
      return chartFigure(ch.title, svg, table(['pattern', esc(dx.label), esc(dy.label)], rows), 0);
    }
    case 'curves': {
      const paths = typeof ch.from === 'string' ? [ch.from] : ch.from;
      const lines: TimeLine[] = cases.flatMap((c) => {
        const arr = paths.map((p) => valueAt(c.result, p)).find(Array.isArray);
        if (!Array.isArray(arr)) return [];
        const points = arr
          .map((p) => [valueAt(p, ch.x.key), valueAt(p, ch.y.key)] as const)
          .filter((p): p is readonly [number, number] => typeof p[0] === 'number' && typeof p[1] === 'number');
        return points.length ? [{ name: c.result.name, points }] : [];
      });
      if (lines.length === 0) return missingChart(ch.title, paths);
      const svg = curvesChart({ lines, x: { name: ch.x.label, unit: ch.x.unit }, y: { name: ch.y.label, unit: ch.y.unit } });
      const xs = [...new Set(lines.flatMap((l) => l.points.map((p) => p[0])))].sort((a, b) => a - b);
      const rows = xs.map((x) => [
        esc(formatFigure(x, ch.x.unit)),
        ...lines.map((l) => formatFigure(l.points.find((p) => p[0] === x)?.[1] ?? undefined, ch.y.unit)),
      ]);
      return chartFigure(ch.title, svg, table([esc(ch.x.label), ...lines.map((l) => esc(l.name))], rows), 0);
    }
  }
}

function missingChart(title: string, missing: readonly string[]): string {
  return `<figure class="chart missing-chart"><figcaption>${esc(title)}</figcaption><p class="missing">Not drawn: this run's results have no ${missing.map((m) => `<code>${esc(m)}</code>`).join(', ')} (see docs/reports.md).</p></figure>`;
}

/** Patterns over time in one chart each: p99 latency, throughput and errors, against the planned fault windows every case met. */
function sideBySideSection(run: RunModel, xMaxS: number): string {
  const cases = run.cases.filter((c) => c.stats);
  if (cases.length < 2) return '';
  const bands = run.results.plan.map((p) => ({ startS: p.atMs / 1000, endS: (p.atMs + p.forMs) / 1000, label: `${p.kind} ${p.on}` }));
  const p99 = cases.map((c) => ({ name: c.result.name, points: c.stats!.series.rows.map((r) => [r.tS, r.latencyMs?.p99] as const) }));
  const ok = cases.map((c) => ({ name: c.result.name, points: c.stats!.series.rows.map((r) => [r.tS, r.okPerS] as const) }));
  const errors = cases.map((c) => ({ name: c.result.name, points: c.stats!.series.rows.map((r) => [r.tS, r.failPerS + r.infoPerS] as const) }));
  return `<h2>Side by side over time</h2>
<p class="note">Shaded: the planned fault windows every case met (each case's own, as its history recorded them, are shaded in its section below).</p>
${timeFigure('p99 latency by pattern', p99, 'ms', bands, xMaxS)}
${timeFigure('Throughput (ok/s) by pattern', ok, 'perSecond', bands, xMaxS)}
${timeFigure('Errors (fail + info per second) by pattern', errors, 'perSecond', bands, xMaxS)}`;
}

function timeFigure(title: string, lines: TimeLine[], unit: 'ms' | 'perSecond' | 'ratio', bands: Band[], xMaxS: number, logY = false): string {
  const svg = timeChart({ lines, unit, bands, xMaxS, logY });
  const xs = [...new Set(lines.flatMap((l) => l.points.map((p) => p[0])))].sort((a, b) => a - b);
  const at = lines.map((l) => new Map(l.points.map((p) => [p[0], p[1]])));
  const rows = xs.map((x) => [x.toFixed(1), ...at.map((m) => formatFigure(m.get(x) ?? undefined, unit))]);
  return chartFigure(title, svg, table(['t (s)', ...lines.map((l) => esc(l.name))], rows), bands.length);
}

/** A chart with its caption and, folded under it, the numbers it draws. `bands` is how many fault bands it shades (for the browser test). */
function chartFigure(title: string, svg: string, numbers: string, bands: number, missing: readonly string[] = []): string {
  const note = missing.length
    ? `<p class="missing">Not drawn: no ${missing.map((m) => `<code>${esc(m)}</code>`).join(', ')} in this run's results (see docs/reports.md).</p>`
    : '';
  return `<figure class="chart" data-bands="${bands}"><figcaption>${esc(title)}</figcaption>${svg}${note}<details><summary>numbers</summary><div class="scroll">${numbers}</div></details></figure>`;
}

function bandsOf(windows: readonly FaultWindow[]): Band[] {
  return windows.map((w) => ({ startS: w.startNs / 1e9, endS: w.endNs / 1e9, label: `${w.fault} ${w.on}${w.open ? ' (not stopped)' : ''}` }));
}

function caseSection(run: RunModel, c: CaseModel): string {
  const res = c.result;
  const rel = relative(run.dir, c.dir) || '.';
  const head = `<section class="case" id="case-${esc(res.name)}"><h2>${esc(res.name)} <span class="note">${esc(res.target)} · ${esc(res.family)} · <span class="status-${esc(res.status)}">${esc(res.status)}</span></span></h2>
${res.error ? `<p class="invalid">${esc(res.error)}</p>` : ''}
<p class="note">options <code>${esc(JSON.stringify(res.options))}</code></p>`;
  const parts = [head];
  if (!c.stats) parts.push(`<p class="unknown">No figures from the history: ${esc(c.statsError ?? 'none')}</p>`);
  else parts.push(crossCheck(c), ...caseCharts(c));
  parts.push(verdictsOf(c), figuresOf(c), caseFiles(c, rel), '</section>');
  return parts.join('\n');
}

/** Our figures beside k6's own (per HTTP request, from k6-summary.json): a check that the history and k6 saw the same load. */
function crossCheck(c: CaseModel): string {
  const s = c.stats!;
  const k6 = c.result.k6?.httpReqDurationMs ?? {};
  const row = (name: string, ours: number | undefined, theirs: number | undefined, unit: 'ms' | 'count') => [
    name,
    formatFigure(ours, unit),
    formatFigure(theirs, unit),
  ];
  const rows = [
    row('requests / client ops', s.ops, c.result.k6?.httpReqs, 'count'),
    row('p50', s.latencyMs?.p50, k6.med, 'ms'),
    row('p95', s.latencyMs?.p95, k6['p(95)'], 'ms'),
    row('p99', s.latencyMs?.p99, k6['p(99)'], 'ms'),
    row('max', s.latencyMs?.max, k6.max, 'ms'),
  ];
  return `<details><summary>These figures beside k6's own</summary>${table(['', 'from the history', "k6's http_req_duration"], rows)}<p class="note">k6 interpolates its quantiles and counts HTTP requests; the history's are nearest-rank over client operations.</p></details>`;
}

function caseCharts(c: CaseModel): string[] {
  const s = c.stats!;
  const bands = bandsOf(s.windows);
  const xMaxS = Math.max(s.endNs / 1e9, 1e-3);
  const rows = s.series.rows;
  const out = [
    `<p class="note">Over time, in buckets of ${s.series.bucketMs >= 1000 ? `${s.series.bucketMs / 1000} s` : `${s.series.bucketMs} ms`} (at most 300 are drawn; every figure above is computed from every op).</p>`,
    timeFigure(
      'Latency quantiles (ms, log scale)',
      (['p50', 'p95', 'p99', 'max'] as const).map((q) => ({ name: q, points: rows.map((r) => [r.tS, r.latencyMs?.[q]] as const) })),
      'ms',
      bands,
      xMaxS,
      true,
    ),
    timeFigure(
      'Throughput and errors (completions per second)',
      [
        { name: 'ok', color: '#2f6fdb', points: rows.map((r) => [r.tS, r.okPerS] as const) },
        { name: 'fail', color: '#c92a2a', points: rows.map((r) => [r.tS, r.failPerS] as const) },
        { name: 'info', color: '#e8a200', points: rows.map((r) => [r.tS, r.infoPerS] as const) },
      ],
      'perSecond',
      bands,
      xMaxS,
    ),
  ];
  for (const [name, ratio] of Object.entries(c.view.ratios ?? {})) {
    out.push(timeFigure(`${ratio.label} over time`, [{ name, points: rows.map((r) => [r.tS, r.ratios[name]] as const) }], 'ratio', bands, xMaxS));
  }
  if (c.rates.length) out.push(timeFigure('Database queries per second (from metrics.jsonl)', c.rates, 'perSecond', bands, xMaxS));
  return out;
}

function verdictsOf(c: CaseModel): string {
  const results = Object.entries(c.result.checks?.results ?? {});
  if (results.length === 0) return '<h3>Verdicts</h3><p class="note">No checks ran on this case.</p>';
  return `<h3>Verdicts</h3>\n${results.map(([name, v]) => verdictBlock(c, name, v as Verdict)).join('\n')}`;
}

/** A verdict: its line, its figures, and a failed one's counterexample (the lanes view where the run drew one, else its details). */
function verdictBlock(c: CaseModel, name: string, v: Verdict): string {
  const cls = v.valid === true ? 'valid' : v.valid === false ? 'invalid' : 'unknown';
  const figures = numericLeaves(v).filter(([k]) => k !== 'valid');
  const details = Object.entries(v).filter(([, x]) => Array.isArray(x));
  const view = join(c.dir, `${name}.html`);
  const parts = [`<h4><code>${esc(name)}</code>: <span class="${cls}">${esc(describeVerdict(v))}</span></h4>`];
  if (figures.length)
    parts.push(
      `<details><summary>figures</summary>${table(
        ['', ''],
        figures.map(([k, x]) => [esc(k), esc(round(x))]),
      )}</details>`,
    );
  if (v.valid === false && existsSync(view)) {
    parts.push(`<iframe class="view" title="${esc(name)} counterexample" sandbox="allow-scripts" srcdoc="${esc(readFileSync(view, 'utf8'))}"></iframe>`);
  } else if (v.valid !== true) {
    for (const [k, x] of details) {
      const shown = (x as unknown[]).slice(0, 50);
      parts.push(`<details open><summary>${esc(k)} (${(x as unknown[]).length})</summary><pre>${esc(JSON.stringify(shown, null, 1))}</pre></details>`);
    }
  }
  return parts.join('\n');
}

/**
 * The family view's figures of the case, then every numeric figure the
 * family wrote, by dotted path: a new family's figures show here without a
 * change to the report.
 */
function figuresOf(c: CaseModel): string {
  const view = Object.values(c.view.figures ?? {}).map((f) => [esc(f.label), formatFigure(numberAt(c, f.from), f.unit)]);
  const leaves = numericLeaves(c.result.figures ?? {}).map(([k, v]) => [`<code>figures.${esc(k)}</code>`, esc(round(v))]);
  const parts = [];
  if (view.length) parts.push(table(['figure', 'value'], view));
  if (leaves.length)
    parts.push(
      `<details${view.length ? '' : ' open'}><summary>every figure the family wrote (${leaves.length})</summary><div class="scroll">${table(['figure', 'value'], leaves)}</div></details>`,
    );
  return parts.length ? `<h3>Figures</h3>${parts.join('')}` : '';
}

function caseFiles(c: CaseModel, rel: string): string {
  const names = existsSync(c.dir) ? readdirSync(c.dir).sort() : [];
  const described: Record<string, string> = {
    'k6-dashboard.html': "k6's own HTML report",
    'k6-summary.json': "k6's end-of-test summary",
    'history.jsonl': 'every client op and fault event',
    'metrics.jsonl': "the backends' counters, once a second",
    'environment.json': 'components, links and URLs',
    logs: 'every process’s log',
  };
  const items = names.map((n) => `<li><a href="${href(rel, n)}">${esc(n)}</a>${described[n] ? ` <span class="note">${esc(described[n])}</span>` : ''}</li>`);
  return `<h3>Files</h3><ul class="files">${items.join('')}</ul>`;
}

function filesSection(): string {
  // junit.xml and summary.md are written beside this page.
  const names = ['results.json', 'suite.json', 'junit.xml', 'summary.md'];
  return `<h2>Run files</h2><ul class="files">${names.map((n) => `<li><a href="${href(n)}">${esc(n)}</a></li>`).join('')}</ul>`;
}

function round(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

function fmtAny(v: number | Validity | null): string {
  return v === null ? 'none' : typeof v === 'number' ? round(v) : validityWord(v);
}
