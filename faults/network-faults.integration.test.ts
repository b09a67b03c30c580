import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HistoryWriter } from '../history/writer.ts';
import type { Op } from '../history/op.ts';
import { LocalProcess } from '../runtime/local/local-process.ts';
import { toolPath } from '../runtime/local/tools.ts';
import { clearAllFaults, createFault, listActiveFaults } from './index.ts';
import { Nemesis } from './nemesis.ts';
import { planTimeline, runSchedule } from './schedule.ts';

const link = 'client-to-echo';
let dir: string;
let toxiproxy: LocalProcess;
let toxiproxyUrl: string;
let echo: Server;
let proxyPort: number;
const echoSockets = new Set<Socket>();
const ctx = () => ({ toxiproxyUrl, components: new Map(), links: new Map([[link, { from: 'a', to: 'b' }]]) });

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** An echo server; a chunk containing "close" is echoed and then the server closes the connection. */
function startEcho(): Promise<Server> {
  const server = createServer((socket) => {
    echoSockets.add(socket);
    socket.on('close', () => echoSockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      socket.write(chunk);
      if (chunk.includes('close')) socket.end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** What one connection through the proxy saw: bytes received, data events, how it ended, and when (ms after sending). */
interface Exchange {
  received: Buffer;
  chunks: number;
  ended: 'closed' | 'error' | 'timeout' | 'complete';
  errorCode?: string;
  elapsedMs: number;
}

/**
 * Connects through the proxy, sends `payload`, and waits until `expectBytes`
 * came back, the connection ended, or `timeoutMs` (our own client timeout) passed.
 */
function exchange(payload: Buffer | string, opts: { expectBytes: number; timeoutMs: number }): Promise<Exchange> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let start = 0;
    let socket: Socket | undefined;
    const finish = (ended: Exchange['ended'], errorCode?: string) => {
      clearTimeout(timer);
      socket?.destroy();
      const received = Buffer.concat(chunks);
      resolve({ received, chunks: chunks.length, ended, errorCode, elapsedMs: start ? performance.now() - start : 0 });
    };
    const timer = setTimeout(() => finish('timeout'), opts.timeoutMs);
    socket = connect(proxyPort, '127.0.0.1', () => {
      start = performance.now();
      socket!.write(payload);
    });
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (Buffer.concat(chunks).length >= opts.expectBytes) finish('complete');
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish('error', err.code));
    socket.on('close', () => finish('closed'));
  });
}

