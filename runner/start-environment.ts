import type { Environment } from '../runtime/environment.ts';
import type { Topology } from '../runtime/topology.ts';
import { startLocalEnvironment } from '../runtime/local/start-local-environment.ts';
import { startDockerEnvironment } from '../runtime/docker/start-docker-environment.ts';

/** Starts a topology on the chosen runtime: `local` processes (default) or `docker` containers. */
export function startEnvironment(runtime: 'local' | 'docker', topology: Topology, opts: { runDir: string }): Promise<Environment> {
  return runtime === 'docker' ? startDockerEnvironment(topology, opts) : startLocalEnvironment(topology, opts);
}
