import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/** A fault as `POST /faults` takes it. */
export const faultRequest = z
  .object({
    target: z.string().min(1).optional(),
    kind: z.string().min(1),
    on: z.string().min(1),
    attributes: z.record(z.string(), z.unknown()).default({}),
    /** Revert after this many milliseconds; absent: until cleared. */
    forMs: z.number().int().positive().optional(),
  })
  .strict();

export type FaultRequest = z.infer<typeof faultRequest>;

/** What the control API acts on; `up` implements it over its running environments. */
export interface ControlHandlers {
  status(): unknown;
  listFaults(): Promise<unknown>;
  startFault(req: FaultRequest): Promise<unknown>;
  clearFaults(): Promise<unknown>;
  down(): void;
}

/** A request the handlers reject as bad input (400), as opposed to a failure (500). */
export class BadRequest extends Error {}

/** The largest request body accepted: a fault is a few hundred bytes. */
export const maxBodyBytes = 64 * 1024;

/** A request refused before it reaches a handler, with its status. */
class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The loopback HTTP API of a running `patternbench up`, through which `fault`
 * and `down` act from another terminal (as toxiproxy-cli speaks to
 * toxiproxy-server). It only translates: JSON in, handler call, JSON out.
 *
 * It can kill components, so it answers only its owner (as Docker's and
 * Jupyter's local APIs do): every request must carry `Authorization: Bearer
 * <token>`, the token `up` writes into its state folder readable by its user
 * only (401 otherwise). A web page in the user's browser can reach a
 * loopback port but can neither read that file nor send a request a browser
 * marks as its own: any request with an `Origin` is refused (403), as is one
 * whose `Host` is not this server's address and port (403: a page on a
 * rebinding DNS name), one whose body is not JSON (415), and a body over
 * 64 KiB (413).
 */
export async function startControlServer(handlers: ControlHandlers, opts: { token: string }): Promise<{ url: string; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => void route(handlers, req, res, { host, token: opts.token }));
  return { url: `http://${host}`, server };
}

async function route(h: ControlHandlers, req: IncomingMessage, res: ServerResponse, expected: { host: string; token: string }): Promise<void> {
  try {
    admit(req, expected);
    const key = `${req.method} ${req.url}`;
    if (key === 'GET /status') return send(res, 200, h.status());
    if (key === 'GET /faults') return send(res, 200, await h.listFaults());
    if (key === 'POST /faults') return send(res, 201, await h.startFault(parseFault(await readJson(req))));
    if (key === 'DELETE /faults') return send(res, 200, await h.clearFaults());
    if (key === 'POST /down') {
      send(res, 202, { stopping: true });
      return h.down();
    }
    send(res, 404, { error: `no route ${key}` });
  } catch (err) {
    const status = err instanceof Refused ? err.status : err instanceof BadRequest ? 400 : 500;
    // The rest of an oversized body is not read: the connection closes once the answer is out.
    if (status === 413) res.setHeader('connection', 'close');
    send(res, status, { error: (err as Error).message });
  }
}

/** Throws `Refused` unless the request comes from the token's holder, with no browser's marks on it. */
function admit(req: IncomingMessage, expected: { host: string; token: string }): void {
  if (req.headers.origin !== undefined) throw new Refused(403, 'cross-origin requests are refused');
  if (req.headers.host !== expected.host) throw new Refused(403, `Host must be ${expected.host}`);
  const given = Buffer.from(/^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
  const token = Buffer.from(expected.token);
  if (given.length !== token.length || !timingSafeEqual(given, token))
    throw new Refused(401, "missing or wrong token: the API answers only to the user who ran `up` (see the state folder's token file)");
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > maxBodyBytes) throw new Refused(413, `request body over ${maxBodyBytes} bytes`);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new Refused(415, 'request body must be application/json');
  // Events, not for-await: leaving a for-await early destroys the socket before the answer is out.
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) return void chunks.push(chunk);
      req.off('data', onData).pause();
      reject(new Refused(413, `request body over ${maxBodyBytes} bytes`));
    };
    req
      .on('data', onData)
      .once('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      .once('error', reject);
  });
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest('request body is not JSON');
  }
}

function parseFault(body: unknown): FaultRequest {
  const result = faultRequest.safeParse(body);
  if (result.success) return result.data;
  throw new BadRequest(result.error.issues.map((issue) => `${issue.path.length ? `"${issue.path.join('.')}"` : 'the body'}: ${issue.message}`).join('; '));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
