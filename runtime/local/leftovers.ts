import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isOwnDataDir } from './data-dir.ts';
import { groupAlive, isSameProcess, processRunning } from './supervisor.ts';

/** Where an environment records `{ name: ProcessIdentity }` for `patternbench down` after a crash. */
export const pidsFile = (runDir: string) => join(runDir, 'pids.json');

/** Where an environment records `{ name: temp data dir }`, removed by `stopLeftovers`. */
export const dataDirsFile = (runDir: string) => join(runDir, 'data-dirs.json');

/** Replaces `file` with `value` as JSON atomically (write, then rename), so a reader never sees half a file. */
export function writeJson(file: string, value: Record<string, unknown>): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** What `stopLeftovers` did: the components it stopped, and what it left alone and why (one line each). */
export interface Leftovers {
  stopped: string[];
  refused: string[];
}

/**
 * Stops whatever the environment in `runDir` left running (its process
 * groups, by `pids.json`): SIGTERM, then SIGKILL for a group still there after
 * `graceMs` (default 5 000). Then removes the temp data dirs listed in
 * `data-dirs.json`, and both files. Every local child is its own group
 * leader, so signalling the group also reaches PostgreSQL's backends.
 *
 * The files may be stale (a pid reused since, after a reboot) or forged, so
 * nothing is taken on their word: a group is signalled only while its
 * leader is the very process recorded (same boot, start time and command
 * line: `isSameProcess`), and a folder is removed only if the runtime made
 * it (`isOwnDataDir`). Whatever fails the test is left alone and named in
 * `refused`. Nothing when there is no file.
 */
export async function stopLeftovers(runDir: string, graceMs = 5_000): Promise<Leftovers> {
  const file = pidsFile(runDir);
  const dirs = dataDirsFile(runDir);
  const out: Leftovers = { stopped: [], refused: [] };
  if (!existsSync(file)) return out;
  const recorded = readRecord(file);
  const ours: Array<[string, number]> = [];
  for (const [name, identity] of Object.entries(recorded)) {
    if (isSameProcess(identity)) ours.push([name, identity.pid]);
    else {
      const pid = typeof identity === 'number' ? identity : (identity as { pid?: unknown } | null)?.pid;
      if (Number.isSafeInteger(pid) && processRunning(pid as number))
        out.refused.push(`${name}: pid ${pid} is not the process that was started (${file}); left alone`);
    }
  }
  for (const [, pid] of ours) {
    signal(pid, 'SIGCONT'); // a paused group must wake to handle SIGTERM
    signal(pid, 'SIGTERM');
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && ours.some(([, pid]) => groupAlive(pid))) await new Promise((r) => setTimeout(r, 100));
  for (const [, pid] of ours) signal(pid, 'SIGKILL');
  out.stopped = ours.map(([name]) => name);
  if (existsSync(dirs)) {
    for (const [name, dir] of Object.entries(readRecord(dirs))) {
      if (typeof dir === 'string' && isOwnDataDir(dir)) rmSync(dir, { recursive: true, force: true });
      else if (typeof dir !== 'string' || existsSync(dir))
        out.refused.push(`${name}: ${JSON.stringify(dir)} is not a data dir patternbench made (${dirs}); left alone`);
    }
  }
  rmSync(dirs, { force: true });
  rmSync(file, { force: true });
  return out;
}

/** A JSON object file as a plain record; an unreadable or non-object file is treated as empty. */
function readRecord(file: string): Record<string, unknown> {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // the group is gone already
  }
}
