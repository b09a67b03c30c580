import { describe, expect, it } from 'vitest';
import type { Component } from '../runtime/component.ts';
import { createFault, FaultInputError, faults, matchNames, parseFaultAttributes } from './index.ts';
import { faultKinds } from './kinds.ts';

const plain: Component = {
  name: 'target',
  kind: 'service',
  host: '127.0.0.1',
  port: 1,
  stop: async () => undefined,
  [Symbol.asyncDispose]: async () => undefined,
};
const ctx = { toxiproxyUrl: 'http://127.0.0.1:1', components: new Map([['target', plain]]), links: new Map([['target-to-redis', { from: 'a', to: 'b' }]]) };

describe('the catalogue', () => {
  it('names the same faults, in the same order, as the list the CLI shows', () => {
    expect(Object.keys(faults)).toEqual([...faultKinds]);
  });
});

describe('createFault', () => {
  it('builds a fault with defaults filled in, without touching Toxiproxy', () => {
    const fault = createFault('latency', 'target-to-redis', { latency: 100 }, ctx);
    expect(fault).toMatchObject({ kind: 'latency', on: 'target-to-redis', attributes: { latency: 100, jitter: 0, stream: 'downstream', toxicity: 1 } });
  });

  it('accepts numeric strings, as CLI flags arrive', () => {
    expect(createFault('bandwidth', 'target-to-redis', { rate: '64', toxicity: '0.5' }, ctx).attributes).toMatchObject({ rate: 64, toxicity: 0.5 });
  });

  it('names the bad field and what it expected', () => {
    expect(() => createFault('latency', 'target-to-redis', { latency: 'fast' }, ctx)).toThrow(
      'latency fault: latency: expected a whole number of milliseconds ≥ 0, got "fast"',
    );
    expect(() => createFault('latency', 'target-to-redis', {}, ctx)).toThrow('latency: expected a whole number of milliseconds ≥ 0, got nothing');
    expect(() => createFault('timeout', 'target-to-redis', { timeout: -5 }, ctx)).toThrow('timeout: expected a whole number of milliseconds ≥ 0, got -5');
    expect(() => createFault('latency', 'target-to-redis', { latency: 1, toxicity: 2 }, ctx)).toThrow(
      'toxicity: expected a fraction of connections from 0 to 1, got 2',
    );
    expect(() => createFault('latency', 'target-to-redis', { latency: 1, stream: 'sideways' }, ctx)).toThrow(
      'stream: expected "upstream", "downstream" or "both", got "sideways"',
    );
    expect(() => createFault('slicer', 'target-to-redis', { average_size: 10, size_variation: 10 }, ctx)).toThrow(
      'size_variation: expected fewer bytes than average_size, got 10',
    );
  });

  it('rejects unknown attributes, listing the known ones', () => {
    expect(() => createFault('latency', 'target-to-redis', { latency: 1, latncy: 2 }, ctx)).toThrow(
      'unknown attribute "latncy"; known: latency, jitter, stream, toxicity',
    );
    expect(() => createFault('down', 'target-to-redis', { latency: 1 }, ctx)).toThrow('unknown attribute "latency"; known: (none)');
  });

  it('rejects an unknown kind, listing the known ones', () => {
    expect(() => createFault('earthquake', 'target-to-redis', {}, ctx)).toThrow(`unknown fault "earthquake"; known faults: ${Object.keys(faults).join(', ')}`);
    expect(() => createFault('toString', 'target-to-redis', {}, ctx)).toThrow(FaultInputError);
  });

  it('rejects an unknown link or component, listing the known names', () => {
    expect(() => createFault('down', 'target-to-pg', {}, ctx)).toThrow('down fault: unknown link "target-to-pg"; known links: target-to-redis');
    expect(() => createFault('kill', 'redis', {}, ctx)).toThrow('kill fault: unknown component "redis"; known components: target');
    expect(() => createFault('kill', 'target-to-redis', {}, ctx)).toThrow(/unknown component "target-to-redis"/);
  });

  it('rejects a process fault on a component without the capability, naming it', () => {
    expect(() => createFault('kill', 'target', {}, ctx)).toThrow('kill fault: component "target" cannot be killed and restarted');
    expect(() => createFault('restart', 'target', {}, ctx)).toThrow(/component "target" cannot be killed and restarted/);
    expect(() => createFault('pause', 'target', {}, ctx)).toThrow('pause fault: component "target" cannot be paused');
  });
});

