import type { AnomalyType, ConsistencyModel } from '../../checkers/list-append/index.ts';
import type { LevelName } from './patterns.ts';

/**
 * What a level is expected to show, from sources nobody here wrote, so a
 * run's findings can be printed beside them.
 */
export interface Anchor {
  /** What Jepsen's PostgreSQL 12.3 analysis (Kingsbury, 2020, jepsen.io/analyses/postgresql-12.3) found at this level. */
  published: string;
  /** What PostgreSQL 15 should show, and why. */
  expected: string;
  /** Anomalies the expectation says a busy enough history shows. */
  shows: readonly AnomalyType[];
  /** The model no anomaly may rule out: the level's promise, which the expectation keeps. */
  keeps: ConsistencyModel;
}

export const JEPSEN_POSTGRESQL_12_3 = 'https://jepsen.io/analyses/postgresql-12.3';

/**
 * One anchor a level. Read committed takes a fresh snapshot for every
 * statement, so a transaction can see another's write to one key and miss
 * its write to another (read skew, Adya's G-single), which snapshot
 * isolation forbids. Repeatable read is snapshot isolation: two
 * transactions may each miss the other's write on different keys (write
 * skew, G2-item), and nothing snapshot isolation forbids. Serializable
 * (SSI) aborts one transaction of every such structure; the G2-item Jepsen
 * found at 12.3 came from a bug fixed in 12.4 (2020-08-13).
 */
export const anchors: Record<LevelName, Anchor> = {
  'read-committed': {
    published: 'behaved as expected: nothing read committed forbids (no aborted reads)',
    expected: 'read skew (G-single), which snapshot isolation forbids, and nothing read committed forbids',
    shows: ['G-single'],
    keeps: 'read-committed',
  },
  'repeatable-read': {
    published: 'frequent G2-item: PostgreSQL "repeatable read" is snapshot isolation',
    expected: 'write skew (G2-item), and nothing snapshot isolation forbids (no G-single)',
    shows: ['G2-item'],
    keeps: 'snapshot-isolation',
  },
  serializable: {
    published: 'occasional G2-item under normal operation, a bug in SSI fixed in 12.4',
    expected: 'no anomaly at all',
    shows: [],
    keeps: 'serializable',
  },
};
