import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultRequest, maxBodyBytes, startControlServer } from './control-server.ts';

const token = 'a'.repeat(64);
const started: FaultRequest[] = [];
let url: URL;
let close: () => void;

beforeAll(async () => {
  const { url: u, server } = await startControlServer(
    {
      status: () => ({ up: true }),
      listFaults: async () => [],
      startFault: async (req) => {
        started.push(req);
        return { started: req };
      },
      clearFaults: async () => ({ cleared: [] }),
      down: () => undefined,
    },
    { token },
  );
  url = new URL(u);
  close = () => server.close();
});
afterAll(() => close());

/** One raw HTTP request (node:http, so that Host and Origin can be anything), resolving with the status and the parsed body. */
function call(
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; body: { error?: string } }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: opts.headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : {} }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
const auth = { authorization: `Bearer ${token}` };
const json = { ...auth, 'content-type': 'application/json' };

describe('the control API of `up` answers only its owner', () => {
  it('answers a request with the token', async () => {
    expect(await call('GET', '/status', { headers: auth })).toEqual({ status: 200, body: { up: true } });
  });

  it('refuses a request without the token or with a wrong one', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: `Bearer ${'b'.repeat(64)}` },
      { authorization: 'Bearer short' },
      { authorization: token },
    ]) {
      const res = await call('POST', '/down', { headers });
      expect(res.status).toBe(401);
      expect(res.body.error).toMatch(/missing or wrong token/);
    }
  });

  it("refuses a cross-origin request, even with the token (a page in the user's browser)", async () => {
    const res = await call('POST', '/faults', {
      headers: { ...json, origin: 'https://evil.example' },
      body: JSON.stringify({ kind: 'kill', on: 'redis' }),
    });
    expect(res).toEqual({ status: 403, body: { error: 'cross-origin requests are refused' } });
    expect((await call('GET', '/status', { headers: { ...auth, origin: 'null' } })).status).toBe(403);
  });

  it('refuses a Host other than its own address and port (a rebinding DNS name)', async () => {
    for (const host of ['evil.example', `localhost:${url.port}`, '127.0.0.1']) {
      const res = await call('GET', '/status', { headers: { ...auth, host } });
      expect(res.status, host).toBe(403);
      expect(res.body.error).toBe(`Host must be ${url.host}`);
    }
  });

  it('refuses a body that is not JSON by its type: text/plain is what a page may send without asking', async () => {
    const res = await call('POST', '/faults', { headers: { ...auth, 'content-type': 'text/plain' }, body: '{"kind":"kill","on":"redis"}' });
    expect(res.status).toBe(415);
  });

  it('refuses an oversized body, announced or streamed', async () => {
    const big = Buffer.alloc(maxBodyBytes + 1, 'x');
    expect((await call('POST', '/faults', { headers: json, body: big })).status).toBe(413);
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, method: 'POST', path: '/faults', headers: { ...json, 'transfer-encoding': 'chunked' } },
        (res) => resolve(res.statusCode!),
      );
      req.on('error', reject);
      for (let i = 0; i < 100; i++) req.write(Buffer.alloc(8 * 1024, ' '));
      req.end();
    });
    expect(streamed).toBe(413);
  });

  it('says 400 for a body that is not a fault: null, a bad forMs', async () => {
    const post = (body: unknown) => call('POST', '/faults', { headers: json, body: JSON.stringify(body) });
    const nullBody = await post(null);
    expect(nullBody.status).toBe(400);
    expect(nullBody.body.error).toMatch(/the body: .*expected object/);
    for (const forMs of ['abc', -1, 0, 1.5]) {
      const res = await post({ kind: 'latency', on: 'target-to-redis', forMs });
      expect(res.status, String(forMs)).toBe(400);
      expect(res.body.error).toMatch(/"forMs": /);
    }
    expect((await call('POST', '/faults', { headers: json, body: '{nope' })).status).toBe(400);
    expect(started).toEqual([]);
    expect((await post({ kind: 'latency', on: 'target-to-redis', forMs: 500, attributes: { latency: 10 } })).status).toBe(201);
    expect(started).toEqual([{ kind: 'latency', on: 'target-to-redis', forMs: 500, attributes: { latency: 10 } }]);
  });
});
