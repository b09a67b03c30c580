import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Dockerode from 'dockerode';

/** The label every container and network of one docker environment carries, its value the environment's id. */
export const environmentLabel = 'org.patternbench.environment';

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
