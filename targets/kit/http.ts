import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** An answer that is not a 2xx: its status and the text of `{ "error": … }`, the one error shape of every service. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What a handler answers: a status and a JSON body (none for 204). */
export interface Reply {
  status: number;
  body?: unknown;
}

/** A request as a handler sees it: the route's parameters (decoded), the query, and the body read on demand. */
export interface Request {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The body parsed as JSON; throws `HttpError(400)` when it is not JSON, `HttpError(413)` when it is over the limit. */
  json(): Promise<unknown>;
}

export interface Route {
  method: string;
  /** A path with `:name` parameters: `/items/:id`. */
  path: string;
  handle(req: Request): Promise<Reply>;
}

export interface ServeOptions {
  port: number;
  /** Shown by `GET /health` and in the log line. */
  name: string;
  routes: Route[];
  /** Each request answers within this or gets a 503 (the work runs on); default 3 000 ms. */
  deadlineMs?: number;
  /** Largest request body accepted; default 1 MiB. */
  maxBodyBytes?: number;
  /** Runs on SIGTERM after the server stopped taking requests and in-flight ones finished: close the backends. */
  close?: () => Promise<unknown>;
  /** `GET /health` answers 200 with this merged into `{ name }`. */
  health?: () => Record<string, unknown>;
}

/**
 * The HTTP layer every pattern service shares, so a family's server file
 * holds only its routes: JSON in and out, `{ error }` for every non-2xx, a
 * deadline a request (503 when it passes: the operation may still take
 * effect later, which is what a 503 tells the client), `GET /health`, a
 * thrown `HttpError` answered with its status and any other error with 503
 * (a backend that failed), and on SIGTERM a graceful stop: in-flight
 * requests finish, then `close` runs and the process exits 0. Listens on
 * 127.0.0.1.
 */
export function serve(opts: ServeOptions): Server {
  const deadlineMs = opts.deadlineMs ?? 3_000;
  const maxBodyBytes = opts.maxBodyBytes ?? 1024 * 1024;
  const compiled = opts.routes.map((r) => ({ ...r, ...compile(r.path) }));
  const server = createServer((req, res) => {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HttpError(503, `no answer from the backends within ${deadlineMs} ms`)), deadlineMs);
    });
    Promise.race([dispatch(req), expired])
      .then((reply) => send(res, reply.status, reply.body))
      .catch((err: Error) => {
        // node-redis's TimeoutError has an empty message; its class name is the news.
        send(res, err instanceof HttpError ? err.status : 503, { error: err.message || err.constructor.name });
      })
      .finally(() => clearTimeout(timer));
  });

  async function dispatch(req: IncomingMessage): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/health' && req.method === 'GET') return { status: 200, body: { name: opts.name, ...opts.health?.() } };
    let allowed = false;
    for (const route of compiled) {
      const match = route.regex.exec(url.pathname);
      if (!match) continue;
      if (route.method !== req.method) {
        allowed = true;
        continue;
      }
      const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
      return route.handle({ params, query: url.searchParams, json: () => readJson(req, maxBodyBytes) });
    }
    throw allowed ? new HttpError(405, `method ${req.method} not allowed on ${url.pathname}`) : new HttpError(404, `no route ${url.pathname}`);
  }

  // 127.0.0.1 unless the runtime says otherwise: a service in a container listens on 0.0.0.0 of its own network stack.
  const host = process.env.PB_LISTEN_HOST || '127.0.0.1';
  server.listen(opts.port, host, () => console.log(`${opts.name} listening on ${host}:${opts.port}`));
  process.once('SIGTERM', () => {
    server.close(() => {
      void Promise.resolve(opts.close?.())
        .catch(() => undefined)
        .then(() => process.exit(0));
    });
    server.closeIdleConnections();
  });
  return server;
}

/** `/items/:id` as a regular expression and its parameter names. */
function compile(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([a-zA-Z]+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { regex: new RegExp(`^${source}$`), names };
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `request body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'request body is not JSON');
  }
}

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

/** A request body checked against `schema`; throws `HttpError(400)` naming each bad field and what was expected. */
export async function bodyOf<T>(
  req: Request,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } },
): Promise<T> {
  const parsed = schema.safeParse(await req.json());
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => (i.path.length ? `field "${i.path.map(String).join('.')}": ${i.message}` : i.message));
  throw new HttpError(400, `request body: ${problems.join('; ')}`);
}
