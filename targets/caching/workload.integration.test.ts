import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../runtime/environment.ts';
import { freePort } from '../../runtime/local/free-port.ts';
import { startLocalEnvironment } from '../../runtime/local/start-local-environment.ts';
import { repoRoot, toolPath } from '../../runtime/local/tools.ts';
import { caching } from './index.ts';

const run = promisify(execFile);

interface Line {
  process: number;
  type: 'invoke' | 'ok' | 'fail' | 'info';
  f: string;
  key: string;
  value: unknown;
  wallMs: number;
  cache?: string;
  loaded?: boolean;
  version?: number;
  status?: number;
}

/** Runs the caching workload against `targetUrl` and returns its history lines, parsed. */
async function runWorkload(runDir: string, name: string, settings: Record<string, string>): Promise<Line[]> {
  const consoleFile = join(runDir, `${name}.console`);
  await run(toolPath('k6'), ['run', '--quiet', '--address', '', `--console-output=${consoleFile}`, '--log-format=raw', 'targets/caching/workload.k6.ts'], {
    cwd: repoRoot,
    timeout: 60_000,
    env: { ...process.env, K6_NO_USAGE_REPORT: 'true', K6_AUTO_EXTENSION_RESOLUTION: 'false', ...settings },
  });
  return readFileSync(consoleFile, 'utf8')
    .trim()
    .split('\n')
    .map((text) => JSON.parse(text) as Line);
}

describe('caching workload against cache-aside', () => {
  let runDir: string;
  let env: Environment;
  let targetUrl: string;
  let lines: Line[];

  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), 'patternbench-caching-workload-'));
    const pattern = caching.patterns['cache-aside'];
    env = await startLocalEnvironment(pattern.topology(pattern.options.parse({})), { runDir });
    targetUrl = env.services.get('target')![0];
    lines = await runWorkload(runDir, 'healthy', {
      TARGET_URLS: targetUrl,
      RATE: '50',
      DURATION: '3s',
      PRE_VUS: '10',
      MAX_VUS: '20',
      // A small key space, so that within 3 s most keys are read twice and hits show; YCSB's A, half updates.
      KEYS: '20',
      MIX: 'a',
      TIMEOUT: '2s',
    });
  });

  afterAll(async () => {
    await env?.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('records every operation as an invoke followed by one completion of the same f and key on its process', () => {
    // 50/s for 3 s (k6 may start one or two fewer at the edges), then the final read of each of the 20 keys.
    expect(lines.filter((l) => l.type === 'invoke').length).toBeGreaterThanOrEqual(140 + 20);
    const open = new Map<number, Line>();
    const ended = new Set<number>();
    for (const line of lines) {
      expect(Number.isInteger(line.process)).toBe(true);
      expect(['read', 'write']).toContain(line.f);
      expect(line.key).toMatch(/^k\d+$/);
      expect(typeof line.wallMs).toBe('number');
      expect(ended.has(line.process), `process ${line.process} acts after its info`).toBe(false);
      const invocation = open.get(line.process);
      if (line.type === 'invoke') {
        expect(invocation, `process ${line.process} invokes with an operation open`).toBeUndefined();
        open.set(line.process, line);
        continue;
      }
      expect(invocation, `process ${line.process} completes without an invocation`).toBeDefined();
      expect({ f: line.f, key: line.key }).toEqual({ f: invocation!.f, key: invocation!.key });
      open.delete(line.process);
      if (line.type === 'info') ended.add(line.process);
    }
    expect([...open.keys()]).toEqual([]);
  });

  it('gives writes unique tags, echoed with their new version in their completions', () => {
    const writes = lines.filter((l) => l.f === 'write' && l.type === 'invoke').map((l) => l.value);
    expect(writes.length).toBeGreaterThan(40); // YCSB A: half the ~150 operations
    expect(new Set(writes).size).toBe(writes.length);
    for (const line of lines.filter((l) => l.f === 'write' && l.type === 'ok')) expect(line.version).toBeGreaterThanOrEqual(2);
  });

  it('logs reads with no value on invoke and the tag and version read on ok, hits and loads among them', () => {
    for (const line of lines.filter((l) => l.f === 'read' && l.type === 'invoke')) expect(line.value).toBeNull();
    const reads = lines.filter((l) => l.f === 'read' && l.type === 'ok');
    expect(reads.every((l) => typeof l.value === 'string' && l.status === 200 && Number.isInteger(l.version))).toBe(true);
    // A seeded value or a write's tag, never the 1 KB value itself.
    expect(reads.every((l) => /^(seed-k\d+|\d+-\d+)$/.test(String(l.value)))).toBe(true);
    expect(reads.some((l) => l.cache === 'hit' && l.loaded === false)).toBe(true);
    expect(reads.some((l) => l.cache === 'miss' && l.loaded === true)).toBe(true);
  });

  it('ends by reading every key once, after the load, on the teardown process', () => {
    const finals = lines.filter((l) => l.process === 0 && l.type === 'invoke');
    expect(finals.map((l) => l.key)).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`));
    const firstFinal = lines.findIndex((l) => l.process === 0);
    expect(lines.slice(firstFinal).every((l) => l.process === 0)).toBe(true);
  });

  it('records unanswered requests as info, and goes on under a new process id each time', async () => {
    // Both backends blackholed: the service can answer nothing within the client's 1 s.
    const proxies = new Toxiproxy(env.toxiproxyUrl);
    const toxics = await Promise.all(
      ['target-to-redis', 'target-to-postgres'].map(async (name) =>
        (await proxies.get(name)).addToxic({ name: 'blackhole', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } }),
      ),
    );
    let blackholed: Line[];
    try {
      blackholed = await runWorkload(runDir, 'blackholed', {
        TARGET_URLS: targetUrl,
        RATE: '5',
        DURATION: '3s',
        PRE_VUS: '2',
        MAX_VUS: '2',
        TIMEOUT: '1s',
        FINAL_READS: 'false',
      });
    } finally {
      for (const toxic of toxics) await toxic.remove();
    }
    // Two VUs, each blocked 1 s per request: every VU carries several ops in
    // turn, so a VU must go on under a new process id after its first info.
    const completions = blackholed.filter((l) => l.type !== 'invoke');
    expect(completions.length).toBeGreaterThanOrEqual(4);
    expect(completions.filter((l) => l.type !== 'info')).toEqual([]);
    // No process id is ever reused: each one carries exactly one operation.
    const processes = completions.map((l) => l.process);
    expect(new Set(processes).size).toBe(processes.length);
    expect(processes.some((p) => p > 100000)).toBe(true);
  });
});

describe('caching workload against nothing', () => {
  it('records refused connections as fail, keeping its process ids', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'patternbench-caching-refused-'));
    try {
      const lines = await runWorkload(runDir, 'refused', {
        TARGET_URLS: `http://127.0.0.1:${await freePort()}`,
        RATE: '10',
        DURATION: '1s',
        PRE_VUS: '2',
        MAX_VUS: '2',
        FINAL_READS: 'false',
      });
      const completions = lines.filter((l) => l.type !== 'invoke');
      expect(completions.length).toBeGreaterThanOrEqual(8);
      expect(completions.every((l) => l.type === 'fail')).toBe(true);
      expect(completions.every((l) => l.process < 100000)).toBe(true);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });
});