const ping = () => exchange('ping', { expectBytes: 4, timeoutMs: 2_000 });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'patternbench-faults-'));
  const port = await freePort();
  toxiproxyUrl = `http://127.0.0.1:${port}`;
  toxiproxy = new LocalProcess({
    name: 'toxiproxy',
    command: toolPath('toxiproxy-server'),
    args: ['-host', '127.0.0.1', '-port', String(port)],
    logFile: join(dir, 'toxiproxy.log'),
    ready: async () => (await fetch(`${toxiproxyUrl}/version`, { signal: AbortSignal.timeout(1_000) })).ok,
    readyTimeoutMs: 10_000,
    stopGraceMs: 2_000,
  });
  await toxiproxy.start();
  echo = await startEcho();
  const proxy = await new Toxiproxy(toxiproxyUrl).createProxy({
    name: link,
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${(echo.address() as AddressInfo).port}`,
  });
  proxyPort = Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1));
});

afterEach(async () => {
  await clearAllFaults(toxiproxyUrl);
});

afterAll(async () => {
  await toxiproxy?.stop();
  for (const socket of echoSockets) socket.destroy();
  await new Promise((resolve) => echo?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('network faults on a real Toxiproxy', () => {
  it('latency adds at least its value to a round trip, and stopping restores it', async () => {
    expect((await ping()).ended).toBe('complete');
    const fault = createFault('latency', link, { latency: 200 }, ctx());
    await fault.start();
    const slow = await ping();
    expect(slow.ended).toBe('complete');
    expect(slow.elapsedMs).toBeGreaterThanOrEqual(195);
    await fault.stop();
    await fault.stop();
    const fast = await ping();
    expect(fast.ended).toBe('complete');
    expect(fast.elapsedMs).toBeLessThan(200);
    expect((await listActiveFaults(toxiproxyUrl))[0].toxics).toEqual([]);
  });

  it('stream "both" adds one toxic per direction and stop removes exactly those', async () => {
    const other = createFault('latency', link, { latency: 1 }, ctx());
    await other.start();
    const both = createFault('latency', link, { latency: 5, stream: 'both', toxicity: 0.5 }, ctx());
    await both.start();
    const toxics = (await listActiveFaults(toxiproxyUrl))[0].toxics;
    expect(toxics.map((t) => `${t.type} ${t.stream} ${t.toxicity} ${JSON.stringify(t.attributes)}`).sort()).toEqual([
      'latency downstream 0.5 {"latency":5,"jitter":0}',
      'latency downstream 1 {"latency":1,"jitter":0}',
      'latency upstream 0.5 {"latency":5,"jitter":0}',
    ]);
    await both.stop();
    expect((await listActiveFaults(toxiproxyUrl))[0].toxics.map((t) => t.attributes)).toEqual([{ latency: 1, jitter: 0 }]);
    await other.stop();
  });

  it('down makes a connection fail at once, and stopping restores the link', async () => {
    const fault = createFault('down', link, {}, ctx());
    await fault.start();
    const refused = await ping();
    expect(refused.ended).toBe('error');
    expect(refused.errorCode).toBe('ECONNREFUSED');
    expect((await listActiveFaults(toxiproxyUrl))[0].enabled).toBe(false);
    await fault.stop();
    expect((await ping()).ended).toBe('complete');
  });

  it('timeout 0 makes a request hang until our own client timeout; stopping restores', async () => {
    const fault = createFault('timeout', link, { timeout: 0 }, ctx());
    await fault.start();
    const hung = await exchange('ping', { expectBytes: 4, timeoutMs: 500 });
    expect(hung.ended).toBe('timeout');
    expect(hung.received.length).toBe(0);
    await fault.stop();
    expect((await ping()).ended).toBe('complete');
  });

  it('bandwidth slows a transfer to its rate', async () => {
    const fault = createFault('bandwidth', link, { rate: 8 }, ctx());
    await fault.start();
    // 4000 bytes at 8 KB/s: Toxiproxy passes 800 bytes each 100 ms, so at least ~400 ms.
    const slow = await exchange(Buffer.alloc(4_000, 1), { expectBytes: 4_000, timeoutMs: 5_000 });
    await fault.stop();
    expect(slow.ended).toBe('complete');
    expect(slow.elapsedMs).toBeGreaterThanOrEqual(350);
  });

  it('limit_data closes the connection after its bytes', async () => {
    const fault = createFault('limit_data', link, { bytes: 10 }, ctx());
    await fault.start();
    const cut = await exchange(Buffer.alloc(100, 1), { expectBytes: 100, timeoutMs: 2_000 });
    await fault.stop();
    expect(['closed', 'error']).toContain(cut.ended);
    expect(cut.received.length).toBeLessThanOrEqual(10);
  });

  it('reset_peer resets the connection instead of answering', async () => {
    const fault = createFault('reset_peer', link, { timeout: 0 }, ctx());
    await fault.start();
    const reset = await exchange('ping', { expectBytes: 4, timeoutMs: 2_000 });
    await fault.stop();
    expect(['closed', 'error']).toContain(reset.ended);
    expect(reset.received.length).toBe(0);
    expect((await ping()).ended).toBe('complete');
  });

  it('slicer delivers the answer in many small pieces', async () => {
    const fault = createFault('slicer', link, { average_size: 1, delay: 5_000 }, ctx());
    await fault.start();
    const sliced = await exchange('0123456789', { expectBytes: 10, timeoutMs: 2_000 });
    await fault.stop();
    expect(sliced.ended).toBe('complete');
    expect(sliced.received.toString()).toBe('0123456789');
    expect(sliced.chunks).toBeGreaterThanOrEqual(5);
  });

  it('slow_close holds the close back for its delay', async () => {
    const fault = createFault('slow_close', link, { delay: 400 }, ctx());
    await fault.start();
    const closing = await exchange('close', { expectBytes: Number.POSITIVE_INFINITY, timeoutMs: 3_000 });
    await fault.stop();
    expect(closing.ended).toBe('closed');
    expect(closing.received.toString()).toBe('close');
    expect(closing.elapsedMs).toBeGreaterThanOrEqual(390);
  });
});

describe('the nemesis on a real Toxiproxy', () => {
  const readOps = (path: string): Op[] =>
    readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Op);

  it('records each start and stop, and stopAll leaves every proxy enabled without toxics', async () => {
    const path = join(dir, 'nemesis-history.jsonl');
    const history = new HistoryWriter(path);
    const t0 = process.hrtime.bigint();
    const nemesis = new Nemesis({ history, clock: () => Number(process.hrtime.bigint() - t0), ctx: ctx() });
    const latency = createFault('latency', link, { latency: 50, jitter: 5 }, ctx());
    const down = createFault('down', link, {}, ctx());
    const slicer = createFault('slicer', link, { average_size: 64 }, ctx());
    await nemesis.start(latency);
    await nemesis.start(down);
    await nemesis.start(slicer);
    await nemesis.stop(latency);
    expect(nemesis.active).toEqual([down, slicer]);
    await nemesis.stopAll();
    expect(nemesis.active).toEqual([]);
    history.close();

    expect(await listActiveFaults(toxiproxyUrl)).toEqual([expect.objectContaining({ link, enabled: true, toxics: [] })]);
    const ops = readOps(path);
    expect(ops.map((o) => o.f)).toEqual(['start-latency', 'start-down', 'start-slicer', 'stop-latency', 'stop-slicer', 'stop-down']);
    expect(ops.every((o) => o.process === 'nemesis' && o.type === 'info')).toBe(true);
    expect(ops[0].value).toEqual({ on: link, latency: 50, jitter: 5, stream: 'downstream', toxicity: 1 });
    expect(ops[1].value).toEqual({ on: link });
    const times = ops.map((o) => o.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('runSchedule plays a timeline and leaves nothing active when aborted midway', async () => {
    const path = join(dir, 'schedule-history.jsonl');
    const history = new HistoryWriter(path);
    const t0 = process.hrtime.bigint();
    const nemesis = new Nemesis({ history, clock: () => Number(process.hrtime.bigint() - t0), ctx: ctx() });
    const plan = planTimeline([
      { fault: 'latency', on: link, at: 0, for: '150ms', latency: 20 },
      { fault: 'down', on: link, at: '200ms', for: '1m' },
      { fault: 'timeout', on: link, at: '1m', for: '1s', timeout: 0 },
    ]);
    const abort = new AbortController();
    const run = runSchedule(plan, nemesis, { signal: abort.signal });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(nemesis.active.map((f) => f.kind)).toEqual(['down']);
    abort.abort();
    await run;
    history.close();
    expect(nemesis.active).toEqual([]);
    expect(await listActiveFaults(toxiproxyUrl)).toEqual([expect.objectContaining({ enabled: true, toxics: [] })]);
    const ops = readOps(path);
    expect(ops.map((o) => o.f)).toEqual(['start-latency', 'stop-latency', 'start-down', 'stop-down']);
    expect(ops[1].time).toBeGreaterThanOrEqual(150e6);
  });

  it('stopAll reverts every fault it can before reporting the ones it could not', async () => {
    const api = new Toxiproxy(toxiproxyUrl);
    const doomed = await api.createProxy({ name: 'doomed', listen: '127.0.0.1:0', upstream: `127.0.0.1:${(echo.address() as AddressInfo).port}` });
    const links = new Map([
      [link, { from: 'a', to: 'b' }],
      ['doomed', { from: 'a', to: 'b' }],
    ]);
    const ops: unknown[] = [];
    const nemesis = new Nemesis({ history: { append: (op) => ops.push(op.f) }, clock: () => 0, ctx: { ...ctx(), links } });
    const first = createFault('latency', link, { latency: 10 }, nemesis.ctx);
    await nemesis.start(first);
    await nemesis.start(createFault('down', 'doomed', {}, nemesis.ctx));
    await nemesis.start(createFault('bandwidth', link, { rate: 100 }, nemesis.ctx));
    await doomed.remove();
    const failure = await nemesis.stopAll().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors).toHaveLength(1);
    expect((failure as Error).message).toMatch(/^could not revert 1 fault\(s\): down on doomed: /);
    expect(ops).toEqual(['start-latency', 'start-down', 'start-bandwidth', 'stop-bandwidth', 'stop-latency']);
    expect(nemesis.active.map((f) => f.on)).toEqual(['doomed']);
    expect(await listActiveFaults(toxiproxyUrl)).toEqual([expect.objectContaining({ link, enabled: true, toxics: [] })]);
  });

  it('runSchedule ends early when a fault cannot start, reverting what it had started', async () => {
    const ops: string[] = [];
    const nemesis = new Nemesis({
      history: { append: (op) => ops.push(op.f) },
      clock: () => 0,
      ctx: {
        ...ctx(),
        links: new Map([
          [link, { from: 'a', to: 'b' }],
          ['ghost', { from: 'a', to: 'b' }],
        ]),
      },
    });
    const plan = planTimeline([
      { fault: 'latency', on: link, at: 0, for: '1m', latency: 10 },
      { fault: 'latency', on: 'ghost', at: '100ms', for: '1s', latency: 10 },
    ]);
    await expect(runSchedule(plan, nemesis, { signal: new AbortController().signal })).rejects.toThrow(
      /^starting latency on ghost: toxiproxy at .* has no usable link "ghost": Request failed with status code 404/,
    );
    expect(ops).toEqual(['start-latency', 'stop-latency']);
    expect(await listActiveFaults(toxiproxyUrl)).toEqual([expect.objectContaining({ link, toxics: [] })]);
  });

  it('clearAllFaults removes toxics and re-enables proxies added by anyone; a later stop of ours is harmless', async () => {
    const fault = createFault('latency', link, { latency: 10 }, ctx());
    await fault.start();
    await createFault('down', link, {}, ctx()).start();
    await clearAllFaults(toxiproxyUrl);
    expect(await listActiveFaults(toxiproxyUrl)).toEqual([expect.objectContaining({ enabled: true, toxics: [] })]);
    await fault.stop();
  });
});
