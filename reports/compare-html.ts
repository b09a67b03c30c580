import type { CompareReport } from './compare.ts';
import { changeText, markText, valueText } from './compare-text.ts';
import { esc, page, table } from './html.ts';

/** `compare` as one self-contained page: the same rows as the terminal's, regressions first, marked. Pure. */
export function renderCompareHtml(report: CompareReport): string {
  const regressed = report.comparisons.filter((c) => c.regressed).length;
  const crossed = report.comparisons.filter((c) => c.threshold?.pass === false).length;
  const rows = report.comparisons.map((c) => {
    const cls = c.regressed || c.threshold?.pass === false ? 'invalid' : c.improved ? 'valid' : '';
    const td = (html: string) => `<td${cls ? ` class="${cls}"` : ''}>${html}</td>`;
    return [esc(c.case), esc(c.run), esc(c.label), esc(valueText(c, c.baseline)), esc(valueText(c, c.value)), esc(changeText(c)), td(esc(markText(c)))];
  });
  const unmatched = report.unmatched.length
    ? `<p class="note">Nothing to compare with in ${esc(report.reference)}: ${report.unmatched.map((u) => esc(`${u.run}/${u.case}`)).join(', ')}.</p>`
    : '';
  return page(
    `patternbench compare: ${report.runs.join(', ')}`,
    `<h1>Compared with ${esc(report.reference)}</h1>
<p class="meta"><span class="${regressed ? 'invalid' : 'valid'}">${regressed} regression(s)</span> · <span class="${crossed ? 'invalid' : 'valid'}">${crossed} threshold(s) not met</span> · ${report.comparisons.length} figure(s) compared · tolerance ${(report.tolerance.relative * 100).toFixed(0)}% (latencies, rates, counts), ${(report.tolerance.ratioPoints * 100).toFixed(1)} pt (ratios)</p>
${table(['case', 'run', 'figure', 'reference', 'now', 'change', ''], rows)}
${unmatched}`,
  );
}
