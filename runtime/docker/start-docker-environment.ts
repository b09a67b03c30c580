import type { Environment } from '../environment.ts';
import type { Topology } from '../topology.ts';
import { findDockerEngine } from './find-docker-engine.ts';

/**
 * `--runtime docker`: starts `topology` as containers through testcontainers,
 * returning the same `Environment` shape (component and link names) as the
 * local runtime. Throws a one-line `no Docker engine found (…); use the
 * default local runtime: --runtime local` before starting anything when no
 * engine answers. The container code is loaded only then, so a local run
 * never loads testcontainers.
 */
export async function startDockerEnvironment(topology: Topology, opts: { runDir: string }): Promise<Environment> {
  const client = await findDockerEngine();
  const { startContainers } = await import('./docker-environment.ts');
  return startContainers(topology, opts.runDir, client);
}
