import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLostWrites, type LostWritesVerdict } from '../../checkers/lost-writes.ts';
import type { Op } from '../../history/op.ts';
import type { Killable } from '../../runtime/component.ts';
import { endpointUrl } from '../../runtime/endpoint.ts';
import { startLocalEnvironment } from '../../runtime/local/start-local-environment.ts';
import { repoRoot, toolPath } from '../../runtime/local/tools.ts';
import { asRegisterHistory } from './checks.ts';
import { caching } from './index.ts';

const run = promisify(execFile);

/** Runs the caching workload and returns its history lines. */
async function workload(dir: string, name: string, env: Record<string, string>): Promise<Record<string, unknown>[]> {
  const consoleFile = join(dir, `${name}.console`);
  await run(toolPath('k6'), ['run', '--quiet', '--address', '', `--console-output=${consoleFile}`, '--log-format=raw', 'targets/caching/workload.k6.ts'], {
    cwd: repoRoot,
    timeout: 60_000,
    env: { ...process.env, K6_NO_USAGE_REPORT: 'true', K6_AUTO_EXTENSION_RESOLUTION: 'false', ...env },
  });
  return readFileSync(consoleFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

interface Outcome {
  verdict: LostWritesVerdict;
  acknowledged: number;
  /** Acknowledged writes whose version PostgreSQL does not hold (a newer write's row aside): lost, by the database's own account. */
  lostInDatabase: number;
}

/**
 * Writes through `pattern` (YCSB A on 30 keys, 20/s for 4 s), kills Redis
 * the moment the load ends and restarts it (empty: no persistence), then
 * reads every key once. Returns the lost-writes verdict on that history and
 * the ground truth from PostgreSQL: each acknowledged write's recorded
 * version against its row's version.
 */
async function writeKillRead(pattern: string, options: Record<string, unknown>): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), `patternbench-lost-${pattern}-`));
  const p = caching.patterns[pattern];
  const env = await startLocalEnvironment(p.topology(p.options.parse(options)), { runDir: dir });
  try {
    const target = env.services.get('target')![0];
    const common = { TARGET_URLS: target, KEYS: '30', PRE_VUS: '5', MAX_VUS: '10', TIMEOUT: '2s' };
    const load = await workload(dir, 'load', { ...common, MIX: 'a', RATE: '20', DURATION: '4s', FINAL_READS: 'false' });
    const redis = env.components.get('redis') as unknown as Killable;
    await redis.kill();
    await redis.restart();
    // A read-only run whose teardown reads every key: the final reads.
    const final = await workload(dir, 'final', { ...common, MIX: 'c', RATE: '1', DURATION: '1s' });
    const history = [...load, ...final].map((line, index) => ({ ...line, index, time: index }) as unknown as Op);
    const verdict = checkLostWrites(asRegisterHistory(history), { init: null });

    const db = new pg.Client({ connectionString: endpointUrl('postgres', env.components.get('postgres')!) });
    await db.connect();
    const { rows } = await db.query<{ id: string; version: string }>('SELECT id, version FROM items');
    await db.end();
    const stored = new Map(rows.map((r) => [r.id, Number(r.version)]));
    const acked = load.filter((l) => l.f === 'write' && l.type === 'ok');
    const lostInDatabase = acked.filter((l) => Number(l.version) > (stored.get(String(l.key)) ?? 0)).length;
    return { verdict, acknowledged: acked.length, lostInDatabase };
  } finally {
    await env.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('acknowledged writes when Redis is killed', () => {
  const outcomes = new Map<string, Outcome>();

  beforeAll(async () => {
    // A flush every 60 s: none comes before the kill.
    outcomes.set('write-back', await writeKillRead('write-back', { flushIntervalMs: 60_000 }));
    // A flush every 2 s: some writes reach PostgreSQL before the kill, the latest do not.
    outcomes.set('write-back-flushing', await writeKillRead('write-back', { flushIntervalMs: 2_000 }));
    outcomes.set('write-through', await writeKillRead('write-through', {}));
  }, 240_000);

  afterAll(() => outcomes.clear());

  it('write-back loses the acknowledged writes Redis held unflushed, and the checker counts exactly those', () => {
    const o = outcomes.get('write-back')!;
    expect(o.acknowledged).toBeGreaterThanOrEqual(20);
    expect(o.lostInDatabase).toBe(o.acknowledged);
    expect(o.verdict).toMatchObject({ valid: false, lost: o.lostInDatabase, verified: o.acknowledged, unverified: 0 });
  });

  it('write-through loses none: every acknowledged write is in PostgreSQL and read back', () => {
    const o = outcomes.get('write-through')!;
    expect(o.acknowledged).toBeGreaterThanOrEqual(20);
    expect(o.lostInDatabase).toBe(0);
    expect(o.verdict).toMatchObject({ valid: true, lost: 0, verified: o.acknowledged, unverified: 0 });
  });

  it('write-back flushing every 2 s: the checker counts exactly the writes PostgreSQL never got', () => {
    const o = outcomes.get('write-back-flushing')!;
    expect(o.lostInDatabase).toBeLessThan(o.acknowledged);
    expect(o.verdict).toMatchObject({ lost: o.lostInDatabase, verified: o.acknowledged, unverified: 0 });
  });
});
