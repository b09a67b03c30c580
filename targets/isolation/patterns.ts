import { z } from 'zod';
import type { ConsistencyModel } from '../../checkers/list-append/index.ts';
import type { IsolationLevel } from './list-append-store.ts';

/**
 * PostgreSQL's isolation levels, each with the model it promises as the
 * list-append checker names it: the model its history is held to.
 * PostgreSQL's "repeatable read" is snapshot isolation (its documentation
 * says so), so that is what it is held to.
 */
export const isolationLevels = {
  'read-committed': { sql: 'READ COMMITTED', promises: 'read-committed' },
  'repeatable-read': { sql: 'REPEATABLE READ', promises: 'snapshot-isolation' },
  serializable: { sql: 'SERIALIZABLE', promises: 'serializable' },
} as const satisfies Record<string, { sql: IsolationLevel; promises: ConsistencyModel }>;

export type LevelName = keyof typeof isolationLevels;
export const levelNames = Object.keys(isolationLevels) as [LevelName, ...LevelName[]];

/**
 * The isolation family's one registry, read by the service (`server.ts`)
 * and the runner (`index.ts`). One pattern, with the level as its option:
 * the service, its statements and its workload are the same at every level,
 * and only what PostgreSQL lets concurrent transactions see changes, as
 * PostgreSQL's own `default_transaction_isolation` is one setting. A suite
 * runs one case a level, named after it; the checks read the level from the
 * case's options.
 */
export const isolationPatterns = {
  'postgres-isolation': {
    description: 'list-append transactions on one PostgreSQL at an isolation level (read committed, repeatable read, serializable)',
    options: z
      .object({
        /** `BEGIN ISOLATION LEVEL …` of every transaction; PostgreSQL's own default is read committed. */
        level: z.enum(levelNames).default('read-committed'),
        /** Connections the service keeps to PostgreSQL: how many transactions can be open at once. */
        connections: z.number().int().positive().max(150).default(20),
        /**
         * Before each micro-op, a pause of up to this many ms (uniform), as an
         * application doing work between its statements; Jepsen's PostgreSQL
         * client sleeps up to 10 ms the same way. It widens the window in which
         * transactions overlap without adding load.
         */
        thinkMs: z.number().nonnegative().max(1_000).default(10),
      })
      .strict(),
  },
} as const;

export type IsolationPatternName = keyof typeof isolationPatterns;
export type IsolationOptions = z.infer<(typeof isolationPatterns)['postgres-isolation']['options']>;
