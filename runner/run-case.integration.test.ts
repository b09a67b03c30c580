import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Environment } from '../runtime/environment.ts';
import type { Family, Pattern, Workload } from '../targets/index.ts';
import type { PlannedCase } from './plan-suite.ts';
import { runCase } from './run-case.ts';

const runDir = mkdtempSync(join(tmpdir(), 'pb-run-case-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

/** A family whose one check would pass anything: the test is whether it gets to. */
const silent: Workload = { script: 'runner/fixtures/silent.k6.js', description: 'records nothing', options: z.object({}), env: () => ({}) };
const pattern: Pattern = { name: 'quiet', description: 'test double', options: z.object({}).strict(), topology: () => ({}) };
const family: Family = {
  name: 'quiet',
  description: 'test double',
  patterns: { quiet: pattern },
  workloads: [silent],
  checks: { anything: { description: 'passes any history', run: () => ({ valid: true }) } },
};

/** An environment with nothing in it but a target URL nobody listens on: what the case needs to start k6. */
const nothingRunning = (dir: string): Environment => ({
  runDir: dir,
  toxiproxyUrl: 'http://127.0.0.1:1',
  components: new Map(),
  links: new Map(),
  services: new Map([['target', ['http://127.0.0.1:1']]]),
  onDeath: () => () => undefined,
  stop: async () => undefined,
  [Symbol.asyncDispose]: async () => undefined,
});

describe('runCase (real k6)', () => {
  it('never passes a case whose clients recorded no operation: an error, its checks unknown', async () => {
    const planned: PlannedCase = {
      name: 'quiet',
      family,
      pattern,
      options: {},
      workload: silent,
      settings: { script: silent.script, rate: 1, duration: '1s', timeout: '1s', preVUs: 1, maxVUs: 1 },
      checks: ['anything'],
      topology: {},
    };
    const result = await runCase(planned, { runDir, plan: [], allowRemote: [], startEnvironment: async (_t, dir) => nothingRunning(dir), onUpdate: () => {} });
    expect(result.k6?.exitCode).toBe(0); // k6 itself was content
    expect(result.status).toBe('error');
    expect(result.error).toMatch(/the workload recorded no client operation, so there is nothing to judge; see quiet\/logs\/k6\.log/);
    expect(result.checks).toEqual({ valid: 'unknown', error: 'no client operations: a verdict on nothing is no evidence', results: {} });
    expect(readFileSync(join(runDir, 'quiet', 'history.jsonl'), 'utf8')).toBe('');
  }, 60_000);
});