describe('names with a wildcard', () => {
  it('matchNames picks out every name a * pattern matches, and an exact name only itself', () => {
    const names = ['target-to-redis', 'target-2-to-redis', 'target-to-postgres', 'redis-replica-1-to-redis'];
    expect(matchNames('target*-to-redis', names)).toEqual(['target-to-redis', 'target-2-to-redis']);
    expect(matchNames('*-to-redis', names)).toEqual(['target-to-redis', 'target-2-to-redis', 'redis-replica-1-to-redis']);
    expect(matchNames('target-to-redis', names)).toEqual(['target-to-redis']);
    expect(matchNames('target.to.redis', names)).toEqual([]);
  });

  it("matchNames takes alternatives separated by |, each a name or a * pattern, in the names' order", () => {
    const names = ['db', 'db-replica-1', 'target', 'target-1', 'target-2', 'lock-1'];
    expect(matchNames('db*|target-*', names)).toEqual(['db', 'db-replica-1', 'target-1', 'target-2']);
    expect(matchNames('target-1|target', names)).toEqual(['target', 'target-1']);
    expect(matchNames('nothing|lock-1', names)).toEqual(['lock-1']);
    expect(matchNames('nothing|none*', names)).toEqual([]);
  });

  it('matchNames takes {a,b} as either alternative, alone or beside *', () => {
    const bank = ['target', 'shard-a', 'shard-b', 'target-to-shard-b', 'ledger-b-to-shard-b'];
    const orders = ['target', 'payment', 'payment-db', 'target-to-payment', 'payment-to-payment-db'];
    expect(matchNames('{shard-b,payment}', bank)).toEqual(['shard-b']);
    expect(matchNames('{shard-b,payment}', orders)).toEqual(['payment']);
    expect(matchNames('*-to-{shard-b,payment-db}', bank)).toEqual(['target-to-shard-b', 'ledger-b-to-shard-b']);
    expect(matchNames('*-to-{shard-b,payment-db}', orders)).toEqual(['payment-to-payment-db']);
    expect(matchNames('{shard-b}', bank)).toEqual([]); // one alternative is no alternation: a name with braces, which no component has
    expect(matchNames('{shard.b,x}', bank)).toEqual([]);
  });

  it('builds one fault over every match, and refuses a pattern that matches nothing', () => {
    const wide = {
      ...ctx,
      links: new Map([
        ['target-to-redis', { from: 'a', to: 'b' }],
        ['target-2-to-redis', { from: 'a', to: 'b' }],
        ['target-to-postgres', { from: 'a', to: 'b' }],
      ]),
    };
    const group = createFault('latency', 'target*-to-redis', { latency: 5 }, wide);
    expect(group).toMatchObject({ kind: 'latency', on: 'target*-to-redis', attributes: { latency: 5 } });
    expect(() => createFault('latency', 'x*', { latency: 5 }, wide)).toThrow(/unknown link "x\*"/);
    expect(createFault('latency', '{target-to-postgres,target-to-etcd}', { latency: 5 }, wide)).toMatchObject({ on: '{target-to-postgres,target-to-etcd}' });
  });
});

describe('the catalogue entries', () => {
  it('marks Toxiproxy faults as network faults and signal faults as process faults', () => {
    const network = Object.entries(faults)
      .filter(([, f]) => f.network)
      .map(([k]) => k);
    expect(network.sort()).toEqual(['bandwidth', 'down', 'latency', 'limit_data', 'reset_peer', 'slicer', 'slow_close', 'timeout']);
    expect(Object.values(faults).every((f) => f.describe.length > 0)).toBe(true);
  });

  it('parses attributes without a context', () => {
    expect(parseFaultAttributes('reset_peer', {})).toEqual({ timeout: 0, stream: 'downstream', toxicity: 1 });
    expect(() => parseFaultAttributes('limit_data', { bytes: 1.5 })).toThrow('bytes: expected a whole number of bytes ≥ 0, got 1.5');
  });
});
