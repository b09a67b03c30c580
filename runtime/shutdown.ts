/**
 * The process-wide shutdown: on SIGINT, SIGTERM or SIGHUP, every registered
 * cleanup runs (newest first, one at a time, at most 30 s in all), then the
 * last-resort hooks (the supervisors' synchronous kill of whatever they still
 * track), then the process exits with 128 + the signal's number, as shells
 * report a death by that signal. A second signal stops waiting. The
 * last-resort hooks also run on a plain `exit`.
 */
const cleanups: Array<() => Promise<void>> = [];
const lastResorts: Array<() => void> = [];
let installed = false;
let shuttingDown = false;
const exitCodes: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/**
 * Registers an async cleanup (stop a component, remove toxics, save results)
 * to run on SIGINT/SIGTERM; returns an unregister. Cleanups run last
 * registered first — the order of `await using` disposal — so a run case
 * (registered after its environment) reverts its faults and saves its history
 * before the environment it stands on is stopped.
 */
export function onShutdown(cleanup: () => Promise<void>): () => void {
  install();
  cleanups.push(cleanup);
  return () => {
    const i = cleanups.indexOf(cleanup);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/** Registers a synchronous hook that runs on exit and after the cleanups of a shutdown (or when they overrun): it must not wait. */
export function onLastResort(hook: () => void): void {
  install();
  lastResorts.push(hook);
}

function runLastResorts(): void {
  for (const hook of lastResorts) hook();
}

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (shuttingDown) {
    runLastResorts(); // a second Ctrl-C: stop waiting
    process.exit(exitCodes[signal]);
  }
  shuttingDown = true;
  const deadline = new Promise((resolve) => setTimeout(resolve, 30_000).unref());
  const inOrder = async () => {
    for (const cleanup of [...cleanups].reverse()) await cleanup().catch((err) => console.error(`cleanup failed: ${(err as Error).message}`));
  };
  await Promise.race([inOrder(), deadline]);
  runLastResorts();
  process.exit(exitCodes[signal]);
}

function install(): void {
  if (installed) return;
  installed = true;
  // `on`, not `once`: a second signal must reach `shutdown` (which then stops
  // waiting), not Node's default action, which would exit without killing
  // our detached children.
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
  process.on('exit', runLastResorts);
}
