import { readFileSync } from 'node:fs';

/** What one source said in one second: its figures, or why it could not say. */
export type SourceSample = Record<string, number> | { error: string };

/**
 * One line of `metrics.jsonl`, written once a second by the runner's
 * sampler: every Redis and PostgreSQL instance by component name, and every
 * process's CPU and RSS. `time` is ns since the run started, the history's
 * clock.
 */
export interface MetricsSample {
  time: number;
  redis?: Record<string, SourceSample>;
  postgres?: Record<string, SourceSample>;
  processes?: Record<string, { cpuPercent: number; rssBytes: number }>;
}

/** Reads a `metrics.jsonl`; a missing file is no samples, an unreadable line is skipped (a run killed mid-write leaves half a line). */
export function readMetrics(path: string): MetricsSample[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const samples: MetricsSample[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      samples.push(JSON.parse(line) as MetricsSample);
    } catch {
      // the half line of a run killed while writing it
    }
  }
  return samples;
}
