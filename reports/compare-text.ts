import type { Validity } from '../checkers/verdict.ts';
import type { Comparison, CompareReport } from './compare.ts';
import { formatFigure } from './figures.ts';
import { validityWord } from './verdict-text.ts';

/** A compared value as a cell: a figure in its unit, a verdict's word, or – for none. */
export function valueText(c: Comparison, v: number | Validity | undefined): string {
  if (v === undefined) return '–';
  if (c.unit === 'verdict' || typeof v !== 'number') return validityWord(v as Validity);
  return formatFigure(v, c.unit);
}

/** A change as a cell: relative in %, or in percentage points for ratios. */
export function changeText(c: Comparison): string {
  if (c.change === null) return c.unit === 'verdict' || c.baseline === undefined || c.value === undefined ? '' : 'from 0';
  if (c.unit === 'ratio') return `${c.change >= 0 ? '+' : ''}${(c.change * 100).toFixed(1)} pt`;
  return `${c.change >= 0 ? '+' : ''}${(c.change * 100).toFixed(1)}%`;
}

/** What a row says about itself: REGRESSED, improved, or the threshold it crossed. */
export function markText(c: Comparison): string {
  const marks = [c.regressed ? 'REGRESSED' : c.improved ? 'improved' : ''];
  if (c.threshold)
    marks.push(
      c.threshold.pass === true
        ? `meets ${c.threshold.expected}`
        : c.threshold.pass === false
          ? `FAILS ${c.threshold.expected}`
          : `undecided ${c.threshold.expected}`,
    );
  return marks.filter(Boolean).join(', ');
}

/**
 * `compare` for a terminal: a heading, then one line a figure — regressions
 * first, then thresholds crossed, then improvements and the rest — in
 * aligned columns, and the cases that had nothing to be compared with. Pure.
 */
export function renderCompareText(report: CompareReport): string {
  const regressed = report.comparisons.filter((c) => c.regressed).length;
  const crossed = report.comparisons.filter((c) => c.threshold?.pass === false).length;
  const head = [
    `compared with ${report.reference} (tolerance ${(report.tolerance.relative * 100).toFixed(0)}% for latencies, rates and counts, ${(report.tolerance.ratioPoints * 100).toFixed(1)} pt for ratios)`,
    `${regressed} regression(s), ${crossed} threshold(s) not met, ${report.comparisons.length} figure(s) compared`,
    '',
  ];
  const rows = [
    ['case', 'run', 'figure', 'reference', 'now', 'change', ''],
    ...report.comparisons.map((c) => [c.case, c.run, c.figure, valueText(c, c.baseline), valueText(c, c.value), changeText(c), markText(c)]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => (i >= 3 && i <= 5 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
  const tail = report.unmatched.map((u) => `${u.run}/${u.case}: not in ${report.reference}, nothing to compare with`);
  return [...head, ...lines, ...(tail.length ? ['', ...tail] : []), ''].join('\n');
}
