import { z } from 'zod';
import { type YcsbMix, ycsbMixes } from '../../workloads/ycsb.ts';
import type { Family, Pattern } from '../family.ts';
import { cachingChecks } from './checks.ts';
import { cachingFigures } from './figures.ts';
import { type CommonOptions, cachingPatterns } from './patterns.ts';

/**
 * Every caching pattern is one service (`server.ts`, `replicas` of it) in
 * front of the `redis` cache (with the pattern's memory limit, if any) and
 * the `postgres` source of truth, told which pattern to run and its options.
 * Links: `target-to-redis`, or `target-1-to-redis` … with replicas (a
 * suite's `target*-to-redis` names them all).
 */
const patterns: Record<string, Pattern> = Object.fromEntries(
  Object.entries(cachingPatterns).map(([name, entry]) => [
    name,
    {
      name,
      description: entry.description,
      options: entry.options,
      topology: (options) => {
        const { replicas, redisMaxmemory: limit } = options as CommonOptions;
        return {
          redis: { redis: limit ? { maxmemoryBytes: limit.bytes, maxmemoryPolicy: limit.policy, maxmemorySamples: limit.samples } : {} },
          postgres: { postgres: {} },
          services: {
            target: {
              file: 'targets/caching/server.ts',
              replicas,
              uses: ['redis', 'postgres'],
              env: { PB_PATTERN: name, PB_OPTIONS: JSON.stringify(options) },
            },
          },
        };
      },
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
      description: "YCSB's core mixes (A, B, C, D, F) over /items/:id at a fixed arrival rate, zipfian, uniform or latest keys, a final read of every key",
      options: z.object({
        /** YCSB's recordcount: the seeded items k0 … k{keys-1} (a pattern's `seedItems` should be at least this). */
        keys: z.number().int().positive().default(1000),
        mix: z.enum(Object.keys(ycsbMixes) as [YcsbMix, ...YcsbMix[]]).default('b'),
        /** Absent: the mix's own (zipfian; latest for D). */
        distribution: z.enum(['zipfian', 'uniform', 'latest']).optional(),
        /** Instead of the mix: reads at this ratio, updates otherwise. */
        readRatio: z.number().min(0).max(1).optional(),
        valueBytes: z.number().int().positive().default(1000),
        /** Read every key once after the load (what the lost-writes check needs). */
        finalReads: z.boolean().default(true),
        /** Wait this long after the load before the final reads (let TTL-bounded stale copies run out). */
        settleMs: z.number().int().nonnegative().default(0),
      }),
      env: (o) => ({
        KEYS: String(o.keys),
        MIX: String(o.mix),
        ...(o.distribution === undefined ? {} : { DISTRIBUTION: String(o.distribution) }),
        ...(o.readRatio === undefined ? {} : { READ_RATIO: String(o.readRatio) }),
        VALUE_BYTES: String(o.valueBytes),
        FINAL_READS: String(o.finalReads),
        SETTLE_MS: String(o.settleMs),
      }),
    },
    {
      script: 'targets/caching/herd.k6.ts',
      description: 'a thundering herd: many clients (a closed loop) reading one hot key across its expiries',
      options: z.object({
        clients: z.number().int().positive().default(100),
        hotKey: z
          .string()
          .regex(/^k\d+$/)
          .default('k0'),
        thinkMs: z.number().nonnegative().default(100),
        valueBytes: z.number().int().positive().default(1000),
      }),
      env: (o) => ({ CLIENTS: String(o.clients), HOT_KEY: String(o.hotKey), THINK_MS: String(o.thinkMs), VALUE_BYTES: String(o.valueBytes) }),
    },
  ],
  checks: cachingChecks,
  figures: cachingFigures,
};
