import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpInput } from '../history/op.ts';
import type { Component, Killable, Pausable } from '../runtime/component.ts';
import { LocalProcess } from '../runtime/local/local-process.ts';
import { createFault } from './index.ts';
import { Nemesis } from './nemesis.ts';

let dir: string;
let port: number;
let redis: LocalProcess;
let component: Component & Killable & Pausable;
const ctx = () => ({ toxiproxyUrl: 'http://127.0.0.1:1', components: new Map<string, Component>([['redis', component]]), links: new Map() });

/** PING over a raw socket: 'PONG', or how it failed within our own `timeoutMs`. */
function ping(timeoutMs = 1_000): Promise<'PONG' | 'refused' | 'timeout' | 'other'> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    const finish = (result: 'PONG' | 'refused' | 'timeout' | 'other') => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (d) => finish(d.toString().startsWith('+PONG') ? 'PONG' : 'other'));
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNREFUSED' ? 'refused' : 'other'));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'patternbench-process-faults-'));
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  redis = new LocalProcess({
    name: 'redis',
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    logFile: join(dir, 'redis.log'),
    ready: async () => (await ping(500)) === 'PONG',
    readyTimeoutMs: 10_000,
    stopGraceMs: 2_000,
  });
  await redis.start();
  component = {
    name: 'redis',
    kind: 'redis',
    host: '127.0.0.1',
    port,
    stop: () => redis.stop(),
    kill: () => redis.kill(),
    restart: () => redis.restart(),
    pause: () => redis.pause(),
    resume: () => redis.resume(),
    [Symbol.asyncDispose]: () => redis.stop(),
  };
});

afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('process faults on a real redis-server', () => {
  it('kill stops it dead and stop brings it back', async () => {
    const fault = createFault('kill', 'redis', {}, ctx());
    await fault.start();
    expect(redis.running).toBe(false);
    expect(await ping()).toBe('refused');
    await fault.stop();
    await fault.stop();
    expect(await ping()).toBe('PONG');
  });

  it('pause freezes it (connections hang) and stop thaws it', async () => {
    const fault = createFault('pause', 'redis', {}, ctx());
    await fault.start();
    expect(await ping(500)).toBe('timeout');
    await fault.stop();
    expect(await ping()).toBe('PONG');
  });

  it('restart starts a fresh process on the same port', async () => {
    const before = redis.pid;
    const fault = createFault('restart', 'redis', {}, ctx());
    await fault.start();
    expect(redis.pid).not.toBe(before);
    expect(await ping()).toBe('PONG');
    await fault.stop();
  });

  it('the nemesis records process faults and stopAll revives what it killed and paused', async () => {
    const ops: OpInput[] = [];
    let now = 0;
    const nemesis = new Nemesis({ history: { append: (op) => ops.push(op) }, clock: () => ++now, ctx: ctx() });
    await nemesis.start(createFault('pause', 'redis', {}, nemesis.ctx));
    await nemesis.start(createFault('kill', 'redis', {}, nemesis.ctx));
    await nemesis.stopAll();
    expect(await ping()).toBe('PONG');
    expect(ops.map((o) => `${o.f} ${JSON.stringify(o.value)}`)).toEqual([
      'start-pause {"on":"redis"}',
      'start-kill {"on":"redis"}',
      'stop-kill {"on":"redis"}',
      'stop-pause {"on":"redis"}',
    ]);
  });
});
