import { validityWord } from './verdict-text.ts';
import { figureDefs, formatFigure, verdictOf } from './figures.ts';
import type { Regression, ThresholdOutcome } from './results-schema.ts';
import type { RunModel } from './run-model.ts';

/** Text for a Markdown table cell: no line breaks, pipes and HTML's `<`, `>` and `&` escaped, Markdown's emphasis and links defused. Pure. */
export function mdCell(value: unknown): string {
  return String(value)
    .replace(/\s+/g, ' ')
    .replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)
    .replace(/([\\`*_[\]|#])/g, '\\$1');
}

const HEADLINE = ['throughput', 'p50', 'p99', 'errorRate'];

/**
 * A short Markdown summary for a CI job summary (GitHub's `$GITHUB_STEP_SUMMARY`):
 * the run's status, a row a case with its headline figures and verdicts,
 * the thresholds that were not met and the regressions against a baseline.
 * Every name from the suite or results is escaped. Pure.
 */
export function renderSummaryMd(
  run: RunModel,
  extras: { thresholds: readonly ThresholdOutcome[]; baseline?: { dir: string; regressions: readonly Regression[] } },
): string {
  const r = run.results;
  const lines = [`### patternbench: ${mdCell(r.suite)} — ${mdCell(r.status)}`, ''];
  const checks = [...new Set(run.cases.flatMap((c) => Object.keys(c.result.checks?.results ?? {})))];
  const defs = run.cases.length ? figureDefs(run.cases[0].view) : [];
  const headline = defs.filter((d) => HEADLINE.includes(d.name));
  const ownNames = Object.keys(run.cases[0]?.view.figures ?? {});
  const own = defs.filter((d) => ownNames.includes(d.name) && run.cases.some((c) => d.value(c) !== undefined));
  const cols = [...headline, ...own];
  lines.push(`| pattern | status | ${cols.map((d) => mdCell(d.label)).join(' | ')}${checks.map((k) => ` | ${mdCell(k)}`).join('')} |`);
  lines.push(`|---|---|${cols.map(() => '---:|').join('')}${checks.map(() => '---|').join('')}`);
  for (const c of run.cases) {
    const cells = [
      mdCell(c.result.name),
      mdCell(c.result.status),
      ...cols.map((d) => mdCell(formatFigure(d.value(c), d.unit))),
      ...checks.map((k) => {
        const v = verdictOf(c, k);
        return v === undefined ? '–' : v === true ? '✅ valid' : v === false ? '❌ INVALID' : '⚠️ unknown';
      }),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const failed = extras.thresholds.filter((t) => t.pass !== true);
  if (extras.thresholds.length) {
    lines.push(
      '',
      failed.length === 0 ? `All ${extras.thresholds.length} thresholds met.` : `**${failed.length} of ${extras.thresholds.length} thresholds not met:**`,
    );
    for (const t of failed) {
      const actual = t.actual === null ? 'no value' : typeof t.actual === 'number' ? String(+t.actual.toPrecision(4)) : validityWord(t.actual);
      lines.push(`- ${mdCell(t.case)}: ${mdCell(t.figure)} ${mdCell(t.expected)} — ${t.pass === 'unknown' ? 'undecided' : 'got'} ${mdCell(actual)}`);
    }
  }
  if (extras.baseline) {
    const g = extras.baseline.regressions;
    lines.push(
      '',
      g.length
        ? `**${g.length} regression(s) against the baseline ${mdCell(extras.baseline.dir)}:**`
        : `No regression against the baseline ${mdCell(extras.baseline.dir)}.`,
    );
    for (const x of g)
      lines.push(
        `- ${mdCell(x.case)} ${mdCell(x.figure)}: ${mdCell(String(x.baseline))} → ${mdCell(String(x.value))}${x.change === null ? '' : ` (${(x.change * 100).toFixed(1)}%)`}`,
      );
  }
  lines.push('', 'The full report: `report.html` in the run folder.', '');
  return lines.join('\n');
}
