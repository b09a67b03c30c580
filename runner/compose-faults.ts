import { clearAllFaults, createFault, listActiveFaults } from '../faults/index.ts';
import type { ComposeEnvironment } from '../runtime/docker/compose-environment.ts';

/**
 * `fault … --compose`: faults on the environment docker-compose.yml started,
 * where no `patternbench up` holds the components. Network faults go to its
 * Toxiproxy's API (127.0.0.1:8474), process faults to its containers through
 * the Docker API. No process stays behind to revert a fault: with `--for` the
 * command itself waits and reverts it (Ctrl-C reverts it early); without,
 * the fault stays until `fault clear --compose`.
 */
async function attach(): Promise<ComposeEnvironment> {
  const { attachCompose } = await import('../runtime/docker/compose-environment.ts');
  return attachCompose();
}

/** Starts fault `kind` on `on`; with `forMs`, waits that long (or until SIGINT/SIGTERM) and reverts it. Throws `FaultInputError` for bad input. */
export async function composeFault(
  req: { kind: string; on: string; attributes: Record<string, unknown>; forMs?: number },
  print: (line: string) => void,
): Promise<void> {
  const env = await attach();
  // As for `up` (fault-context.ts): toxiproxy itself is no component a fault may kill.
  const components = new Map([...env.components].filter(([, c]) => c.kind !== 'toxiproxy'));
  const fault = createFault(req.kind, req.on, req.attributes, { ...env, components });
  const described = JSON.stringify({ kind: fault.kind, on: fault.on, ...fault.attributes });
  await fault.start();
  print(`started ${described}`);
  if (req.forMs === undefined) return print('it stays until: patternbench fault clear --compose');
  const signals = ['SIGINT', 'SIGTERM'] as const;
  let wake = () => {};
  const woken = new Promise<void>((resolve) => (wake = resolve));
  for (const s of signals) process.once(s, wake);
  const timer = setTimeout(wake, req.forMs);
  await woken;
  clearTimeout(timer);
  for (const s of signals) process.off(s, wake);
  await fault.stop();
  print(`stopped ${described}`);
}

/** Every link's toxics (and disabled links), and every container that is not running (killed) or paused. */
export async function listComposeFaults(): Promise<unknown> {
  const env = await attach();
  const containers = await Promise.all([...env.components.values()].map(async (c) => ({ name: c.name, state: await c.state() })));
  return { toxiproxy: await listActiveFaults(env.toxiproxyUrl), components: containers.filter((c) => c.state !== 'running') };
}

/** Reverts every fault: removes every toxic, enables every link, thaws paused containers and starts killed ones (waiting until they answer). */
export async function clearComposeFaults(): Promise<string[]> {
  const env = await attach();
  await clearAllFaults(env.toxiproxyUrl);
  const revived: string[] = [];
  for (const c of env.components.values()) {
    const state = await c.state();
    if (state === 'paused') await c.resume();
    else if (state !== 'running') await c.restart();
    if (state !== 'running') revived.push(c.name);
  }
  return revived;
}
