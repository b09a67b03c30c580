import { z } from 'zod';
import type { Family, Pattern } from '../family.ts';
import { bankPatterns } from './bank/registry.ts';
import { transactionChecks } from './checks.ts';
import { transactionFigures } from './figures.ts';
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

/** How long the workload's teardown waits for quiescence before it gives up (and the checks say `unknown`). */
const settleTimeout = z
  .string()
  .regex(/^\d+(\.\d+)?(ms|s|m)$/, 'a duration such as "30s" or "2m"')
  .default('60s');
const fraction = (fallback: number) => z.number().min(0).max(1).default(fallback);

/**
 * Transactions: atomicity across databases and services, and what its
 * alternatives give up. Bank transfers across two PostgreSQL shards
 * (two-phase commit, an orchestrated and a choreographed saga, the outbox,
 * and unprotected local commits as the baseline) and an order saga across
 * four services (orchestrated, choreographed), under the same load and faults.
 */
export const transactions: Family = {
  name: 'transactions',
  description: 'two-phase commit vs sagas vs the outbox, across shards and services, under faults',
  patterns,
  workloads: [
    {
      script: 'targets/transactions/transfers.k6.ts',
      description: 'transfers between the two shards and reads of every balance, then quiescence, a final read and the audit',
      options: z.object({ readRatio: fraction(0.2), maxAmount: z.number().int().positive().default(50), closedRatio: fraction(0.02), settleTimeout }),
      env: (o) => ({
        READ_RATIO: String(o.readRatio),
        MAX_AMOUNT: String(o.maxAmount),
        CLOSED_RATIO: String(o.closedRatio),
        SETTLE_TIMEOUT: String(o.settleTimeout),
      }),
    },
    {
      script: 'targets/transactions/orders.k6.ts',
      description: 'orders (some declined, some undeliverable, until stock runs out) and reads of them, then quiescence and the audit of every service',
      options: z.object({
        readRatio: fraction(0.2),
        maxQty: z.number().int().positive().default(3),
        declineRatio: fraction(0.05),
        undeliverableRatio: fraction(0.05),
        settleTimeout,
      }),
      env: (o) => ({
        READ_RATIO: String(o.readRatio),
        MAX_QTY: String(o.maxQty),
        DECLINE_RATIO: String(o.declineRatio),
        UNDELIVERABLE_RATIO: String(o.undeliverableRatio),
        SETTLE_TIMEOUT: String(o.settleTimeout),
      }),
    },
  ],
  checks: transactionChecks,
  figures: transactionFigures,
};
