import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLock, type LockVerdict } from '../../checkers/lock.ts';
import type { Op } from '../../history/op.ts';
import { runK6 } from '../../runner/k6.ts';
import type { Pausable } from '../../runtime/component.ts';
import { startLocalEnvironment } from '../../runtime/local/start-local-environment.ts';
import { consistency } from './index.ts';

const runDir = mkdtempSync(join(tmpdir(), 'pb-locks-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

/**
 * Kleppmann's case against locks without fencing ("How to do distributed
 * locking", 2016): a holder frozen past its lease wakes up still believing it
 * holds the lock and writes over the next holder's work. Here `target-1` is
 * frozen (SIGSTOP) for 1.4 s — past the 1 s lease — inside the critical
 * section (its `/health` says it holds the lock; 50 ms later it is past its
 * read, in its 200 ms of work), while the other two replicas go on
 * incrementing. The freeze is short enough for its answer to reach the client
 * (every wait is bounded below the service's 3 s deadline), so the client
 * acknowledges an increment that read the same value as the next holder's.
 */
async function pausedHolder(name: string, options: Record<string, unknown>): Promise<LockVerdict> {
  const pattern = consistency.patterns['lock-redis'];
  const dir = join(runDir, name);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  await using env = await startLocalEnvironment(pattern.topology(pattern.options.parse({ leaseMs: 1000, workMs: 200, waitMs: 1000, ...options })), {
    runDir: dir,
  });
  const urls = env.services.get('target')!;
  const startMs = Date.now();
  const k6 = runK6({
    script: 'targets/consistency/counter.k6.ts',
    dir,
    env: { TARGET_URLS: urls.join(','), RATE: '6', DURATION: '6s', TIMEOUT: '4s', PRE_VUS: '6', MAX_VUS: '12', KEYS: '1', READ_RATIO: '0', FINAL_WAIT: '5000' },
  });
  const holder = env.components.get('target-1') as unknown as Pausable;
  let paused = false;
  await new Promise((r) => setTimeout(r, 1_500));
  for (const deadline = Date.now() + 5_000; !paused && Date.now() < deadline; ) {
    const { holding } = (await (await fetch(`${urls[0]}/health`)).json()) as { holding: number };
    if (holding > 0) {
      await new Promise((r) => setTimeout(r, 50));
      await holder.pause();
      paused = true;
    }
  }
  expect(paused, 'target-1 never held the lock').toBe(true);
  await new Promise((r) => setTimeout(r, 1_400));
  await holder.resume();
  expect((await k6).exitCode).toBe(0);
  const lines = readFileSync(join(dir, 'k6-console.log'), 'utf8').trim().split('\n');
  const history = lines.map((line, index) => {
    const { wallMs, ...op } = JSON.parse(line) as Op & { wallMs: number };
    return { ...op, index, time: (wallMs - startMs) * 1e6 } as Op;
  });
  return checkLock(history);
}

describe('a counter under a Redis lock (SET NX PX), its holder frozen past the lease', () => {
  it('without fencing: increments are lost, and two holders were in the critical section at once', async () => {
    const v = await pausedHolder('unfenced', { fencing: false });
    expect(v.valid).toBe(false);
    expect(v.lostIncrements).toBeGreaterThan(0);
    expect(v.staleReads).toBeGreaterThan(0);
    expect(v.mutualExclusionViolations).toBeGreaterThan(0);
    expect(v.counterexample).toBeDefined();
  });

  it('with fencing tokens checked by the store: the woken holder is refused, and no increment is lost', async () => {
    const v = await pausedHolder('fenced', { fencing: true });
    expect(v.valid).toBe(true);
    expect(v.lostIncrements).toBe(0);
    expect(v.staleReads).toBe(0);
    expect(v.counters[0].ok).toBeGreaterThan(10);
  });
});
