import { join } from 'node:path';
import { type ComposedVerdict, compose } from '../checkers/compose.ts';
import { readHistory } from '../history/index.ts';
import { readMetrics } from '../history/metrics.ts';
import { writeView } from '../reports/views.ts';
import type { CaseFiles } from '../targets/index.ts';
import type { PlannedCase } from './plan-suite.ts';

/**
 * Computes a finished case's verdicts and figures from its saved files alone
 * (`history.jsonl`, `metrics.jsonl`, re-read from disk): the family's named
 * checks the case asked for, merged (the worst wins; a check that throws is
 * `unknown`, never a pass), each failed verdict with a view drawn beside the
 * history (`<check>.html`), and the family's own figures. Throws the reader's
 * error (`file:line`) for an unreadable history.
 */
export function runCaseChecks(caseDir: string, planned: PlannedCase): { checks?: ComposedVerdict; figures?: Record<string, unknown> } {
  const files: CaseFiles = {
    history: readHistory(join(caseDir, 'history.jsonl')),
    metrics: readMetrics(join(caseDir, 'metrics.jsonl')),
    options: planned.options,
    workload: planned.settings,
  };
  const { checks: named } = planned.family;
  const out: { checks?: ComposedVerdict; figures?: Record<string, unknown> } = {};
  if (planned.checks.length > 0) {
    out.checks = compose(Object.fromEntries(planned.checks.map((name) => [name, () => named[name].run(files)])))(files.history);
    for (const [name, verdict] of Object.entries(out.checks.results)) {
      const view = named[name].view;
      if (view && verdict.valid === false) writeView(view, caseDir, name, verdict);
    }
  }
  if (planned.family.figures) out.figures = planned.family.figures(files);
  return out;
}
