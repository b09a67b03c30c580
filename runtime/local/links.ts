import { Toxiproxy } from 'toxiproxy-node-client';
import type { Endpoint } from '../endpoint.ts';
import type { Link } from '../environment.ts';

/** What a link joins: who dials, whom, and the real address behind it. */
export interface LinkSpec {
  name: string;
  from: string;
  to: string;
  upstream: Endpoint;
  /** Where the proxy listens; default a port Toxiproxy picks on 127.0.0.1. */
  listen?: Endpoint;
}

/**
 * Creates the named Toxiproxy proxy in front of `spec.upstream` and returns
 * it as a `Link` with the port read back. Throws on an API error (a name or
 * an address already taken, say).
 */
export async function createLink(apiUrl: string, spec: LinkSpec): Promise<Link> {
  const { name, from, to, upstream } = spec;
  const listenHost = spec.listen?.host ?? '127.0.0.1';
  const proxy = await new Toxiproxy(apiUrl).createProxy({
    name,
    listen: `${listenHost}:${spec.listen?.port ?? 0}`,
    upstream: `${upstream.host}:${upstream.port}`,
  });
  const port = Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1));
  if (!Number.isInteger(port) || port <= 0) throw new Error(`toxiproxy gave link ${name} an unreadable listen address: ${proxy.listen}`);
  return { name, from, to, listen: { host: listenHost, port }, upstream: { host: upstream.host, port: upstream.port } };
}

/** Removes every toxic and re-enables every proxy (Toxiproxy's `POST /reset`); throws if the API does not answer. */
export async function resetLinks(apiUrl: string): Promise<void> {
  await new Toxiproxy(apiUrl).reset();
}
