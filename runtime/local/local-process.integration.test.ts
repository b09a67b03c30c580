import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalProcess, type UnplannedExit } from './local-process.ts';
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

  it('tells an exit nobody asked for, and only that', async () => {
    const proc = new LocalProcess({ name: 'sleeper', command: 'sleep', args: ['60'], logFile: join(runDir, 'sleeper.log'), ready: async () => true });
    const exits: UnplannedExit[] = [];
    proc.onUnplannedExit((exit) => exits.push(exit));
    await proc.start();
    await proc.kill(); // asked: the kill fault
    await proc.restart(); // asked
    await proc.stop(); // asked
    expect(exits).toEqual([]);
    await proc.start();
    const pid = proc.pid!;
    process.kill(pid, 'SIGKILL'); // from outside
    for (let i = 0; i < 100 && exits.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(exits).toEqual([{ pid, exitCode: null, signal: 'SIGKILL' }]);
    expect(proc.running).toBe(false);
    await proc.stop();
    expect(exits).toHaveLength(1);
  });
});
