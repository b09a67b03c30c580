import { existsSync } from 'node:fs';
import type { ContainerRuntimeClient } from 'testcontainers';

/**
 * The Docker engine testcontainers would use. Throws a one-line error saying
 * where it looked and pointing at the local runtime when there is none.
 * testcontainers is imported here, lazily, so local runs never pay its load.
 */
export async function findDockerEngine(): Promise<ContainerRuntimeClient> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    return await getContainerRuntimeClient();
  } catch (err) {
    const dockerHost = process.env.DOCKER_HOST;
    const looked = [
      dockerHost ? `DOCKER_HOST=${dockerHost} did not answer` : 'DOCKER_HOST unset',
      existsSync('/var/run/docker.sock') ? '/var/run/docker.sock did not answer' : 'no /var/run/docker.sock',
      `testcontainers: ${String((err as Error).message ?? err).split('\n')[0]}`,
    ];
    throw new Error(`no Docker engine found (${looked.join(', ')}); use the default local runtime: --runtime local`);
  }
}
