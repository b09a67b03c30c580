import { readdirSync, readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { onLastResort } from '../shutdown.ts';

/**
 * Every child process patternbench starts is registered here, so that on
 * exit, an uncaught error, SIGINT or SIGTERM nothing is left running.
 *
 * Children are spawned `detached` (their own process group): a Ctrl-C at the
 * terminal then reaches only us, and we stop each group in order (PostgreSQL
 * shuts down cleanly instead of racing its own postmaster), and killing the
 * group also reaches grandchildren (PostgreSQL's backends, k6's nothing).
 * The price: a parent killed with SIGKILL cannot clean up; `patternbench down`
 * reads the pid files an environment leaves and stops what remains.
 */
const live = new Set<ChildProcess>();
let installed = false;

/** Tracks a spawned child until it exits; whatever is still tracked is SIGKILLed when the process exits or a shutdown gives up waiting. */
export function track(child: ChildProcess): void {
  if (!installed) {
    installed = true;
    onLastResort(killAllNow);
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Sends `signal` to a child's whole process group; ignores a group already gone. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Whether any process of group `pgid` is left: a member that outlived its leader, or one dead but not yet reaped. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until nothing of group `pgid` runs, for at most `timeoutMs`: the
 * leader's exit does not take its children with it (tsx's esbuild outlived
 * the target it served, and was seen as a survivor after a run had
 * stopped). Returns whether that is so.
 */
export async function waitGroupGone(pgid: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupRunning(pgid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** State (`R`, `S`, `Z`…), process group and start time (clock ticks after boot) of `pid` from /proc; null when it cannot be read (gone, or no /proc). */
function procStat(pid: string | number): { state: string; pgrp: number; startTime: string } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // After "pid (comm) ": state (field 3), ppid, pgrp, … starttime (field 22); comm may hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], pgrp: Number(fields[2]), startTime: fields[19] };
}

/**
 * What tells one process apart from any other that ever had its pid: the
 * boot it ran in, its start time after that boot (clock ticks) and its
 * command line. A pid in a file may since have been reused (after the
 * process ended, or a reboot); a process matching all three is the one
 * that was recorded.
 */
export interface ProcessIdentity {
  pid: number;
  bootId: string;
  startTime: string;
  cmdline: string;
}

/** The identity of live process `pid` from /proc; null when it is gone, a zombie, or unreadable. */
export function processIdentity(pid: number): ProcessIdentity | null {
  const stat = procStat(pid);
  if (!stat || stat.state === 'Z') return null;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    return { pid, bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), startTime: stat.startTime, cmdline };
  } catch {
    return null;
  }
}

/** Whether `recorded` (as a state file holds it, so possibly forged or stale) names a process that still runs and is the very one recorded. */
export function isSameProcess(recorded: unknown): recorded is ProcessIdentity {
  if (typeof recorded !== 'object' || recorded === null) return false;
  const r = recorded as Partial<ProcessIdentity>;
  if (!Number.isSafeInteger(r.pid) || (r.pid as number) <= 1) return false;
  const now = processIdentity(r.pid as number);
  return now !== null && now.bootId === r.bootId && now.startTime === r.startTime && now.cmdline === r.cmdline;
}

/**
 * Whether process `pid` still runs. One that is dead but not yet reaped (a
 * zombie: once its parent is gone, reaping it is up to PID 1, which here
 * takes seconds) does not: kill(2) still finds it, /proc tells it apart.
 * Where there is no /proc, kill(2) has the last word.
 */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return procStat(pid)?.state !== 'Z';
}

/** Whether a member of group `pgid` still runs, zombies not counted (see {@link processRunning}). */
export function groupRunning(pgid: number): boolean {
  if (!groupAlive(pgid)) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  return entries.some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    const stat = procStat(entry);
    return stat ? stat.pgrp === pgid && stat.state !== 'Z' : false;
  });
}

/** Kills every tracked group at once, synchronously: the last resort on exit. */
export function killAllNow(): void {
  for (const child of live) {
    signalGroup(child, 'SIGCONT'); // a paused group must wake to die cleanly
    signalGroup(child, 'SIGKILL');
  }
}
