import type { AnomalyType } from '../../checkers/list-append/index.ts';
import type { CaseFiles } from '../family.ts';
import { expectedVerdict } from './checks.ts';
import { isolationLevels } from './patterns.ts';
import { levelVerdict } from './verdict.ts';

/** SQLSTATEs after which a client runs the transaction again: serialization failure, deadlock. */
const CONFLICTS: Record<string, 'serialization' | 'deadlock'> = { '40001': 'serialization', '40P01': 'deadlock' };

/**
 * A case's figures for the report (keys documented in FIGURES.md): the
 * level, what it promises, how transactions ended and why they were rolled
 * back, the anomalies found with one explained example of each, the models
 * they rule out, and the anchor beside them. Pure.
 */
export function isolationFigures(files: CaseFiles): Record<string, unknown> {
  const { level, verdict } = levelVerdict(files);
  const anchor = expectedVerdict(files);
  const conflicts = { serialization: 0, deadlock: 0 };
  for (const op of files.history) {
    if (op.type !== 'fail' || op.f !== 'txn') continue;
    const kind = CONFLICTS[String(op.code)];
    if (kind) conflicts[kind]++;
  }
  const examples = Object.fromEntries(
    verdict.anomalyTypes.map((t) => {
      const first = verdict.anomalies[t]![0];
      return [t, { explanation: first.explanation, txns: first.txns.map(({ name, index, process }) => ({ name, index, process })) }];
    }),
  ) as Partial<Record<AnomalyType, { explanation: string; txns: { name: string; index: number; process: number }[] }>>;
  return {
    level,
    sql: isolationLevels[level].sql,
    promises: isolationLevels[level].promises,
    promiseKept: verdict.valid,
    txns: verdict.txns,
    conflicts,
    anomalyTypes: verdict.anomalyTypes,
    anomalyCounts: verdict.anomalyCounts,
    examples,
    ruledOut: verdict.ruledOut,
    undecided: verdict.undecided,
    anchor: {
      published: anchor.published,
      expected: anchor.expected,
      source: anchor.source,
      reproduced: anchor.valid,
      ...(anchor.reason ? { reason: anchor.reason } : {}),
    },
  };
}
