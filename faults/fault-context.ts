import type { Environment } from '../runtime/environment.ts';
import type { FaultContext } from './fault-spec.ts';

/**
 * What faults may act on in an environment: every link, and every component
 * but toxiproxy itself — killing or restarting it would take every link with
 * it (a restarted toxiproxy has no proxies), which is no fault of a pattern.
 */
export function faultContext(env: Environment): FaultContext {
  const components = new Map([...env.components].filter(([, c]) => c.kind !== 'toxiproxy'));
  return { toxiproxyUrl: env.toxiproxyUrl, components, links: env.links };
}
