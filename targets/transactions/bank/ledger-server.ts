/**
 * A shard's ledger service in the choreographed transfer saga (`ledger-a`,
 * `ledger-b`): it consumes the `bank-events` stream in a consumer group of
 * its own name and reacts to what concerns its shard's accounts
 * ({@link LedgerParticipant}), each reaction and its event one local
 * transaction. Its shard is `PB_SHARD`; it seeds it as the target does.
 *
 *   GET /health
 */
import { createClient } from 'redis';
import { serve } from '../../kit/http.ts';
import { readSettings } from '../../kit/world.ts';
import { EventBus } from '../event-bus.ts';
import { createPool } from '../pools.ts';
import { persist, retryPolicy } from '../retry.ts';
import { type ShardName, shardNames } from './bank.ts';
import { LedgerParticipant } from './choreographed-saga.ts';
import { bankStream } from './registry.ts';
import { prepareShard } from './shard.ts';

const settings = readSettings();
const shard = process.env.PB_SHARD as ShardName;
if (!shardNames.includes(shard)) throw new Error(`PB_SHARD=${process.env.PB_SHARD} is not one of ${shardNames.join(', ')}`);
const options = settings.options as { accountsPerShard: number; initialBalance: number; retry?: unknown };

const db = createPool(settings.endpoints[shard].nodes[0].url, { name: shard });
const redis = createClient({ url: settings.endpoints.redis.nodes[0].url });
redis.on('error', (err: Error) => console.error(`redis: ${err.message}`));
await redis.connect();
await persist(`preparing ${shard}`, () => prepareShard(db, shard, options));

const participant = new LedgerParticipant(shard);
const bus = new EventBus(redis, db, { stream: bankStream, group: settings.name, consumer: settings.name, retry: retryPolicy.parse(options.retry ?? {}) });
await persist('starting the event bus', () => bus.start((event, c) => participant.react(event, c!)));

serve({
  port: settings.port,
  name: settings.name,
  health: () => ({ shard }),
  routes: [],
  close: () => Promise.allSettled([bus.stop(), db.end(), redis.close()]),
});
