/**
 * The least a cache read over HTTP can cost: `GET /items/:id` does one Redis
 * GET of the item's cache key and answers the stored text as is (200), or
 * 404. No PostgreSQL, no parsing. `GET /health` → 200. Env: `REDIS_URL`,
 * `PORT`; listens on 127.0.0.1; SIGTERM stops it gracefully.
 */
import { createServer } from 'node:http';
import { createClient } from 'redis';
import { cacheKey } from '../../targets/caching/items.ts';

const redisUrl = process.env.REDIS_URL;
const port = Number(process.env.PORT);
if (!redisUrl || !port) throw new Error('REDIS_URL and PORT must be set');

const redis = createClient({ url: redisUrl });
redis.on('error', (err: Error) => console.error(`redis: ${err.message}`));
await redis.connect();

const server = createServer((req, res) => {
  const match = /^\/items\/([^/]+)$/.exec(req.url ?? '');
  if (req.url === '/health' || !match) {
    res.writeHead(req.url === '/health' ? 200 : 404).end();
    return;
  }
  redis.get(cacheKey(decodeURIComponent(match[1]))).then(
    (cached) => {
      if (cached === null) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(cached) }).end(cached);
    },
    (err: Error) => res.writeHead(503).end(err.message),
  );
});
server.listen(port, '127.0.0.1');

process.once('SIGTERM', () => {
  server.close(() => void redis.close().finally(() => process.exit(0)));
  server.closeIdleConnections();
});
