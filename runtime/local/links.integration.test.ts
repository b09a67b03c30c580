import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Link } from '../environment.ts';
import { createLink, resetLinks } from './links.ts';
import { startRedis, type RedisServer } from './redis.ts';
import { startToxiproxyServer, type ToxiproxyServer } from './toxiproxy-server.ts';

const runDir = mkdtempSync(join(tmpdir(), 'patternbench-test-links-'));

/** Milliseconds one PING takes on a fresh connection through `link` (connection set-up excluded). */
async function pingMs(link: Link): Promise<number> {
  const client = createClient({ socket: { ...link.listen, connectTimeout: 2_000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const start = performance.now();
    await client.ping();
    return performance.now() - start;
  } finally {
    client.destroy();
  }
}

describe('links', () => {
  let toxiproxy: ToxiproxyServer;
  let redis: RedisServer;
  let link: Link;

  beforeAll(async () => {
    toxiproxy = await startToxiproxyServer({ runDir });
    redis = await startRedis({ name: 'redis', runDir });
    link = await createLink(toxiproxy.apiUrl, { name: 'target-to-redis', from: 'target', to: 'redis', upstream: redis });
  });

  afterAll(async () => {
    await redis?.stop();
    await toxiproxy?.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('reads back the port toxiproxy chose and records the real upstream', () => {
    expect(link.listen.port).toBeGreaterThan(0);
    expect(link.listen.port).not.toBe(redis.port);
    expect(link.upstream).toEqual({ host: '127.0.0.1', port: redis.port });
  });

  it('a latency toxic slows a PING to at least its latency; removing it restores it', async () => {
    const proxy = await new Toxiproxy(toxiproxy.apiUrl).get(link.name);
    const toxic = await proxy.addToxic({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 0 } });
    const slow = await pingMs(link);
    expect(slow).toBeGreaterThanOrEqual(100);
    await toxic.remove();
    expect(await pingMs(link)).toBeLessThan(slow);
  });

  it('a disabled link refuses connections; resetLinks re-enables it and removes toxics', async () => {
    const proxy = await new Toxiproxy(toxiproxy.apiUrl).get(link.name);
    await proxy.addToxic({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 0 } });
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await expect(pingMs(link)).rejects.toThrow();
    await resetLinks(toxiproxy.apiUrl);
    const after = (await (await fetch(`${toxiproxy.apiUrl}/proxies/${link.name}`)).json()) as { enabled: boolean; toxics: unknown[] };
    expect(after.enabled).toBe(true);
    expect(after.toxics).toEqual([]);
    expect(await pingMs(link)).toBeLessThan(100);
  });
});
