import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Op } from '../history/op.ts';
import { readHistory } from '../history/index.ts';
import { compose, checkStaleness, checkLinearizable, type ComposedVerdict, type LinearVerdict } from '../checkers/index.ts';
import { renderLinearizabilityHtml } from '../checkers/linearizability-html.ts';

/**
 * The checks a suite may ask for, by name, over a case's saved history. The
 * caching and consistency families record per-key registers (`read` /
 * `write` with a `key`), and the workload writes every key before the load,
 * so every check starts from "nothing written" (`null`).
 */
export const caseChecks = {
  /** How stale each read was (k versions, t ms) and PBS t-visibility. */
  staleness: (history: readonly Op[]) => checkStaleness(history, { init: null }),
  /** Linearizability per key: the register history as Knossos's kv model (read → get, write → put). */
  linearizable: (history: readonly Op[]) => checkLinearizable(history.map(asKvOp), { model: 'kv', init: null, timeoutMs: 60_000 }),
} as const;

export type CaseCheckName = keyof typeof caseChecks;
export const caseCheckNames = Object.keys(caseChecks) as CaseCheckName[];

const kvName: Record<string, string> = { read: 'get', write: 'put' };
function asKvOp(op: Op): Op {
  return op.process === 'nemesis' ? op : { ...op, f: kvName[op.f] ?? op.f };
}

/**
 * Runs the named checks on `<caseDir>/history.jsonl` (re-read from disk:
 * verdicts are a function of saved files alone) and, when linearizability
 * fails, writes `linearizability.html` beside it. The merged verdict is the
 * worst; a check that throws is `unknown`, never a pass.
 */
export function runCaseChecks(caseDir: string, names: readonly CaseCheckName[]): ComposedVerdict {
  const history = readHistory(join(caseDir, 'history.jsonl'));
  const verdict = compose(Object.fromEntries(names.map((n) => [n, caseChecks[n]])))(history);
  const linear = verdict.results.linearizable as LinearVerdict | undefined;
  if (linear?.valid === false) {
    writeFileSync(join(caseDir, 'linearizability.html'), renderLinearizabilityHtml(history.map(asKvOp), linear, { title: `${caseDir}: linearizability` }));
  }
  return verdict;
}
