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
  /** A dotted path into the case's results.json entry, or `ratios.<name>`. */
  readonly from: string;
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
  /** One curve a pattern, from an array of points at `from` (the t-visibility curve). */
  | {
      readonly kind: 'curves';
      readonly title: string;
      readonly from: string;
      readonly x: { readonly key: string; readonly label: string; readonly unit: Unit };
      readonly y: { readonly key: string; readonly label: string; readonly unit: Unit };
    }
  /**
   * One row a pattern on the run's time axis, a bar per interval from an array
   * at `from` of `{ startNs, endNs }` (ns since the run started, the
   * history's clock), under the fault bands (inconsistency windows).
   */
  | { readonly kind: 'intervals'; readonly title: string; readonly from: string };

/**
 * The families' entries. Keys marked "documented by the family" are the
 * family's to name in its FIGURES.md; until a run's results carry them, the
 * chart that draws them says which figure is missing instead of drawing
 * nothing silently.
 */
export const familyViews: Readonly<Record<string, FamilyView>> = {
  caching: {
    ratios: {
      hitRatio: { label: 'hit ratio (client-seen)', f: 'read', field: 'cache', equals: 'hit' },
    },
    figures: {
      hitRatio: { label: 'hit ratio', from: 'ratios.hitRatio', unit: 'ratio', better: 'higher' },
      // Documented by the family: the hit ratio an ideal cache would reach on the same requests.
      bestHitRatio: { label: 'best possible hit ratio', from: 'figures.bestHitRatio', unit: 'ratio', better: 'higher' },
      staleReads: { label: 'stale reads', from: 'checks.results.staleness.staleFraction', unit: 'ratio', better: 'lower' },
      staleTMaxMs: { label: 'staleness t max', from: 'checks.results.staleness.tMs.max', unit: 'ms', better: 'lower' },
    },
    charts: [
      { kind: 'bars', title: 'Hit ratio against the best possible', figures: ['hitRatio', 'bestHitRatio'] },
      {
        kind: 'curves',
        title: 't-visibility: probability a read sees every write older than t',
        from: 'checks.results.staleness.visibility',
        x: { key: 'tMs', label: 't', unit: 'ms' },
        y: { key: 'probability', label: 'P(consistent)', unit: 'ratio' },
      },
    ],
  },
  consistency: {
    figures: {
      // `availability` is generic (ok / client ops); consistency is the share of reads that were not stale.
      consistentReads: { label: 'consistent reads', from: 'figures.consistentReadFraction', unit: 'ratio', better: 'higher' },
      staleReads: { label: 'stale reads', from: 'checks.results.staleness.staleFraction', unit: 'ratio', better: 'lower' },
    },
    charts: [
      { kind: 'scatter', title: 'Availability against consistency', x: 'availability', y: 'consistentReads' },
      {
        kind: 'curves',
        title: 't-visibility: probability a read sees every write older than t',
        from: 'checks.results.staleness.visibility',
        x: { key: 'tMs', label: 't', unit: 'ms' },
        y: { key: 'probability', label: 'P(consistent)', unit: 'ratio' },
      },
    ],
  },
  transactions: {
    figures: {
      // Documented by the family.
      lostWrites: { label: 'lost writes', from: 'figures.lostWrites', unit: 'count', better: 'lower' },
      inDoubtMsP99: { label: 'in-doubt time p99', from: 'figures.inDoubtMs.p99', unit: 'ms', better: 'lower' },
      inDoubtMsMax: { label: 'in-doubt time max', from: 'figures.inDoubtMs.max', unit: 'ms', better: 'lower' },
    },
    charts: [
      { kind: 'intervals', title: 'Inconsistency windows', from: 'figures.inconsistencyWindows' },
      { kind: 'bars', title: 'In-doubt time', figures: ['inDoubtMsP99', 'inDoubtMsMax'] },
    ],
  },
};
