import type { Family, Pattern } from '../family.ts';
import { bankPatterns } from './bank/registry.ts';
import { bankTopology } from './topology.ts';

const patterns: Record<string, Pattern> = Object.fromEntries(
  Object.entries(bankPatterns).map(([name, entry]) => [
    name,
    { name, description: entry.description, options: entry.options, topology: (options) => bankTopology(name, options, entry.adds) },
  ]),
);

/** Transactions: atomicity across databases and what its alternatives give up. */
export const transactions: Family = {
  name: 'transactions',
  description: 'two-phase commit vs sagas vs the outbox, across shards and services, under faults',
  patterns,
  workloads: [],
  checks: {},
};
