import { z } from 'zod';
import type { Family, Pattern } from '../family.ts';
import { consistencyChecks } from './checks.ts';
import { consistencyFigures } from './figures.ts';
import { consistencyPatterns } from './patterns.ts';

const patterns: Record<string, Pattern> = Object.fromEntries(
  Object.entries(consistencyPatterns).map(([name, entry]) => [
    name,
    { name, description: entry.description, options: entry.options, topology: (o: Record<string, unknown>) => entry.topology(o as never) },
  ]),
);

/** Consistency: the same registers, counters and faults against strong, eventual, consensus, multi-leader and lock patterns. */
export const consistency: Family = {
  name: 'consistency',
  description: 'strong vs eventual vs consensus vs multi-leader vs locks: what stays available and what stays correct under partitions, pauses and crashes',
  patterns,
  workloads: [
    {
      script: 'targets/consistency/register.k6.ts',
      description: 'reads, writes and compare-and-set of a few registers (/kv/:k), each answer naming its node',
      options: z.object({
        keys: z.number().int().positive().default(5),
        readRatio: z.number().min(0).max(1).default(0.5),
        casRatio: z.number().min(0).max(1).default(0.25),
      }),
      env: (o) => ({ KEYS: String(o.keys), READ_RATIO: String(o.readRatio), CAS_RATIO: String(o.casRatio) }),
    },
    {
      script: 'targets/consistency/counter.k6.ts',
      description: 'increments of counters and adds to sets, then final reads of every key on every replica',
      options: z.object({
        keys: z.number().int().positive().default(1),
        setRatio: z.number().min(0).max(1).default(0),
        readRatio: z.number().min(0).max(1).default(0.2),
        finalWaitMs: z.number().int().nonnegative().default(10_000),
      }),
      env: (o) => ({ KEYS: String(o.keys), SET_RATIO: String(o.setRatio), READ_RATIO: String(o.readRatio), FINAL_WAIT: String(o.finalWaitMs) }),
    },
  ],
  checks: consistencyChecks,
  figures: consistencyFigures,
};
