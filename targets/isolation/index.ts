import { z } from 'zod';
import type { Family, Pattern } from '../family.ts';
import { isolationChecks } from './checks.ts';
import { isolationFigures } from './figures.ts';
import { isolationPatterns } from './patterns.ts';

/** Every pattern is the service (`server.ts`) in front of one PostgreSQL, `postgres`, told the pattern and its options. */
const patterns: Record<string, Pattern> = Object.fromEntries(
  Object.entries(isolationPatterns).map(([name, entry]) => [
    name,
    {
      name,
      description: entry.description,
      options: entry.options,
      topology: (options) => ({
        postgres: { postgres: {} },
        services: {
          target: {
            file: 'targets/isolation/server.ts',
            uses: ['postgres'],
            env: { PB_PATTERN: name, PB_OPTIONS: JSON.stringify(options) },
          },
        },
      }),
    },
  ]),
);

/** Transactional isolation: list-append transactions on PostgreSQL at each isolation level, checked Elle's way. */
export const isolation: Family = {
  name: 'isolation',
  description: "PostgreSQL's isolation levels: what each lets concurrent transactions see, found Elle's way from list-append histories",
  patterns,
  workloads: [
    {
      script: 'targets/isolation/workload.k6.ts',
      description: "Jepsen's list-append transactions (reads and appends over a sliding window of keys) at a fixed arrival rate, retried on conflict",
      options: z.object({
        /** Keys live at any moment: fewer keys, more transactions meeting on each. */
        keys: z.number().int().positive().default(8),
        /** How long a key stays live before the window slides past it, s. */
        keyLifeSeconds: z.number().positive().default(2),
        /** Micro-ops a transaction, at most. */
        maxTxnLength: z.number().int().positive().max(32).default(4),
        /** Attempts a transaction gets in all when PostgreSQL rolls it back on a conflict. */
        attempts: z.number().int().positive().default(5),
      }),
      env: (o) => ({
        KEYS: String(o.keys),
        KEY_LIFE_S: String(o.keyLifeSeconds),
        MAX_TXN_LENGTH: String(o.maxTxnLength),
        ATTEMPTS: String(o.attempts),
      }),
    },
  ],
  checks: isolationChecks,
  figures: isolationFigures,
};
