import Dockerode from 'dockerode';
import type { ComponentKind } from '../topology.ts';
import { composeEnvironment, composeToxiproxyPort } from './compose-file.ts';
import { ContainerComponent } from './container-component.ts';
import { HostReady } from './host-ready.ts';
import { environmentLabel } from './leftovers.ts';

/** A running docker-compose environment as faults see it. */
export interface ComposeEnvironment {
  toxiproxyUrl: string;
  /** Every container docker-compose.yml started (toxiproxy too), by component name: kill, pause and restart go through the Docker API. */
  components: Map<string, ContainerComponent>;
  /** Every proxy Toxiproxy has, by name (the link names `patternbench compose` wrote into docker/toxiproxy.json). */
  /** Toxiproxy's proxies by name; `from` and `to` read back from the name (`<from>-to-<to>`, planTopology's rule). */
  links: Map<string, { name: string; from: string; to: string; listen: string; upstream: string }>;
}

/**
 * Finds the environment `docker-compose up` started from a file `patternbench
 * compose` wrote: Toxiproxy's API on 127.0.0.1:8474 and the containers
 * labelled `org.patternbench.environment=compose`, each a
 * `ContainerComponent` (a restart resolves once it answers again at its
 * published port). Throws a one-line hint when Toxiproxy does not answer or
 * no such container exists.
 */
export async function attachCompose(toxiproxyUrl = `http://127.0.0.1:${composeToxiproxyPort}`): Promise<ComposeEnvironment> {
  const hint = 'start one with: docker-compose up -d --build';
  let proxies: Record<string, { name: string; listen: string; upstream: string }>;
  try {
    const res = await fetch(`${toxiproxyUrl}/proxies`, { signal: AbortSignal.timeout(5_000) });
    proxies = (await res.json()) as typeof proxies;
  } catch (err) {
    throw new Error(`no compose environment answers: Toxiproxy's API at ${toxiproxyUrl} did not (${(err as Error).message}); ${hint}`);
  }
  const docker = new Dockerode(); // DOCKER_HOST, else /var/run/docker.sock
  const listed = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${environmentLabel}=${composeEnvironment}`] }) });
  if (listed.length === 0) throw new Error(`no container labelled ${environmentLabel}=${composeEnvironment}; ${hint}`);
  const components = new Map<string, ContainerComponent>();
  for (const info of listed) {
    const container = docker.getContainer(info.Id);
    const { HostConfig } = await container.inspect();
    const binding = (Object.values(HostConfig.PortBindings ?? {}) as { HostPort?: string }[][])[0]?.[0];
    const name = info.Labels['org.patternbench.component'];
    const kind = info.Labels['org.patternbench.kind'] as ComponentKind;
    const port = Number(binding?.HostPort);
    const ready = new HostReady(kind, info.Labels['org.patternbench.role'] === 'replica', port);
    components.set(name, new ContainerComponent({ name, kind, port, container, ready: () => ready.waitUntilReady(container) }));
  }
  const ends = (name: string) => {
    const at = name.indexOf('-to-');
    return at < 0 ? { from: '', to: '' } : { from: name.slice(0, at), to: name.slice(at + 4) };
  };
  const links = new Map(Object.values(proxies).map((p) => [p.name, { name: p.name, ...ends(p.name), listen: p.listen, upstream: p.upstream }]));
  return { toxiproxyUrl, components, links };
}
