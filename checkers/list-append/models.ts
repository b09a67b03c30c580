import type { CycleBase, CycleType } from './cycles.ts';
import type { ReadAnomalyType } from './infer.ts';

/** Every anomaly the list-append checker reports. */
export type AnomalyType = CycleType | ReadAnomalyType;

/**
 * The consistency models the checker can rule out, weakest first. Each one
 * forbids every anomaly the one before it forbids, among those this checker
 * finds, so a history that rules out one rules out all after it. (Adya's
 * snapshot isolation and serializability are incomparable in general: SI also
 * constrains start order, which a list-append history does not show. Among
 * the anomalies here, though, serializable forbids all that SI does and
 * G2-item besides.) Adya's PL-2.99 "repeatable read" is left out on purpose:
 * PostgreSQL's repeatable read is snapshot isolation, and one name for two
 * things would mislead.
 */
export const CONSISTENCY_MODELS = ['read-uncommitted', 'read-committed', 'snapshot-isolation', 'serializable', 'strict-serializable'] as const;
export type ConsistencyModel = (typeof CONSISTENCY_MODELS)[number];

/** The weakest model each anomaly rules out, following Elle's anomaly → model map (Adya; Cerone et al. for internal). */
const WEAKEST: Record<ReadAnomalyType | CycleBase, ConsistencyModel> = {
  G0: 'read-uncommitted',
  // No model lets a read return an element no one appended, or one append twice.
  'garbage-read': 'read-uncommitted',
  'duplicate-elements': 'read-uncommitted',
  G1a: 'read-committed',
  G1b: 'read-committed',
  G1c: 'read-committed',
  // A txn that sees its own later append is a trivial wr cycle (Elle: G1c).
  'future-read': 'read-committed',
  // Two reads no single version order explains: one saw a state that never committed (Elle: G1a).
  'incompatible-order': 'read-committed',
  internal: 'snapshot-isolation',
  'G-single': 'snapshot-isolation',
  'G-nonadjacent': 'snapshot-isolation',
  'G2-item': 'serializable',
};

/**
 * The models an anomaly rules out. A cycle that needs a process or real-time
 * edge rules out only strict serializability: processes are sequential, so
 * process order is real-time order, which only strict serializability
 * promises to keep. Pure.
 */
export function modelsRuledOutBy(type: AnomalyType): ConsistencyModel[] {
  const weakest = type.endsWith('-process') || type.endsWith('-realtime') ? 'strict-serializable' : WEAKEST[type as keyof typeof WEAKEST];
  return CONSISTENCY_MODELS.slice(CONSISTENCY_MODELS.indexOf(weakest));
}

/** Does checking `models` need real-time edges? Only strict serializability promises real-time order. */
export function needsRealtime(models: readonly ConsistencyModel[]): boolean {
  return models.includes('strict-serializable');
}

/** Orders anomaly types from most to least severe (the weakest model ruled out first), then by name. */
export function bySeverity(a: AnomalyType, b: AnomalyType): number {
  return modelsRuledOutBy(b).length - modelsRuledOutBy(a).length || (a < b ? -1 : a > b ? 1 : 0);
}
