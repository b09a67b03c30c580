import type { Environment, PgEndpoint } from '../../runtime/environment.ts';
import { startNodeService } from '../../runtime/local/node-service.ts';
import type { StartedTarget, Target } from '../target.ts';

/** The PostgreSQL connection URL for an endpoint (credentials URL-encoded). */
const pgUrl = (pg: PgEndpoint): string =>
  `postgres://${encodeURIComponent(pg.user)}:${encodeURIComponent(pg.password)}@${pg.host}:${pg.port}/${encodeURIComponent(pg.database)}`;

/**
 * Starts `server.ts` with one pattern against the environment's Redis and
 * PostgreSQL endpoints (their Toxiproxy links); the environment adopts the
 * service so it stops with the rest. Throws if the topology lacks either.
 */
async function startCachingService(env: Environment, pattern: string): Promise<StartedTarget> {
  const { redis, postgres } = env.endpoints;
  if (!redis || !postgres) throw new Error(`${pattern} needs redis and postgres endpoints`);
  const service = await startNodeService({
    name: 'target',
    file: 'targets/caching/server.ts',
    env: {
      PATTERN: pattern,
      REDIS_URL: `redis://${redis.host}:${redis.port}`,
      PG_URL: pgUrl(postgres),
      TTL_SECONDS: '60',
      SEED_ITEMS: '1000',
    },
    runDir: env.runDir,
  });
  env.adopt(service);
  return service;
}

/** Cache-aside: Redis in front of PostgreSQL, filled on a read miss, invalidated (DEL) on a write; items `k0`…`k999` seeded, TTL 60 s. */
export const cacheAside: Target = {
  name: 'cache-aside',
  family: 'caching',
  topology: { redis: {}, postgres: {} },
  start: (env) => startCachingService(env, 'cache-aside'),
};
