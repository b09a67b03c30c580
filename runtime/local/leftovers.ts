import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupAlive } from './supervisor.ts';

/** Where an environment records `{ name: pid }` for `patternbench down` after a crash. */
export const pidsFile = (runDir: string) => join(runDir, 'pids.json');

/** Where an environment records `{ name: temp data dir }`, removed by `stopLeftovers`. */
export const dataDirsFile = (runDir: string) => join(runDir, 'data-dirs.json');

/** Replaces `file` with `value` as JSON atomically (write, then rename), so a reader never sees half a file. */
export function writeJson(file: string, value: Record<string, number | string>): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/**
 * Stops whatever the environment in `runDir` left running (its process
 * groups, by `pids.json`): SIGTERM, then SIGKILL for a group still there after
 * `graceMs` (default 5 000). Then removes the temp data dirs listed in
 * `data-dirs.json`, and both files. Returns the names it found
 * alive; nothing when there is no file. Every local child is its own group
 * leader, so signalling the group also reaches PostgreSQL's backends.
 */
export async function stopLeftovers(runDir: string, graceMs = 5_000): Promise<string[]> {
  const file = pidsFile(runDir);
  const dirs = dataDirsFile(runDir);
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
  if (existsSync(dirs)) {
    for (const dir of Object.values(JSON.parse(readFileSync(dirs, 'utf8')) as Record<string, string>)) rmSync(dir, { recursive: true, force: true });
  }
  rmSync(dirs, { force: true });
  rmSync(file, { force: true });
  return alive.map(([name]) => name);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // the group is gone already
  }
}
