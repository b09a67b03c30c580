import { describe, expect, it } from 'vitest';
import { families } from '../targets/index.ts';
import { planSuite } from './plan-suite.ts';
import { parseSuite } from './suite.ts';

const plan = (raw: Record<string, unknown>) =>
  planSuite(parseSuite({ name: 's', cases: [{ target: 'cache-aside' }], checkers: ['staleness', 'linearizable'], ...raw }, 's.yaml'), 's.yaml', families);

describe('thresholds in a suite', () => {
  it('takes generic figures, the family view’s and the case’s checks', () => {
    expect(() =>
      plan({
        thresholds: { p99: '< 50ms', errorRate: '<= 1%', throughput: '>= 40/s', staleReads: '< 0.01', hitRatio: '>= 50%' },
        cases: [{ target: 'cache-aside', thresholds: { linearizable: true, p99: '< 2s' } }],
      }),
    ).not.toThrow();
  });

  it('refuses a name the case will not have, naming the field and what it has', () => {
    expect(() => plan({ thresholds: { p999: '< 50ms' } })).toThrow(
      /s\.yaml: field "thresholds\.p999": case "cache-aside" has no figure or check "p999"; its figures: throughput, p50, .*; its checks: staleness, linearizable/,
    );
    // A check the case does not run is no threshold either.
    expect(() => plan({ checkers: ['staleness'], cases: [{ target: 'cache-aside', thresholds: { linearizable: true } }] })).toThrow(
      /field "cases\.0\.thresholds\.linearizable": case "cache-aside" has no figure or check "linearizable"/,
    );
  });

  it('refuses an expression that does not fit the figure’s unit', () => {
    expect(() => plan({ thresholds: { p99: '< 5%' } })).toThrow(/field "thresholds\.p99": "p99" is in ms: "%" does not fit/);
    expect(() => plan({ thresholds: { linearizable: 'yes' } })).toThrow(
      /field "thresholds\.linearizable": "linearizable" is a check: its threshold can only be true/,
    );
  });

  it('refuses a threshold that is neither an expression nor a boolean when the suite is read', () => {
    expect(() => plan({ thresholds: { p99: 50 } })).toThrow(/field "thresholds\.p99"/);
  });
});
