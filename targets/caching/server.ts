/**
 * The caching family's HTTP service: it only translates HTTP to a pattern
 * class and back. Settings from the environment: `PATTERN` (`cache-aside`),
 * `REDIS_URL`, `PG_URL`, `PORT`, `TTL_SECONDS` (default 60), `SEED_ITEMS`
 * (default 1000). Listens on 127.0.0.1; SIGTERM stops it gracefully.
 *
 *   GET    /items/:id  → 200 { id, value, version, cache } | 404
 *   PUT    /items/:id  { "value": string } → 200 { id, version } | 400
 *   DELETE /items/:id  → 204
 *   GET    /health     → 200
 *   a backend error    → 503 { error }
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createClient } from 'redis';
import pg from 'pg';
import { CacheAside } from './cache-aside.ts';
import { prepareItems } from './schema.ts';

// PostgreSQL calls give up after backendTimeoutMs (the pool then drops the
// connection). node-redis has no timeout for a command awaiting its reply, so
// each request has a deadline of its own: a blackholed backend yields a 503
// within a few seconds rather than a request that hangs. An operation cut
// short may still take effect later, which is what a 503 tells the client.
const backendTimeoutMs = 2_000;
const requestDeadlineMs = 3_000;

const patterns = {
  'cache-aside': (redis: ReturnType<typeof createClient>, pool: pg.Pool, ttlSeconds: number) => new CacheAside(redis, pool, ttlSeconds),
};

function setting(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

const patternName = setting('PATTERN', 'cache-aside');
if (!(patternName in patterns)) throw new Error(`PATTERN=${patternName} is not one of ${Object.keys(patterns).join(', ')}`);
const ttlSeconds = Number(setting('TTL_SECONDS', '60'));
const seedItems = Number(setting('SEED_ITEMS', '1000'));
const port = Number(setting('PORT'));

const redis = createClient({
  url: setting('REDIS_URL'),
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
  connectionString: setting('PG_URL'),
  max: 10,
  connectionTimeoutMillis: backendTimeoutMs,
  query_timeout: backendTimeoutMs,
});
pool.on('error', (err) => console.error(`postgres: ${err.message}`));

await redis.connect();
await prepareItems(pool, seedItems);
const store = patterns[patternName as keyof typeof patterns](redis, pool, ttlSeconds);

function send(res: ServerResponse, status: number, body?: unknown): void {
  // A request past its deadline has had its 503; the late answer is dropped.
  if (res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The `value` of a PUT body, or `undefined` when the body is not `{ "value": string }`. */
function parseValue(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { value?: unknown };
    return typeof parsed?.value === 'string' ? parsed.value : undefined;
  } catch {
    return undefined;
  }
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (pathname === '/health') return send(res, 200, { pattern: patternName });
  const match = /^\/items\/([^/]+)$/.exec(pathname);
  if (!match) return send(res, 404, { error: `no route ${pathname}` });
  const id = decodeURIComponent(match[1]);
  switch (req.method) {
    case 'GET': {
      const item = await store.get(id);
      return item ? send(res, 200, { id, ...item }) : send(res, 404, { error: `no item ${id}` });
    }
    case 'PUT': {
      const value = parseValue(await readBody(req));
      if (value === undefined) return send(res, 400, { error: 'body must be {"value": string}' });
      return send(res, 200, { id, ...(await store.put(id, value)) });
    }
    case 'DELETE':
      await store.delete(id);
      return send(res, 204);
    default:
      return send(res, 405, { error: `method ${req.method} not allowed` });
  }
}

/** `work`, or a rejection once `ms` have passed without it settling (`work` itself runs on). */
async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the backends within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

const server = createServer((req, res) => {
  withDeadline(handle(req, res), requestDeadlineMs).catch((err: Error) => {
    // node-redis's TimeoutError has an empty message; its class name is the news.
    send(res, 503, { error: err.message || err.constructor.name });
  });
});
server.listen(port, '127.0.0.1', () => console.log(`${patternName} listening on 127.0.0.1:${port}`));

// In-flight requests finish (the backend timeouts bound how long that takes),
// then the clients close, so no command is cut off half-way.
process.once('SIGTERM', () => {
  server.close(() => {
    void Promise.allSettled([redis.close(), pool.end()]).then(() => process.exit(0));
  });
  server.closeIdleConnections();
});
