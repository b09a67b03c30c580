/**
 * The caching family's HTTP service: routes that translate HTTP to the
 * pattern named by `PB_PATTERN` (from `patterns.ts`) and back. Redis and
 * PostgreSQL are the `redis` and `postgres` instances of its topology,
 * reached through its links.
 *
 *   GET    /items/:id  → 200 { id, value, version, cache: 'hit' | 'miss', loaded } | 404
 *                         (`loaded`: this request read the item from PostgreSQL;
 *                         `tier: 'local'` on a hit served by the in-process tier)
 *   PUT    /items/:id  { "value": string } → 200 { id, version } | 400
 *   DELETE /items/:id  → 204 (whether or not it existed)
 *   a backend error, or no answer within 3 s → 503 { error }
 */
import pg from 'pg';
import { createClient } from 'redis';
import { z } from 'zod';
import { bodyOf, HttpError, serve } from '../kit/http.ts';
import { primaryUrl, readSettings } from '../kit/world.ts';
import { type CachingBackends, type CachingPattern, type CachingPatternName, cachingPatterns } from './patterns.ts';
import { withCommandTimeout } from './items.ts';
import { prepareItems } from './schema.ts';

// PostgreSQL calls give up after backendTimeoutMs (the pool then drops the
// connection). A Redis command gives up sooner: a cache that does not answer
// quickly is worth less than going to the source of truth (patterns that can
// serve without it do), and a partitioned Redis must not eat the request's
// whole 3 s deadline.
const backendTimeoutMs = 2_000;
const redisTimeoutMs = 500;

const settings = readSettings();
const entry = cachingPatterns[settings.pattern as CachingPatternName];
if (!entry) throw new Error(`PB_PATTERN=${settings.pattern} is not one of ${Object.keys(cachingPatterns).join(', ')}`);
const options = entry.options.parse(settings.options);

const redis = createClient({
  url: primaryUrl(settings, 'redis'),
  socket: { connectTimeout: backendTimeoutMs },
  // While disconnected, commands fail at once instead of queueing: a queued
  // SET sent on reconnect, long after its request got a 503, would put an old
  // value back in the cache.
  disableOfflineQueue: true,
});
// Without a listener node-redis would crash the process on a lost connection;
// it reconnects by itself, and requests meanwhile fail with 503.
redis.on('error', (err: Error) => console.error(`redis: ${err.message}`));
const pool = new pg.Pool({
  connectionString: primaryUrl(settings, 'postgres'),
  max: 10,
  connectionTimeoutMillis: backendTimeoutMs,
  query_timeout: backendTimeoutMs,
});
pool.on('error', (err) => console.error(`postgres: ${err.message}`));

await redis.connect();
await prepareItems(pool, options.seedItems, options.valueBytes);
// Each entry's `create` takes its own options type; the registry lookup by name loses which.
const store = (entry.create as (b: CachingBackends, o: typeof options) => CachingPattern)(
  { redis: withCommandTimeout(redis, redisTimeoutMs), pg: pool },
  options,
);
await store.start?.();
const putBody = z.object({ value: z.string() });

serve({
  port: settings.port,
  name: settings.name,
  health: () => ({ pattern: settings.pattern }),
  routes: [
    {
      method: 'GET',
      path: '/items/:id',
      handle: async ({ params: { id } }) => {
        const item = await store.get(id);
        if (!item) throw new HttpError(404, `no item ${id}`);
        return { status: 200, body: { id, ...item } };
      },
    },
    {
      method: 'PUT',
      path: '/items/:id',
      handle: async (req) => {
        const { value } = await bodyOf(req, putBody);
        return { status: 200, body: { id: req.params.id, ...(await store.put(req.params.id, value)) } };
      },
    },
    {
      method: 'DELETE',
      path: '/items/:id',
      handle: async ({ params: { id } }) => {
        await store.delete(id);
        return { status: 204 };
      },
    },
  ],
  close: async () => {
    await store.close?.().catch((err: Error) => console.error(`closing ${settings.pattern}: ${err.message}`));
    await Promise.allSettled([redis.close(), pool.end()]);
  },
});
