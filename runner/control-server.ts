import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the control API acts on; `up` implements it over its running environments. */
export interface ControlHandlers {
  status(): unknown;
  listFaults(): Promise<unknown>;
  startFault(req: { target?: string; kind: string; on: string; attributes: Record<string, unknown>; forMs?: number }): Promise<unknown>;
  clearFaults(): Promise<unknown>;
  down(): void;
}

/** A request the handlers reject as bad input (400), as opposed to a failure (500). */
export class BadRequest extends Error {}

/**
 * The loopback HTTP API of a running `patternbench up`, through which `fault`
 * and `down` act from another terminal (as toxiproxy-cli speaks to
 * toxiproxy-server). It only translates: JSON in, handler call, JSON out.
 */
export async function startControlServer(handlers: ControlHandlers): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => void route(handlers, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

async function route(h: ControlHandlers, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const key = `${req.method} ${req.url}`;
    if (key === 'GET /status') return send(res, 200, h.status());
    if (key === 'GET /faults') return send(res, 200, await h.listFaults());
    if (key === 'POST /faults') return send(res, 201, await h.startFault(await readJson(req)));
    if (key === 'DELETE /faults') return send(res, 200, await h.clearFaults());
    if (key === 'POST /down') {
      send(res, 202, { stopping: true });
      return h.down();
    }
    send(res, 404, { error: `no route ${key}` });
  } catch (err) {
    send(res, err instanceof BadRequest ? 400 : 500, { error: (err as Error).message });
  }
}

async function readJson(req: IncomingMessage): Promise<never> {
  let body = '';
  for await (const chunk of req) body += chunk;
  try {
    return JSON.parse(body) as never;
  } catch {
    throw new BadRequest('request body is not JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
