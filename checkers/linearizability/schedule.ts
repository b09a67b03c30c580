import type { Model } from '../models/model.ts';
import { acquireSearchCore, releaseSearchCore, type SearchCore } from './core.ts';
import type { Prepared } from './prepare.ts';
import { budgetRss, nowMs, PartitionSearch, type SearchBudget, type SearchResult } from './search.ts';

/** Core turns a partition's search runs before the next one has its turn: about a millisecond of walking. */
const SLICE_TURNS = 1 << 16;
/**
 * Searches paused at once, at most: each holds a core and its memory. Past
 * it, the paused ones are resumed in turn before another partition starts.
 */
const MAX_PAUSED = 32;

/** Why {@link PartitionScheduler.run} returned. */
export type RunStop = 'violation' | 'done' | 'timeout' | 'memory-bound';

/**
 * Searches the partitions of a prepared history in turn, each in a core of
 * its own, a slice of turns at a time: a new partition gets its first slice
 * before paused ones get more, and paused ones are resumed round-robin. So
 * one hard partition (a search exponential in its concurrency) never holds
 * back a verdict that another, easy partition decides: the first violation
 * found, wherever it is, ends {@link run} as soon as it is found, as
 * Porcupine's parallel search does on its goroutines. Nothing is thrown
 * away: a run that stops on its budget or on a violation leaves the paused
 * searches as they were, and a later run (with a budget of its own, to
 * explain more) resumes them.
 */
export class PartitionScheduler {
  /** Each partition's result once its search ended (linearizable, violation, or its own budget). */
  readonly results: Array<SearchResult | undefined>;
  private readonly paused: PartitionSearch[] = [];
  private next = 0;
  private endedStates = 0;

  constructor(
    private readonly prepared: Prepared,
    private readonly layout: SearchCore,
    private readonly model: Model,
    private readonly initial: unknown,
  ) {
    this.results = new Array<SearchResult | undefined>(prepared.partitions.length);
  }

  /**
   * Searches on until a partition is found not linearizable (only when
   * `untilViolation`), every partition's search has ended, or the budget
   * ran out. Throws what the model throws.
   */
  run(budget: SearchBudget, untilViolation: boolean): RunStop {
    while (this.paused.length > 0 || this.next < this.results.length) {
      if (nowMs() > budget.deadlineMs) return 'timeout';
      const rss = budgetRss(budget);
      if (rss > budget.maxRssBytes) return 'memory-bound';
      const search = this.next < this.results.length && this.paused.length < MAX_PAUSED ? this.start(this.next++) : this.paused.shift()!;
      // The core may grow as far as the RSS (read at most a millisecond ago) leaves room for.
      const outcome = search.run(SLICE_TURNS, budget, budget.maxRssBytes - rss);
      if (outcome === undefined) {
        this.paused.push(search);
        continue;
      }
      if (outcome === 'timeout' || outcome === 'memory-bound') {
        // Not an end of this search: it resumes first under the next budget.
        this.paused.unshift(search);
        return outcome;
      }
      const result = search.result();
      this.results[search.partition] = result;
      this.endedStates += result.states;
      releaseSearchCore(search.core);
      if (outcome === 'violation' && untilViolation) return 'violation';
    }
    return 'done';
  }

  /** Partitions whose search has not ended (paused, or never started), in partition order. */
  unsearched(): number[] {
    const out = this.paused.map((s) => s.partition);
    for (let p = this.next; p < this.results.length; p++) out.push(p);
    return out.sort((a, b) => a - b);
  }

  /** Configurations memoised so far, over every partition searched. */
  states(): number {
    return this.paused.reduce((sum, s) => sum + s.memoised, this.endedStates);
  }

  /** Gives the paused searches' cores back: the scheduler must not run after. */
  close(): void {
    for (const s of this.paused.splice(0)) releaseSearchCore(s.core);
  }

  private start(p: number): PartitionSearch {
    return new PartitionSearch(acquireSearchCore(), this.layout, p, this.prepared.partitions[p].kinds, this.model, this.initial);
  }
}
