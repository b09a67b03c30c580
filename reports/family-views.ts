/**
 * What the report shows of each family beyond the generic figures it
 * computes for every case (throughput, latency quantiles, errors, verdicts).
 * One entry a family, keyed by the family's name as results.json records it
 * (`cases[i].family`); a family without an entry still gets every generic
 * chart and a table of every numeric figure it wrote. The contract is written
 * down in docs/reports.md: a family documents its figure keys in
 * `targets/<family>/FIGURES.md` and fills its entry here.
 *
 * Everything a view names is read from the run folder: a `from` path is a
 * dotted path into the case's entry of results.json (`figures.hitRatio`,
 * `checks.results.staleness.staleFraction`), or `ratios.<name>` for a ratio
 * the report counts in the history itself.
 */
export interface FamilyView {
  /** Figures beyond the generic ones: summary columns, threshold and baseline names. */
  readonly figures?: Readonly<Record<string, ViewFigure>>;
  /** Ratios counted over the history's completions, overall and over time (the client-seen hit ratio). */
  readonly ratios?: Readonly<Record<string, HistoryRatio>>;
  /** The family's own charts, comparing its patterns. */
  readonly charts?: readonly FamilyChart[];
}

/** How a figure reads: `ratio` is 0..1 (shown as %), `ms` milliseconds, `perSecond` a rate, `count` a number of things. */
export type Unit = 'ratio' | 'ms' | 'perSecond' | 'count';

export interface ViewFigure {
  readonly label: string;
  /** A dotted path into the case's results.json entry, or `ratios.<name>`; several: the first the case has. */
  readonly from: string | readonly string[];
  readonly unit: Unit;
  /** Which way is better, for the summary's best mark and for baseline regressions. */
  readonly better: 'higher' | 'lower';
}

/**
 * A ratio over the history's `ok` completions (of `f`, when given) that carry
 * `field`: the share whose `field` equals `equals`. Completions without the
 * field are not counted either way.
 */
export interface HistoryRatio {
  readonly label: string;
  readonly f?: string;
  readonly field: string;
  readonly equals: string | number | boolean;
}

/** The family's comparison charts; every one names the figures it draws, and says so when a run lacks them. */
export type FamilyChart =
  /** One group of bars a pattern, one bar a figure (hit ratio beside the best possible). */
  | { readonly kind: 'bars'; readonly title: string; readonly figures: readonly string[] }
  /** One point a pattern (availability against consistency). */
  | { readonly kind: 'scatter'; readonly title: string; readonly x: string; readonly y: string }
  /** One curve a pattern, from an array of points at `from` (several: the first the case has), e.g. the t-visibility curve. */
  | {
      readonly kind: 'curves';
      readonly title: string;
      readonly from: string | readonly string[];
      readonly x: { readonly key: string; readonly label: string; readonly unit: Unit };
      readonly y: { readonly key: string; readonly label: string; readonly unit: Unit };
    };

const tVisibility = (from: readonly string[]): FamilyChart => ({
  kind: 'curves',
  title: 't-visibility: probability a read sees every write acknowledged t ago',
  from,
  x: { key: 'tMs', label: 't', unit: 'ms' },
  y: { key: 'probability', label: 'P(consistent)', unit: 'ratio' },
});

/**
 * The families' entries, wired to the keys each family documents in its
 * `targets/<family>/FIGURES.md`. A figure a run lacks (an older run; a case
 * without a memory limit has no `bestHitRatio`) shows as missing, and a
 * chart with nothing to draw says which key it looked for.
 */
export const familyViews: Readonly<Record<string, FamilyView>> = {
  caching: {
    ratios: {
      hitRatio: { label: 'hit ratio (client-seen)', f: 'read', field: 'cache', equals: 'hit' },
    },
    figures: {
      hitRatio: { label: 'hit ratio', from: ['figures.hitRatio.client', 'ratios.hitRatio'], unit: 'ratio', better: 'higher' },
      bestHitRatio: { label: 'best possible hit ratio', from: 'figures.bestHitRatio.topMass', unit: 'ratio', better: 'higher' },
      staleReads: { label: 'stale reads', from: ['figures.staleReads.fraction', 'checks.results.staleness.staleFraction'], unit: 'ratio', better: 'lower' },
      lostWrites: { label: 'lost writes', from: 'figures.lostWrites.lost', unit: 'count', better: 'lower' },
      dbQueriesPerSecond: { label: 'database queries', from: 'figures.dbQueriesPerSecond.mean', unit: 'perSecond', better: 'lower' },
    },
    charts: [
      { kind: 'bars', title: 'Hit ratio against the best possible for the cache size', figures: ['hitRatio', 'bestHitRatio'] },
      { kind: 'bars', title: 'Database queries per second (mean)', figures: ['dbQueriesPerSecond'] },
      tVisibility(['checks.results.staleness.visibility']),
    ],
  },
  consistency: {
    figures: {
      availabilityInFaults: { label: 'availability under faults', from: 'figures.availability.insideFaults.okShare', unit: 'ratio', better: 'higher' },
      staleReads: { label: 'stale reads', from: ['figures.staleness.staleFraction', 'checks.results.staleness.staleFraction'], unit: 'ratio', better: 'lower' },
      lostIncrements: { label: 'lost increments', from: 'figures.counters.lostIncrements', unit: 'count', better: 'lower' },
      convergeMs: { label: 'time to converge', from: 'figures.convergence.convergeMs', unit: 'ms', better: 'lower' },
    },
    charts: [
      { kind: 'scatter', title: 'Availability against consistency, under faults', x: 'availabilityInFaults', y: 'staleReads' },
      tVisibility(['figures.staleness.visibility', 'checks.results.staleness.visibility']),
    ],
  },
  transactions: {
    figures: {
      readAnomalies: { label: 'anomalous reads', from: 'figures.readAnomalies.fraction', unit: 'ratio', better: 'lower' },
      inconsistencyP99: { label: 'inconsistency window p99', from: 'figures.inconsistencyWindowMs.ms.p99', unit: 'ms', better: 'lower' },
      inconsistencyMax: { label: 'inconsistency window max', from: 'figures.inconsistencyWindowMs.ms.max', unit: 'ms', better: 'lower' },
      inDoubtP99: { label: 'in-doubt time p99', from: 'figures.inDoubt.heldMs.p99', unit: 'ms', better: 'lower' },
      inDoubtMax: { label: 'in-doubt time max', from: 'figures.inDoubt.heldMs.max', unit: 'ms', better: 'lower' },
      unresolved: { label: 'in doubt at the end', from: 'figures.inDoubt.unresolved', unit: 'count', better: 'lower' },
    },
    charts: [
      { kind: 'bars', title: 'Inconsistency windows: how long a change was half applied', figures: ['inconsistencyP99', 'inconsistencyMax'] },
      { kind: 'bars', title: 'In-doubt time: how long a prepared transaction held its locks', figures: ['inDoubtP99', 'inDoubtMax'] },
    ],
  },
  isolation: {
    figures: {
      serializationFailures: { label: 'serialization failures', from: 'figures.conflicts.serialization', unit: 'count', better: 'lower' },
      deadlocks: { label: 'deadlocks', from: 'figures.conflicts.deadlock', unit: 'count', better: 'lower' },
    },
    charts: [{ kind: 'bars', title: 'What a level costs in retries', figures: ['serializationFailures', 'deadlocks'] }],
  },
};
