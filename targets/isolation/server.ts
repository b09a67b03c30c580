/**
 * The isolation family's HTTP service: one route that runs a list-append
 * transaction on PostgreSQL at the level its options name (`PB_OPTIONS`,
 * `patterns.ts`), through its link to the `postgres` instance.
 *
 *   POST /txn { "value": [["append", k, e] | ["r", k, null], …] }
 *     → 200 { value }                     committed; reads filled in
 *     → 409 { error, code, committed: false }  rolled back by a conflict (SQLSTATE 40001 or 40P01): run it again
 *     → 503 { error, committed: false }   surely not committed (failed before COMMIT was sent)
 *     → 503 { error }                     unknown: COMMIT was sent and no verdict came back, or no answer within 3 s
 *     → 400 { error }                     not a transaction
 */
import pg from 'pg';
import { z } from 'zod';
import { bodyOf, serve } from '../kit/http.ts';
import { primaryUrl, readSettings } from '../kit/world.ts';
import { ListAppendStore, type MicroOp, TxnNotCommitted } from './list-append-store.ts';
import { type IsolationPatternName, isolationLevels, isolationPatterns } from './patterns.ts';

// A statement with no answer within this fails (the pool then drops its
// connection, which rolls back whatever was open). A whole transaction that
// runs past the kit's 3 s deadline is answered 503, outcome unknown.
const statementTimeoutMs = 2_000;

const settings = readSettings();
const entry = isolationPatterns[settings.pattern as IsolationPatternName];
if (!entry) throw new Error(`PB_PATTERN=${settings.pattern} is not one of ${Object.keys(isolationPatterns).join(', ')}`);
const options = entry.options.parse(settings.options);

const pool = new pg.Pool({
  connectionString: primaryUrl(settings, 'postgres'),
  max: options.connections,
  // Waiting for a free connection gives up sooner: a transaction that never
  // got one surely did not commit, and says so before the client times out.
  connectionTimeoutMillis: 1_000,
  query_timeout: statementTimeoutMs,
});
pool.on('error', (err) => console.error(`postgres: ${err.message}`));

const level = isolationLevels[options.level].sql;
const store = new ListAppendStore(pool, level, options.thinkMs);
await store.prepare();

const key = z.number().int().nonnegative();
const txnBody = z.object({
  value: z
    .array(z.union([z.tuple([z.literal('append'), key, z.number().int()]), z.tuple([z.literal('r'), key, z.null()])]))
    .min(1)
    .max(32),
});

serve({
  port: settings.port,
  name: settings.name,
  health: () => ({ pattern: settings.pattern, level }),
  routes: [
    {
      method: 'POST',
      path: '/txn',
      handle: async (req) => {
        const { value } = await bodyOf(req, txnBody);
        try {
          return { status: 200, body: { value: await store.transact(value as MicroOp[]) } };
        } catch (err) {
          if (!(err instanceof TxnNotCommitted)) throw err;
          if (err.reason === 'conflict') return { status: 409, body: { error: err.message, code: err.code, committed: false } };
          return { status: 503, body: { error: err.message, ...(err.code ? { code: err.code } : {}), committed: false } };
        }
      },
    },
  ],
  close: () => pool.end(),
});
