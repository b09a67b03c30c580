import { existsSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';

/** The label every container and network of one docker environment carries, its value the environment's id. */
export const environmentLabel = 'org.patternbench.environment';

/** The label saying which process started an environment: `<hostname>/<pid>`. */
export const ownerLabel = 'org.patternbench.owner';

/** This process, as `ownerLabel` names it. */
export const thisOwner = () => `${hostname()}/${process.pid}`;

/** Where a docker environment records its id (`{ environment }`), for `stopDockerLeftovers` after a crash. */
export const dockerStateFile = (runDir: string) => join(runDir, 'docker.json');

/**
 * Removes every container (forcibly, with its anonymous volumes) and then
 * every network labelled with environment `id`; returns the containers'
 * names. Used by a stopping environment for whatever its components did not
 * cover (a container that failed to start), and after a crash.
 */
export async function removeLabelled(docker: Dockerode, id: string): Promise<string[]> {
  const filters = JSON.stringify({ label: [`${environmentLabel}=${id}`] });
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove();
  return containers.map((c) => c.Names[0]?.replace(/^\//, '') ?? c.Id);
}

/**
 * What a docker environment in `runDir` left behind when its process died
 * (kill -9): removes its labelled containers and networks, then its state
 * file. Returns their names; nothing when there is no state file. Speaks to
 * the engine dockerode finds (DOCKER_HOST, else /var/run/docker.sock).
 */
export async function stopDockerLeftovers(runDir: string): Promise<string[]> {
  const file = dockerStateFile(runDir);
  if (!existsSync(file)) return [];
  const { environment } = JSON.parse(readFileSync(file, 'utf8')) as { environment: string };
  const removed = await removeLabelled(new Dockerode(), environment);
  rmSync(file, { force: true });
  return removed;
}

/**
 * What Ryuk would have removed: the environments whose owner — a process of
 * this machine — is gone (a run killed with kill -9, which no cleanup of its
 * own survives). Removes their containers and networks and returns the
 * environments' ids. An owner on another machine, or one still alive, is
 * left alone. Every docker environment calls it as it starts.
 */
export async function removeOrphans(docker: Dockerode): Promise<string[]> {
  const filters = JSON.stringify({ label: [ownerLabel] });
  const labelled = [...(await docker.listContainers({ all: true, filters })), ...(await docker.listNetworks({ filters }))];
  const orphans = new Set<string>();
  for (const { Labels } of labelled) {
    const [host, pid] = (Labels?.[ownerLabel] ?? '').split('/');
    const environment = Labels?.[environmentLabel];
    if (environment && host === hostname() && !alive(Number(pid))) orphans.add(environment);
  }
  for (const id of orphans) await removeLabelled(docker, id);
  return [...orphans];
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}
