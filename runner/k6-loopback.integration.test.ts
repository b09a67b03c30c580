import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../runtime/local/tools.ts';
import { k6Invocation } from './k6.ts';

/**
 * k6 itself keeps a workload on loopback. Every run here is inside a network
 * namespace of its own whose only interface is loopback, so nothing can
 * leave the machine whatever k6 does; what is asserted is k6's own error.
 */
const namespace = `pb-k6-${process.pid}`;
const dirs: string[] = [];

beforeAll(() => {
  execFileSync('ip', ['netns', 'add', namespace]);
  execFileSync('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
});
afterAll(() => {
  execFileSync('ip', ['netns', 'del', namespace]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs `script` as the runner would, inside the namespace; resolves with k6's exit code, its console lines and its log. */
async function k6InNamespace(script: string, env: Record<string, string>, allowRemote: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'pb-k6-loopback-'));
  dirs.push(dir);
  const { command, args, env: k6Env } = await k6Invocation({ script, env, dir, allowRemote });
  const child = spawn('ip', ['netns', 'exec', namespace, command, ...args], { cwd: repoRoot, env: k6Env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const [code] = await once(child, 'exit');
  const consoleLog = join(dir, 'k6-console.log');
  const lines = existsSync(consoleLog) ? readFileSync(consoleLog, 'utf8').trim().split('\n').filter(Boolean) : [];
  return { code: code as number, log, answers: lines.map((l) => JSON.parse(l) as { url: string; error: string; errorCode: number }) };
}

describe('k6 enforces the loopback rule on what a script sends (inside a loopback-only network namespace)', () => {
  const urls = [
    'http://10.0.0.1/',
    'http://[::ffff:10.0.0.1]/',
    'http://[2001:db8::1]/',
    'http://example.com/',
    'http://evil.localhost/',
    'http://example.test/',
    'http://127.0.0.1:1/',
  ];

  it('blocks every non-loopback address and every name, even when the script asks k6 to lift the rule', async () => {
    const { code, answers, log } = await k6InNamespace('runner/fixtures/escape.k6.js', { URLS: urls.join(',') });
    expect(code, log).toBe(0);
    // k6's own error codes: 1110 "ip is blacklisted", 1111 "hostname is blocked" (lib/netext/httpext/error_codes.go).
    const seen = Object.fromEntries(answers.map((a) => [a.url, `${a.errorCode} ${a.error}`]));
    expect(seen).toEqual({
      'http://10.0.0.1/': '1110 ip is blacklisted',
      'http://[::ffff:10.0.0.1]/': '1110 ip is blacklisted',
      'http://[2001:db8::1]/': '1110 ip is blacklisted',
      'http://example.com/': '1111 hostname is blocked',
      'http://evil.localhost/': '1111 hostname is blocked',
      'http://example.test/': '1111 hostname is blocked', // the script's own `hosts` entry does not help
      // Loopback is dialled: nothing listens on port 1, so the connection is refused, not blocked.
      'http://127.0.0.1:1/': '1212 dial: connection refused',
    });
  }, 60_000);

  it('lets through a host named with --allow-remote, and only that one', async () => {
    const { answers } = await k6InNamespace('runner/fixtures/escape.k6.js', { URLS: 'http://10.0.0.1/,http://10.0.0.2/' }, ['10.0.0.1']);
    expect(answers.map((a) => `${a.errorCode} ${a.error}`)).toEqual([
      expect.stringMatching(/^12\d\d .*unreachable/), // it dialled: the namespace has no route out
      '1110 ip is blacklisted',
    ]);
  }, 60_000);

  it('fetches no remote module: the import goes to a proxy that refuses', async () => {
    const { code, log } = await k6InNamespace('runner/fixtures/remote-import.k6.js', {});
    expect(code).not.toBe(0);
    expect(log).toMatch(/https:\/\/10\.0\.0\.1\/module\.js/);
    expect(log).toMatch(/proxyconnect tcp: dial tcp 127\.0\.0\.1:0/);
  }, 60_000);

  it('refuses a script that is not a file inside the repository', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-k6-loopback-'));
    dirs.push(dir);
    for (const script of ['https://10.0.0.1/x.js', '../outside.js', '/etc/passwd', 'runner/fixtures/nope.k6.js'])
      await expect(k6Invocation({ script, env: {}, dir })).rejects.toThrow(/expected a file inside/);
  });
});
