import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { caching } from '../targets/caching/index.ts';
import type { Family } from '../targets/index.ts';
import { planSuite } from './plan-suite.ts';
import { parseSuite } from './suite.ts';

/** A second family, in memory, so that a case can be given another family's workload. */
const ledger: Family = {
  name: 'ledger',
  description: 'a test double',
  patterns: {
    'two-books': {
      name: 'two-books',
      description: 'test double',
      options: z.object({}).strict(),
      topology: () => ({ services: { target: { file: 'nowhere.ts' } } }),
    },
  },
  workloads: [{ script: 'targets/ledger/workload.k6.ts', description: 'test double', options: z.object({ accounts: z.number().default(8) }), env: () => ({}) }],
  checks: {},
};
const registry = { caching, ledger };
const plan = (raw: Record<string, unknown>) => planSuite(parseSuite({ name: 's', ...raw }, 's.yaml'), 's.yaml', registry);

describe('planning a suite against the families', () => {
  it('fills in the family workload, the pattern options and the topology', () => {
    const { cases, faults } = plan({ cases: [{ target: 'cache-aside', options: { ttlSeconds: 5 } }], checkers: ['staleness'] });
    expect(cases[0]).toMatchObject({ name: 'cache-aside', options: { ttlSeconds: 5, seedItems: 1000 }, checks: ['staleness'] });
    expect(cases[0].family.name).toBe('caching');
    expect(cases[0].settings).toMatchObject({ script: 'targets/caching/workload.k6.ts', keys: 1000, mix: 'b', rate: 50 });
    expect(cases[0].topology.services?.target.uses).toEqual(['redis', 'postgres']);
    expect(faults).toEqual([]);
  });

  it('refuses a case whose target belongs to another family than its workload, naming the case', () => {
    expect(() => plan({ workload: { script: 'targets/ledger/workload.k6.ts' }, cases: [{ target: 'cache-aside', name: 'fast-cache' }] })).toThrow(
      /s\.yaml: field "cases\.0\.target": case "fast-cache": "cache-aside" is a caching pattern, but its workload targets\/ledger\/workload\.k6\.ts belongs to the ledger family/,
    );
  });

  it('checks pattern options against the pattern’s schema, naming the field', () => {
    expect(() => plan({ cases: [{ target: 'cache-aside', options: { ttlSeconds: 'long' } }] })).toThrow(/field "cases\.0\.options\.ttlSeconds": .*number/);
    expect(() => plan({ cases: [{ target: 'cache-aside', options: { tll: 5 } }] })).toThrow(/field "cases\.0\.options\.tll": .*tll/);
  });

  it('checks workload options against the family workload’s schema, naming where they were set', () => {
    expect(() => plan({ workload: { keys: -1 }, cases: [{ target: 'cache-aside' }] })).toThrow(/field "workload\.keys"/);
    expect(() => plan({ cases: [{ target: 'cache-aside', workload: { readRatio: 2 } }] })).toThrow(/field "cases\.0\.workload\.readRatio"/);
    expect(() => plan({ workload: { accounts: 3 }, cases: [{ target: 'cache-aside' }] })).toThrow(/field "workload\.accounts": .*accounts/);
    expect(() => plan({ workload: { script: 'my.js' }, cases: [{ target: 'cache-aside' }] })).toThrow(
      /field "workload\.script": unknown workload script "my\.js"/,
    );
    expect(() => plan({ workload: { script: 'https://10.0.0.1:8443/x.js' }, cases: [{ target: 'cache-aside' }] })).toThrow(
      /field "workload\.script": "https:\/\/10\.0\.0\.1:8443\/x\.js" is not a local file \(k6 would fetch it\)/,
    );
  });

  it('names checks the family does not have', () => {
    expect(() => plan({ cases: [{ target: 'cache-aside' }], checkers: ['bank'] })).toThrow(
      /field "checkers": unknown check "bank" .*known: staleness, linearizable/,
    );
  });

  it('refuses faults on links or components a case does not have, and faults that would start after the load', () => {
    const fault = (on: string, at = '1s') => ({
      cases: [{ target: 'cache-aside' }],
      workload: { duration: '10s' },
      faults: [{ fault: 'down', on, at, for: '1s' }],
    });
    expect(() => plan(fault('target-to-redys'))).toThrow(
      /field "faults\.0\.on": case "cache-aside" has no link "target-to-redys"; its links: target-to-redis, target-to-postgres/,
    );
    expect(() => plan({ ...fault('x'), faults: [{ fault: 'kill', on: 'redis-9', at: '1s', for: '1s' }] })).toThrow(/has no component "redis-9"/);
    expect(() => plan(fault('target-to-redis', '10s'))).toThrow(
      /field "faults\.0\.at": down on target-to-redis would start at 10000 ms, when the load \(10000 ms\) is over/,
    );
    expect(plan(fault('*-to-redis')).faults).toHaveLength(1);
    expect(() => plan({ cases: [{ target: 'cache-aside' }], nemesis: { seed: 1, faults: [{ fault: 'down', on: ['target-to-redis', 'nope'] }] } })).toThrow(
      /field "nemesis\.faults\.0\.on\.1": case "cache-aside" has no link "nope"/,
    );
  });
});
