import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where an environment records `{ name: pid }` for `patternbench down` after a crash. */
export const pidsFile = (runDir: string) => join(runDir, 'pids.json');

/** Replaces `${runDir}/pids.json` atomically (write, then rename), so a reader never sees half a file. */
export function writePids(runDir: string, pids: Record<string, number>): void {
  const tmp = `${pidsFile(runDir)}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(pids, null, 2)}\n`);
  renameSync(tmp, pidsFile(runDir));
}

/**
 * Stops whatever the environment in `runDir` left running (its process
 * groups, by `pids.json`): SIGTERM, then SIGKILL for a group still there after
 * `graceMs` (default 5 000). Removes `pids.json`. Returns the names it found
 * alive; nothing when there is no file. Every local child is its own group
 * leader, so signalling the group also reaches PostgreSQL's backends.
 */
export async function stopLeftovers(runDir: string, graceMs = 5_000): Promise<string[]> {
  const file = pidsFile(runDir);
  if (!existsSync(file)) return [];
  const pids = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  const alive = Object.entries(pids).filter(([, pid]) => groupAlive(pid));
  for (const [, pid] of alive) {
    signal(pid, 'SIGCONT'); // a paused group must wake to handle SIGTERM
    signal(pid, 'SIGTERM');
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && alive.some(([, pid]) => groupAlive(pid))) await new Promise((r) => setTimeout(r, 100));
  for (const [, pid] of alive) signal(pid, 'SIGKILL');
  rmSync(file, { force: true });
  return alive.map(([name]) => name);
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // the group is gone already
  }
}
