import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LinearVerdict } from '../checkers/linearizability/index.ts';
import type { Verdict } from '../checkers/verdict.ts';
import { readHistory } from '../history/index.ts';
import { renderLinearizabilityHtml } from './linearizability-html.ts';

/** The pages a failed verdict can be drawn as, by view name. */
const views = {
  linearizability: (caseDir: string, check: string, verdict: Verdict) =>
    renderLinearizabilityHtml(readHistory(join(caseDir, 'history.jsonl')), verdict as LinearVerdict, { title: `${caseDir}: ${check}` }),
} as const;

export type ViewName = keyof typeof views;

/**
 * Draws `verdict` of check `check` as `view` from the case folder's own
 * history, into `<caseDir>/<check>.html`; returns the file's path. Reads only
 * the run folder. Throws the reader's error for an unreadable history.
 */
export function writeView(view: ViewName, caseDir: string, check: string, verdict: Verdict): string {
  const file = join(caseDir, `${check}.html`);
  writeFileSync(file, views[view](caseDir, check, verdict));
  return file;
}
