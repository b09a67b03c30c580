/**
 * The bank patterns' HTTP service (the service named `target`): routes that
 * translate HTTP to the pattern named by `PB_PATTERN` (from `registry.ts`)
 * and back. Its shards are the `shard-a` and `shard-b` instances of its
 * topology; `txlog` and `redis` when the pattern's topology has them.
 *
 *   POST /transfers { id, from, to, amount } → 200 { id, outcome, phases? }
 *                                             | 409 { error, outcome }  (surely no net effect)
 *                                             | 400 (a malformed body)
 *   GET  /accounts  → 200 { accounts: { id: balance } }, one consistent cut of both shards
 *   GET  /in-flight → 200 { inFlight: [{ id, step, sinceMs?, attempts? }] }  (also /sagas)
 *   GET  /audit     → 200 { commits: 'atomic' | 'per-step', transfers: { id: { debit?, credit?, refund? } }, log? }
 *   GET|PUT|DELETE /failpoints[/:name]
 *   a backend error, or no answer within 3 s → 503 { error }: the transfer may still happen
 */
import type pg from 'pg';
import { createClient } from 'redis';
import { z } from 'zod';
import { bodyOf, serve } from '../../kit/http.ts';
import { readSettings } from '../../kit/world.ts';
import { failpointRoutes } from '../failpoint-routes.ts';
import { Failpoints } from '../failpoints.ts';
import { createPool } from '../pools.ts';
import { persist } from '../retry.ts';
import { type ShardName, shardNames, TransferRefused } from './bank.ts';
import { type BankPatternName, bankPatterns } from './registry.ts';
import { readEffects, prepareShard } from './shard.ts';

const settings = readSettings();
const entry = bankPatterns[settings.pattern as BankPatternName];
if (!entry) throw new Error(`PB_PATTERN=${settings.pattern} is not one of ${Object.keys(bankPatterns).join(', ')}`);
const options = entry.options.parse(settings.options);

const url = (instance: string) => settings.endpoints[instance]?.nodes[0]?.url;
const shards = Object.fromEntries(shardNames.map((s) => [s, createPool(url(s)!, { name: s })])) as Record<ShardName, pg.Pool>;
const txlog = url('txlog') ? createPool(url('txlog')!, { name: 'txlog' }) : undefined;
const redis = url('redis') ? createClient({ url: url('redis') }) : undefined;
redis?.on('error', (err: Error) => console.error(`redis: ${err.message}`));
await redis?.connect();
for (const shard of shardNames) await persist(`preparing ${shard}`, () => prepareShard(shards[shard], shard, options));

const failpoints = new Failpoints(entry.failpoints, options.failpoints);
// biome-ignore lint/suspicious/noExplicitAny: each entry's create takes its own options, which `entry.options` just parsed
const bank = entry.create({ shards, txlog, redis, failpoints, name: settings.name }, options as any);
await persist('starting the pattern', () => bank.start());

const transferBody = z.object({ id: z.string().min(1).max(200), from: z.string().min(1), to: z.string().min(1), amount: z.number().int().positive() }).strict();
const inFlight = async () => ({ status: 200, body: { inFlight: await bank.inFlight() } });

serve({
  port: settings.port,
  name: settings.name,
  health: () => ({ pattern: settings.pattern }),
  routes: [
    {
      method: 'POST',
      path: '/transfers',
      handle: async (req) => {
        const t = await bodyOf(req, transferBody);
        try {
          return { status: 200, body: { id: t.id, ...(await bank.transfer(t)) } };
        } catch (err) {
          if (err instanceof TransferRefused) return { status: 409, body: { error: err.message, outcome: err.outcome } };
          throw err;
        }
      },
    },
    { method: 'GET', path: '/accounts', handle: async () => ({ status: 200, body: { accounts: await bank.balances() } }) },
    { method: 'GET', path: '/in-flight', handle: inFlight },
    { method: 'GET', path: '/sagas', handle: inFlight },
    {
      method: 'GET',
      path: '/audit',
      handle: async () => ({
        status: 200,
        body: { commits: bank.commits, transfers: await readEffects(shards), ...(bank.log ? { log: await bank.log() } : {}) },
      }),
    },
    ...failpointRoutes(failpoints),
  ],
  close: () => Promise.allSettled([bank.stop(), ...Object.values(shards).map((p) => p.end()), txlog?.end(), redis?.close()]),
});
