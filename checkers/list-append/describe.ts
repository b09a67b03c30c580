import type { Anomaly } from './explain.ts';
import type { ListAppendVerdict } from './index.ts';
import type { AnomalyType } from './models.ts';

/**
 * A verdict as text lines for a terminal (pure): the anomalies with their
 * counts, the models ruled out, and one explained example of each type with
 * where its transactions are in the history. No lines for a clean verdict.
 */
export function describeListAppend(verdict: ListAppendVerdict): string[] {
  const lines: string[] = [];
  if (verdict.anomalyTypes.length > 0) {
    lines.push(`anomalies: ${verdict.anomalyTypes.map((t) => `${t} ×${verdict.anomalyCounts[t]}`).join(', ')}`);
  }
  if (verdict.ruledOut.length > 0) lines.push(`rules out: ${verdict.ruledOut.join(', ')}`);
  if (verdict.undecided.length > 0) lines.push(`undecided: ${verdict.undecided.join(', ')}`);
  for (const type of verdict.anomalyTypes) {
    const example = verdict.anomalies[type as AnomalyType]?.[0];
    if (example) lines.push(`${type}: ${example.explanation}`, `  ${where(example)}`);
  }
  return lines;
}

function where(anomaly: Anomaly): string {
  return anomaly.txns.map((t) => `${t.name} = op ${t.index} (process ${t.process}, ${t.type})`).join('; ');
}
