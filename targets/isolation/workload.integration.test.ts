import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkListAppend } from '../../checkers/list-append/index.ts';
import type { Op } from '../../history/op.ts';
import type { Environment } from '../../runtime/environment.ts';
import { startLocalEnvironment } from '../../runtime/local/start-local-environment.ts';
import { repoRoot, toolPath } from '../../runtime/local/tools.ts';
import { isolation } from './index.ts';

const run = promisify(execFile);

type Mop = [string, number, unknown];
interface Line {
  process: number;
  type: 'invoke' | 'ok' | 'fail' | 'info';
  f: string;
  value: Mop[];
  status?: number;
  code?: string;
  error?: string;
}

/** Runs the isolation workload against `targetUrl` and returns its history lines, parsed. */
async function runWorkload(runDir: string, name: string, settings: Record<string, string>): Promise<Line[]> {
  const consoleFile = join(runDir, `${name}.console`);
  await run(toolPath('k6'), ['run', '--quiet', '--address', '', `--console-output=${consoleFile}`, '--log-format=raw', 'targets/isolation/workload.k6.ts'], {
    cwd: repoRoot,
    timeout: 60_000,
    env: { ...process.env, K6_NO_USAGE_REPORT: 'true', K6_AUTO_EXTENSION_RESOLUTION: 'false', ...settings },
  });
  return readFileSync(consoleFile, 'utf8')
    .trim()
    .split('\n')
    .map((text) => JSON.parse(text) as Line);
}

/** Each invoke with its completion, in invocation order. */
function pairs(lines: Line[]): Array<[Line, Line]> {
  const open = new Map<number, Line>();
  const out: Array<[Line, Line]> = [];
  for (const l of lines) {
    if (l.type === 'invoke') {
      expect(open.has(l.process), `process ${l.process} invokes twice`).toBe(false);
      open.set(l.process, l);
    } else {
      const invoke = open.get(l.process);
      expect(invoke, `a completion on process ${l.process} with no invoke`).toBeDefined();
      open.delete(l.process);
      out.push([invoke!, l]);
    }
  }
  expect(open.size).toBe(0);
  return out;
}

describe('isolation workload against the serializable level', () => {
  let runDir: string;
  let env: Environment;
  let targetUrl: string;
  let lines: Line[];

  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), 'patternbench-isolation-workload-'));
    const pattern = isolation.patterns['postgres-isolation'];
    env = await startLocalEnvironment(pattern.topology(pattern.options.parse({ level: 'serializable' })), { runDir });
    targetUrl = env.services.get('target')![0];
    // Three live keys and ten clients: serialization failures are certain.
    lines = await runWorkload(runDir, 'healthy', {
      TARGET_URLS: targetUrl,
      RATE: '40',
      DURATION: '5s',
      PRE_VUS: '10',
      MAX_VUS: '10',
      KEYS: '3',
      TIMEOUT: '4s',
    });
  });

  afterAll(async () => {
    await env?.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('records each transaction as an invoke of micro-ops, reads nil, and an ok with the reads filled in', () => {
    const done = pairs(lines).filter(([, c]) => c.type === 'ok');
    expect(done.length).toBeGreaterThanOrEqual(50);
    for (const [invoke, ok] of done) {
      expect(invoke.f).toBe('txn');
      expect(invoke.value.length).toBeGreaterThanOrEqual(1);
      expect(invoke.value.length).toBeLessThanOrEqual(4);
      expect(invoke.value.every(([f, , v]) => (f === 'r' ? v === null : f === 'append' && Number.isInteger(v)))).toBe(true);
      expect(ok.value.map(([f, k]) => [f, k])).toEqual(invoke.value.map(([f, k]) => [f, k]));
      expect(ok.value.every(([f, , v], i) => (f === 'r' ? v === null || (Array.isArray(v) && v.every(Number.isInteger)) : v === invoke.value[i][2]))).toBe(
        true,
      );
    }
  });

  it('records a transaction PostgreSQL rolled back as fail with its SQLSTATE, and runs it again: same keys, fresh elements', () => {
    const all = pairs(lines);
    const shape = (v: Mop[]) => v.map(([f, k]) => `${f} ${k}`).join();
    const appended = (v: Mop[]) => v.filter(([f]) => f === 'append').map(([, , e]) => e);
    let conflicts = 0;
    let retries = 0;
    all.forEach(([invoke, completion], i) => {
      if (completion.status !== 409) return;
      conflicts++;
      expect(completion.type).toBe('fail');
      expect(['40001', '40P01']).toContain(completion.code);
      // A client runs one transaction at a time: its next one is the retry, unless the run ended or the attempts ran out.
      const next = all.slice(i + 1).find(([inv]) => inv.process === invoke.process);
      if (!next || shape(next[0].value) !== shape(invoke.value)) return;
      retries++;
      for (const e of appended(next[0].value)) expect(appended(invoke.value)).not.toContain(e);
    });
    expect(conflicts).toBeGreaterThanOrEqual(1);
    expect(retries).toBeGreaterThanOrEqual(1);
  });

  it('appends every element at most once per key, as the checker needs, and the history it makes is serializable', () => {
    const history = lines.map((l, index) => ({ ...l, index, time: index })) as Op[];
    const verdict = checkListAppend(history, { consistencyModels: ['serializable'] });
    expect(verdict.valid).toBe(true);
    expect(verdict.txns.fail).toBeGreaterThanOrEqual(1);
  });

  it('records fail, not info, when the service cannot reach PostgreSQL: it knows nothing committed', async () => {
    const link = await new Toxiproxy(env.toxiproxyUrl).get('target-to-postgres');
    await link.update({ enabled: false, listen: link.listen, upstream: link.upstream });
    let cut: Line[];
    try {
      cut = await runWorkload(runDir, 'cut', { TARGET_URLS: targetUrl, RATE: '10', DURATION: '2s', PRE_VUS: '4', MAX_VUS: '4', TIMEOUT: '4s' });
    } finally {
      await link.update({ enabled: true, listen: link.listen, upstream: link.upstream });
    }
    const completions = cut.filter((l) => l.type !== 'invoke');
    expect(completions.length).toBeGreaterThanOrEqual(10);
    expect(completions.every((l) => l.type === 'fail' && l.status === 503)).toBe(true);
    expect(completions.every((l) => l.error?.includes('"committed":false'))).toBe(true);
  });
});
