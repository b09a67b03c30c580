import type { Family, Pattern } from '../family.ts';
import { bankPatterns } from './bank/registry.ts';
import { orderPatterns } from './orders/registry.ts';
import { bankTopology, orderTopology } from './topology.ts';

const patterns: Record<string, Pattern> = Object.fromEntries([
  ...Object.entries(bankPatterns).map(([name, entry]) => [
    name,
    { name, description: entry.description, options: entry.options, topology: (options: Record<string, unknown>) => bankTopology(name, options, entry.adds) },
  ]),
  ...Object.entries(orderPatterns).map(([name, entry]) => [
    name,
    { name, description: entry.description, options: entry.options, topology: (options: Record<string, unknown>) => orderTopology(name, options, entry.adds) },
  ]),
]);

/** Transactions: atomicity across databases and what its alternatives give up. */
export const transactions: Family = {
  name: 'transactions',
  description: 'two-phase commit vs sagas vs the outbox, across shards and services, under faults',
  patterns,
  workloads: [],
  checks: {},
};
