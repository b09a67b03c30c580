import { z } from 'zod';
import type { Family, Pattern } from '../family.ts';
import { cachingChecks } from './checks.ts';
import { cachingPatterns } from './patterns.ts';

/**
 * Every caching pattern is one service (`server.ts`) in front of the `redis`
 * cache and the `postgres` source of truth, told which pattern to run and
 * its options.
 */
const patterns: Record<string, Pattern> = Object.fromEntries(
  Object.entries(cachingPatterns).map(([name, entry]) => [
    name,
    {
      name,
      description: entry.description,
      options: entry.options,
      topology: (options) => ({
        redis: { redis: {} },
        postgres: { postgres: {} },
        services: {
          target: {
            file: 'targets/caching/server.ts',
            uses: ['redis', 'postgres'],
            env: { PB_PATTERN: name, PB_OPTIONS: JSON.stringify(options) },
          },
        },
      }),
    },
  ]),
);

/** Caching: Redis in front of PostgreSQL, `GET/PUT/DELETE /items/:id`, every read saying hit or miss and the version it served. */
export const caching: Family = {
  name: 'caching',
  description: 'Redis in front of PostgreSQL: how often reads hit, how stale they are, what survives faults',
  patterns,
  workloads: [
    {
      script: 'targets/caching/workload.k6.ts',
      description: 'reads and writes of /items/:id over skewed keys at a fixed arrival rate',
      options: z.object({
        keys: z.number().int().positive().default(100),
        readRatio: z.number().min(0).max(1).default(0.9),
      }),
      env: (o) => ({ KEYS: String(o.keys), READ_RATIO: String(o.readRatio) }),
    },
  ],
  checks: cachingChecks,
};
