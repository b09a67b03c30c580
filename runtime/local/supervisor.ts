import type { ChildProcess } from 'node:child_process';

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
const cleanups = new Set<() => Promise<void>>();
let installed = false;
let shuttingDown = false;

/** Tracks a spawned child until it exits. */
export function track(child: ChildProcess): void {
  install();
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/**
 * Registers an async cleanup (stop a component, remove toxics) to run on
 * SIGINT/SIGTERM before the process groups are killed; returns an unregister.
 */
export function onShutdown(cleanup: () => Promise<void>): () => void {
  install();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
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

/** Kills every tracked group at once, synchronously: the last resort on exit. */
export function killAllNow(): void {
  for (const child of live) {
    signalGroup(child, 'SIGCONT'); // a paused group must wake to die cleanly
    signalGroup(child, 'SIGKILL');
  }
}

/** How many tracked children are still running (for tests and `down`). */
export function liveCount(): number {
  return live.size;
}

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (shuttingDown) {
    killAllNow(); // a second Ctrl-C: stop waiting
    process.exit(signal === 'SIGINT' ? 130 : 143);
  }
  shuttingDown = true;
  const deadline = new Promise((resolve) => setTimeout(resolve, 15_000).unref());
  await Promise.race([Promise.allSettled([...cleanups].map((c) => c())), deadline]);
  killAllNow();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGHUP', () => void shutdown('SIGHUP'));
  process.on('exit', killAllNow);
}
