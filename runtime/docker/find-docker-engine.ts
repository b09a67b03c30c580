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
  // Published ports are bound to 127.0.0.1 of the engine's host, so that host must be this one: an engine behind a
  // unix socket (Docker Desktop's too, which forwards published ports here), or DOCKER_HOST on loopback.
  // (Not testcontainers' idea of the host: it takes a machine with /.dockerenv, as ours has, to be inside a container.)
  const remote = /^(?:tcp|http|https|ssh):\/\/(?:[^@/]*@)?\[?([^\]/:]+)/.exec(process.env.DOCKER_HOST ?? '')?.[1];
  if (remote && !['localhost', '127.0.0.1', '::1'].includes(remote))
    throw new Error(
      `the Docker engine (DOCKER_HOST=${process.env.DOCKER_HOST}) is not on this machine: the docker runtime publishes ports on 127.0.0.1 only; use an engine here or --runtime local`,
    );
  return client;
}
