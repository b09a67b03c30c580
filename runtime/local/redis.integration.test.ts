import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLink } from './links.ts';
import { startRedis, type RedisServer } from './redis.ts';
import { startToxiproxyServer, type ToxiproxyServer } from './toxiproxy-server.ts';

const runDir = mkdtempSync(join(tmpdir(), 'patternbench-test-redis-'));

/** A client that fails fast instead of reconnecting, so a dead or frozen server shows as an error. */
async function connect(port: number) {
  const client = createClient({ socket: { host: '127.0.0.1', port, connectTimeout: 1_000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

function within<T>(ms: number, p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms))]);
}

describe('redis', () => {
  let toxiproxy: ToxiproxyServer;
  let primary: RedisServer;
  let replica: RedisServer;

  beforeAll(async () => {
    toxiproxy = await startToxiproxyServer({ runDir });
    primary = await startRedis({ name: 'redis', runDir, maxmemoryBytes: 64 * 1024 * 1024, maxmemoryPolicy: 'allkeys-lru' });
    const link = await createLink(toxiproxy.apiUrl, { name: 'redis-replica-1-to-redis', from: 'redis-replica-1', to: 'redis', upstream: primary });
    replica = await startRedis({ name: 'redis-replica-1', runDir, replicaOf: link.listen });
  });

  afterAll(async () => {
    await replica?.stop();
    await primary?.stop();
    await toxiproxy?.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('replicates a SET on the primary to the replica, through the link', async () => {
    const p = await connect(primary.port);
    const r = await connect(replica.port);
    await p.set('k', 'v1');
    let seen: string | null = null;
    for (let i = 0; i < 50 && seen !== 'v1'; i++) {
      seen = await r.get('k');
      if (seen !== 'v1') await new Promise((res) => setTimeout(res, 50));
    }
    expect(seen).toBe('v1');
    expect(await r.sendCommand(['INFO', 'replication'])).toContain('role:slave');
    p.destroy();
    r.destroy();
  });

  it('applies maxmemory and its policy', async () => {
    const p = await connect(primary.port);
    expect(await p.configGet('maxmemory')).toEqual({ maxmemory: String(64 * 1024 * 1024) });
    expect(await p.configGet('maxmemory-policy')).toEqual({ 'maxmemory-policy': 'allkeys-lru' });
    p.destroy();
  });

  it('pause freezes the server (PING times out) and resume thaws it', async () => {
    const p = await connect(primary.port);
    await primary.pause();
    const pending = p.ping();
    await expect(within(500, pending)).rejects.toThrow(/timed out/);
    await primary.resume();
    expect(await within(5_000, pending)).toBe('PONG');
    p.destroy();
  });

  it('kill -9 takes the primary down and restart brings it back on the same port', async () => {
    const before = primary.pid;
    await primary.kill();
    expect(primary.pid).toBeUndefined();
    expect(() => process.kill(before!, 0)).toThrow(/ESRCH/);
    await expect(connect(primary.port)).rejects.toThrow();
    await primary.restart();
    expect(primary.pid).not.toBe(before);
    const p = await connect(primary.port);
    expect(await p.ping()).toBe('PONG');
    p.destroy();
  });
});
