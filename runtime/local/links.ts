import { Toxiproxy } from 'toxiproxy-node-client';
import type { Endpoint, Link } from '../environment.ts';

/**
 * Creates the named Toxiproxy proxy `name` in front of `upstream`, listening
 * on a port Toxiproxy picks on 127.0.0.1, and returns it as a `Link` with the
 * port read back. Throws on an API error (a name already taken, say).
 */
export async function createLink(apiUrl: string, name: string, upstream: Endpoint): Promise<Link> {
  const proxy = await new Toxiproxy(apiUrl).createProxy({ name, listen: '127.0.0.1:0', upstream: `${upstream.host}:${upstream.port}` });
  const port = Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1));
  if (!Number.isInteger(port) || port <= 0) throw new Error(`toxiproxy gave link ${name} an unreadable listen address: ${proxy.listen}`);
  return { name, listen: { host: '127.0.0.1', port }, upstream: { host: upstream.host, port: upstream.port } };
}

/** Removes every toxic and re-enables every proxy (Toxiproxy's `POST /reset`); throws if the API does not answer. */
export async function resetLinks(apiUrl: string): Promise<void> {
  await new Toxiproxy(apiUrl).reset();
}
