import { existsSync } from 'node:fs';
import type { ContainerRuntimeClient } from 'testcontainers';

/**
 * The Docker engine testcontainers would use. Throws a one-line error saying
 * where it looked and pointing at the local runtime when there is none.
 * testcontainers is imported here, lazily, so local runs never pay its load.
 */
export async function findDockerEngine(): Promise<ContainerRuntimeClient> {
  // testcontainers' reaper (Ryuk) comes from a registry, and publishes its port on every interface. Our environments
  // remove what they start themselves (on exit, error, SIGINT, SIGTERM; after a crash, `patternbench down`), so it is
  // off unless the user turns it on.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const { getContainerRuntimeClient } = await import('testcontainers');
  let client: ContainerRuntimeClient;
  try {
    client = await getContainerRuntimeClient();
  } catch (err) {
    const dockerHost = process.env.DOCKER_HOST;
    const looked = [
      dockerHost ? `DOCKER_HOST=${dockerHost} did not answer` : 'DOCKER_HOST unset',
      existsSync('/var/run/docker.sock') ? '/var/run/docker.sock did not answer' : 'no /var/run/docker.sock',
      `testcontainers: ${String((err as Error).message ?? err).split('\n')[0]}`,
    ];
    throw new Error(`no Docker engine found (${looked.join(', ')}); use the default local runtime: --runtime local`);
  }
  const host = client.info.containerRuntime.host;
  if (!['localhost', '127.0.0.1', '::1'].includes(host))
    throw new Error(
      `the Docker engine is on ${host}, not this machine: the docker runtime publishes ports on 127.0.0.1 only; use an engine here or --runtime local`,
    );
  return client;
}
