import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, isScalar, visit } from 'yaml';
import { repoRoot } from '../local/tools.ts';
import { planTopology, type Topology } from '../topology.ts';
import { componentLabels, type ContainerPlan, type ContainerSpec, containerPorts, planContainers } from './container-plan.ts';
import { environmentLabel } from './leftovers.ts';

/** The environment label's value on every container docker-compose.yml starts; `fault --compose` finds them by it. */
export const composeEnvironment = 'compose';

/** Where docker-compose.yml publishes Toxiproxy's API: `fault --compose` speaks to it there. */
export const composeToxiproxyPort = 8474;

/** Where docker-compose.yml publishes each kind's first component on 127.0.0.1; the next of a kind gets the next port. */
const firstHostPort = { redis: 16379, postgres: 15432, etcd: 12379, service: 18080 } as const;

/**
 * docker-compose.yml and docker/toxiproxy.json for `topology`, from the
 * same plan the docker runtime starts (`planContainers`): the same
 * containers, networks, aliases, commands and links. Pure. What differs is
 * only what compose does its own way: ports are fixed (Toxiproxy's API on
 * 127.0.0.1:8474, then per kind from 16379, 15432, 12379 and 18080, on
 * 127.0.0.1 only); toxiproxy loads its proxies from the JSON file at start;
 * each container waits for what it dials to be healthy (`depends_on`) with a
 * health check that every image (official or ours) can run; the service
 * image is built from docker/service.Dockerfile. `root` is the repository
 * as the compose file's folder sees it (`.` when it sits at the root).
 */
export function composeFiles(topology: Topology, root = '.'): { compose: string; toxiproxy: string; ports: Record<string, number> } {
  const ports: Record<string, number> = { toxiproxy: composeToxiproxyPort };
  const taken = { redis: 0, postgres: 0, etcd: 0, service: 0 };
  const components = planTopology(topology).components;
  const instanceOf = new Map(components.map((c) => [c.name, c.instance]));
  for (const c of components) ports[c.name] = firstHostPort[c.kind as keyof typeof firstHostPort] + taken[c.kind as keyof typeof taken]++;
  const plan = planContainers(topology, (name) => ports[name]);

  const services: Record<string, unknown> = {};
  for (const spec of [plan.toxiproxy, ...plan.containers]) {
    services[spec.name] = {
      ...(spec.kind === 'service' ? { build: { context: root, dockerfile: 'docker/service.Dockerfile' } } : {}),
      image: spec.image,
      ...(spec.user ? { user: spec.user } : {}),
      ...(spec.entrypoint ? { entrypoint: spec.entrypoint } : {}),
      command: spec.kind === 'toxiproxy' ? [...spec.command, '-config=/patternbench/toxiproxy.json'] : spec.command,
      ...(Object.keys(spec.env).length ? { environment: spec.env } : {}),
      ...volumes(spec, root),
      ports: [`127.0.0.1:${ports[spec.name]}:${spec.port}`],
      networks: Object.fromEntries(Object.entries(spec.networks).map(([key, aliases]) => [key, { aliases }])),
      labels: { [environmentLabel]: composeEnvironment, ...componentLabels(spec) },
      healthcheck: { test: healthCheck(spec), interval: '1s', timeout: '3s', retries: 120 },
      ...dependsOn(spec, plan, instanceOf),
    };
  }
  const header = [
    `# A long-running patternbench environment on a Docker host, written by \`patternbench compose\` from the same plan`,
    `# the docker runtime starts (runtime/docker/container-plan.ts); a test keeps it equal to what that writes.`,
    '# Every link is a proxy in the toxiproxy container (docker/toxiproxy.json), named as `patternbench up` prints them.',
    '# Every port is published on 127.0.0.1 only:',
    ...Object.entries(ports).map(([name, port]) => `#   ${name.padEnd(20)} 127.0.0.1:${port}`),
    '#',
    '#   docker-compose up -d --build                                  # the service image is built from this repository',
    '#   bin/patternbench fault latency --link <link> --latency 100 --compose',
    '#   docker-compose down -v                                        # -v: the images declare volumes',
    '',
  ];
  // YAML 1.1, which docker-compose reads: `no` and `yes` get quoted. A short list of plain values (a command) on one
  // line, as Biome (npm run format) writes it; a longer one a value a line.
  const doc = new Document({ services, networks: Object.fromEntries(plan.networks.map((n) => [n, {}])) }, { version: '1.1' });
  visit(doc, {
    Seq(_, seq) {
      if (seq.items.every((item) => isScalar(item)) && seq.items.map((item) => String(item.value)).join(', ').length <= 100) seq.flow = true;
    },
  });
  const compose = `${header.join('\n')}${doc.toString({ lineWidth: 0, flowCollectionPadding: false })}`;
  const toxiproxy = `${JSON.stringify(
    plan.proxies.map((p) => ({ name: p.name, listen: p.listen, upstream: p.upstream, enabled: true })),
    null,
    2,
  )}\n`;
  return { compose, toxiproxy, ports };
}

function volumes(spec: ContainerSpec, root: string): { volumes?: string[] } {
  const mounts = spec.files.map((f) => `${root}/${f.source}:${f.target}:ro`);
  if (spec.kind === 'toxiproxy') mounts.push(`${root}/docker/toxiproxy.json:/patternbench/toxiproxy.json:ro`);
  return mounts.length ? { volumes: mounts } : {};
}

/** A health check each image can run, official or ours (no shell needed: the official toxiproxy and etcd images have none). */
function healthCheck(spec: ContainerSpec): string[] {
  switch (spec.kind) {
    case 'redis':
      return ['CMD', 'redis-cli', 'ping'];
    case 'postgres':
      return ['CMD', 'pg_isready', '-h', '127.0.0.1', '-U', spec.env.PB_PG_USER];
    case 'etcd':
      return ['CMD', '/usr/local/bin/etcdctl', `--endpoints=http://127.0.0.1:${containerPorts.etcd}`, 'endpoint', 'health'];
    case 'toxiproxy':
      return ['CMD', '/toxiproxy-cli', 'list'];
    default:
      return ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${spec.port}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`];
  }
}

/**
 * What a container waits for: toxiproxy, when it dials any link, and, healthy,
 * every component it dials (a replica its primary, a service what it uses)
 * but its peers: etcd members, and a service's replicas, dial each other,
 * so they start together.
 */
function dependsOn(spec: ContainerSpec, plan: ContainerPlan, instanceOf: ReadonlyMap<string, string>): { depends_on?: Record<string, { condition: string }> } {
  if (spec.kind === 'toxiproxy') return {};
  const dials = plan.proxies.filter((p) => p.from === spec.name).map((p) => p.to);
  if (dials.length === 0) return {};
  const waits: Record<string, { condition: string }> = { toxiproxy: { condition: 'service_healthy' } };
  const startsTogether = spec.kind === 'etcd' || spec.kind === 'service';
  for (const to of dials) if (!startsTogether || instanceOf.get(to) !== instanceOf.get(spec.name)) waits[to] = { condition: 'service_healthy' };
  return { depends_on: waits };
}

/** Writes `composeFiles(topology)` to docker-compose.yml and docker/toxiproxy.json under `root` (default the repository); returns their paths. */
export function writeComposeFiles(topology: Topology, root = repoRoot): string[] {
  const { compose, toxiproxy } = composeFiles(topology);
  const files = [join(root, 'docker-compose.yml'), join(root, 'docker', 'toxiproxy.json')];
  mkdirSync(join(root, 'docker'), { recursive: true });
  writeFileSync(files[0], compose);
  writeFileSync(files[1], toxiproxy);
  return files;
}
