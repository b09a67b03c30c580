import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDataDir } from '../runtime/local/data-dir.ts';
import { processIdentity, processRunning } from '../runtime/local/supervisor.ts';
import { runPatternbench } from './run-cli.ts';

const cleanup: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanup) c();
});

/** A live process in a group of its own, as a component would be: what a forged pid file could name. */
function bystander(): number {
  const child = spawn('sleep', ['120'], { detached: true, stdio: 'ignore' });
  child.unref();
  cleanup.push(() => child.kill('SIGKILL'));
  return child.pid!;
}

describe('patternbench down takes no state file on its word', () => {
  it('leaves alone a live process whose pid a forged or stale file names, and folders the runtime did not make', async () => {
    const state = mkdtempSync(join(tmpdir(), 'pb-down-state-'));
    const runDir = join(state, 'cache-aside');
    mkdirSync(runDir);
    cleanup.push(() => rmSync(state, { recursive: true, force: true }));
    const [plain, reused, upLike] = [bystander(), bystander(), bystander()];
    const identity = processIdentity(reused)!;
    // What a user's folders could look like to a forged data-dirs.json: a folder of theirs,
    // one under the temp dir with the runtime's prefix but no marker, and a symlink to the first.
    const theirs = mkdtempSync(join(state, 'precious-'));
    const lookalike = mkdtempSync(join(tmpdir(), 'patternbench-redis-'));
    const link = join(tmpdir(), `patternbench-link-${process.pid}`);
    symlinkSync(makeDataDir('victim'), link);
    cleanup.push(
      () => rmSync(lookalike, { recursive: true, force: true }),
      () => rmSync(link, { force: true }),
    );
    writeFileSync(
      join(state, 'env.json'),
      JSON.stringify({ pid: upLike, status: 'up', controlUrl: '', startedAt: '', targets: [{ name: 'cache-aside', runDir }] }),
    );
    writeFileSync(
      join(runDir, 'pids.json'),
      JSON.stringify({
        redis: plain, // an older file's bare pid: no identity to check
        postgres: { ...identity, startTime: String(Number(identity.startTime) - 100) }, // a pid reused since
        etcd: { ...identity, bootId: 'another-boot' }, // a pid from before a reboot
      }),
    );
    writeFileSync(join(runDir, 'data-dirs.json'), JSON.stringify({ redis: theirs, postgres: lookalike, etcd: link }));

    const { code, out } = await runPatternbench(['down', '--state', state]);
    expect(code, out).toBe(0);
    for (const pid of [plain, reused, upLike]) expect(processRunning(pid), `pid ${pid}`).toBe(true);
    for (const dir of [theirs, lookalike, link]) expect(existsSync(dir), dir).toBe(true);
    expect(out).toMatch(new RegExp(`redis: pid ${plain} is not the process that was started .*; left alone`));
    expect(out).toMatch(new RegExp(`postgres: pid ${reused} is not the process that was started`));
    expect(out).toMatch(new RegExp(`etcd: pid ${reused} is not the process that was started`));
    expect(out).toMatch(new RegExp(`"${theirs}" is not a data dir patternbench made`));
    expect(out).toMatch(new RegExp(`"${lookalike}" is not a data dir patternbench made`));
    expect(out).toMatch(new RegExp(`"${link}" is not a data dir patternbench made`));
    expect(out).toMatch(new RegExp(`up \\(pid ${upLike}\\) was gone`));
  });

  it('stops a recorded process that is still the one recorded, and removes a folder the runtime made', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'pb-down-own-'));
    cleanup.push(() => rmSync(runDir, { recursive: true, force: true }));
    const pid = bystander();
    const dir = makeDataDir('redis');
    writeFileSync(join(runDir, 'pids.json'), JSON.stringify({ redis: processIdentity(pid) }));
    writeFileSync(join(runDir, 'data-dirs.json'), JSON.stringify({ redis: dir }));
    const { stopLeftovers } = await import('../runtime/local/leftovers.ts');
    expect(await stopLeftovers(runDir, 2_000)).toEqual({ stopped: ['redis'], refused: [] });
    const deadline = Date.now() + 5_000;
    while (processRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(processRunning(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });
});
