import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalProcess } from './local-process.ts';
import { groupRunning } from './supervisor.ts';

const runDir = mkdtempSync(join(tmpdir(), 'patternbench-test-local-process-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

/** A leader that starts a child ignoring SIGTERM, then exits by itself after `leaderMs`. */
function leaderLeavingAChild(name: string, leaderMs: number, ready: () => Promise<boolean>): LocalProcess {
  return new LocalProcess({
    name,
    command: 'sh',
    args: ['-c', `(trap "" TERM; while :; do sleep 0.2; done) & sleep ${leaderMs / 1000}; exit 0`],
    logFile: join(runDir, `${name}.log`),
    ready,
    readyTimeoutMs: 5_000,
  });
}

describe('LocalProcess', () => {
  it('leaves nothing of its group running when the leader exited by itself before stop', async () => {
    const proc = leaderLeavingAChild('exits-by-itself', 300, async () => true);
    await proc.start();
    const pgid = proc.pid!;
    await new Promise((r) => setTimeout(r, 800)); // the leader is gone; its child would live on
    await proc.stop();
    expect(groupRunning(pgid)).toBe(false);
  });

  it('leaves nothing of its group running when it dies before it is ready', async () => {
    const proc = leaderLeavingAChild('dies-starting', 300, async () => false);
    const started = proc.start();
    await new Promise((r) => setTimeout(r, 100));
    const pgid = proc.pid;
    await expect(started).rejects.toThrow(/dies-starting exited before it was ready/);
    await proc.stop();
    expect(pgid).toBeTypeOf('number');
    expect(groupRunning(pgid!)).toBe(false);
  });
});
