import type { AnomalyType, ConsistencyModel, ListAppendVerdict } from '../../checkers/list-append/index.ts';
import { modelsRuledOutBy } from '../../checkers/list-append/models.ts';
import type { Validity, Verdict } from '../../checkers/verdict.ts';
import { describeVerdict, validityWord } from '../../reports/verdict-text.ts';
import type { CaseFiles, Check } from '../family.ts';
import { anchors, JEPSEN_POSTGRESQL_12_3 } from './anchors.ts';
import { isolationLevels, type LevelName } from './patterns.ts';
import { levelVerdict } from './verdict.ts';

/** The list-append checker's verdict on a case, with the level it ran at and the model that level promises. */
export interface IsolationVerdict extends ListAppendVerdict {
  level: LevelName;
  promises: ConsistencyModel;
}

/** Whether a level showed what its anchor (`anchors.ts`) says it should. */
export interface ExpectedVerdict extends Verdict {
  level: LevelName;
  /** The anchor's words: what Jepsen found at PostgreSQL 12.3, what PostgreSQL 15 should show. */
  published: string;
  expected: string;
  source: string;
  /** Every anomaly type found, most severe first, with its count. */
  found: Partial<Record<AnomalyType, number>>;
  /** Anomalies the anchor expects that did not show. */
  missing: AnomalyType[];
  /** Anomalies found that rule out the model the anchor says the level keeps. */
  beyond: AnomalyType[];
  reason?: string;
}

/** `G2-item ×4, G-single ×2`, or `no anomalies`. */
function foundText(counts: Partial<Record<AnomalyType, number>>, types: readonly AnomalyType[]): string {
  return types.length === 0 ? 'no anomalies' : types.map((t) => `${t} ×${counts[t]}`).join(', ');
}

function isolation(files: CaseFiles): IsolationVerdict {
  const { level, verdict } = levelVerdict(files);
  return { ...verdict, level, promises: isolationLevels[level].promises };
}

/**
 * The anchor's two claims, each decided only on evidence: `false` when an
 * anomaly rules out the model the level keeps; `'unknown'` when an
 * expected anomaly did not show (the load did not make it happen, which is
 * no evidence that it cannot), when the search could not rule out what the
 * level keeps, or when nothing committed read anything; else `true`.
 */
export function expectedVerdict(files: CaseFiles): ExpectedVerdict {
  const { level, verdict } = levelVerdict(files);
  const anchor = anchors[level];
  const found = verdict.anomalyTypes;
  const beyond = found.filter((t) => modelsRuledOutBy(t).includes(anchor.keeps));
  const missing = anchor.shows.filter((t) => !found.includes(t));
  let valid: Validity = true;
  let reason: string | undefined;
  if (beyond.length > 0) {
    valid = false;
    reason = `${beyond.join(', ')} ${beyond.length > 1 ? 'rule' : 'rules'} out ${anchor.keeps}, which ${level} keeps`;
  } else if (verdict.valid === 'unknown') {
    valid = 'unknown';
    reason = verdict.reason;
  } else if (missing.length > 0) {
    valid = 'unknown';
    reason = `${missing.join(', ')} did not show: not enough overlapping transactions (fewer keys or more clients make more)`;
  }
  return {
    valid,
    level,
    published: anchor.published,
    expected: anchor.expected,
    source: JEPSEN_POSTGRESQL_12_3,
    found: Object.fromEntries(found.map((t) => [t, verdict.anomalyCounts[t]])),
    missing,
    beyond,
    ...(reason ? { reason } : {}),
  };
}

export const isolationChecks: Record<string, Check> = {
  isolation: {
    description: 'each level held to the model it promises (read committed; snapshot isolation for repeatable read; serializable), Elle-style',
    run: isolation,
    summary: (v) => {
      if (!('level' in v)) return describeVerdict(v);
      const s = v as IsolationVerdict;
      const ruledOut = s.ruledOut.length ? `; rules out ${s.ruledOut.join(', ')}` : '';
      const why = s.reason ? ` (${s.reason})` : '';
      return `${s.level} held to ${s.promises}: ${validityWord(s.valid)}${why}; ${foundText(s.anomalyCounts, s.anomalyTypes)}${ruledOut} (txns ${s.txns.ok} ok, ${s.txns.fail} fail, ${s.txns.info} info)`;
    },
  },
  'expected-anomalies': {
    description: "each level's anomalies against what Jepsen's PostgreSQL 12.3 analysis found and PostgreSQL 15 should show",
    run: expectedVerdict,
    summary: (v) => {
      if (!('level' in v)) return describeVerdict(v);
      const s = v as ExpectedVerdict;
      const word = s.valid === true ? 'reproduced' : s.valid === false ? 'CONTRADICTED' : 'not reproduced';
      const why = s.reason ? ` (${s.reason})` : '';
      const types = Object.keys(s.found) as AnomalyType[];
      return `${word}${why}: expected ${s.expected}; found ${foundText(s.found, types)}; Jepsen, PostgreSQL 12.3: ${s.published}`;
    },
  },
};
