import { type Endpoint, endpointUrl, type InstanceEndpoints, serviceEnv } from '../endpoint.ts';
import { pgCredentials, pgServerSettings } from '../postgres-settings.ts';
import { type ComponentKind, type ComponentRole, type PlannedComponent, type PlannedLink, planTopology, type Topology } from '../topology.ts';
import { images, serviceImage } from './images.ts';

/** Where each kind listens inside its own container; every container has its own network stack, so these never clash. */
export const containerPorts = { redis: 6379, postgres: 5432, etcd: 2379, etcdPeer: 2380, service: 8080, toxiproxy: 8474 } as const;

/** The network every container but a multi-member etcd cluster's members joins. */
export const mainNetwork = 'main';

/** One container of an environment, as both the runtime and docker-compose.yml start it. */
export interface ContainerSpec {
  /** The component's name; on `main` also its network alias. */
  name: string;
  kind: ComponentKind;
  role: ComponentRole;
  image: string;
  /** Replaces the image's entrypoint when set. */
  entrypoint?: string[];
  command: string[];
  env: Record<string, string>;
  user?: string;
  /** Every network it joins (by key), each with its aliases there; it joins no other. */
  networks: Record<string, string[]>;
  /** The port clients (k6, the sampler, a user) reach it on, published on 127.0.0.1 only. */
  port: number;
  /** Repository files it needs, read-only (compose mounts them, the runtime copies them in before start). */
  files: { source: string; target: string }[];
}

/** The labels that say what a container is, so that whoever finds it later (`fault --compose`, a cleanup) knows. */
export function componentLabels(spec: ContainerSpec): Record<string, string> {
  return { 'org.patternbench.component': spec.name, 'org.patternbench.kind': spec.kind, 'org.patternbench.role': spec.role };
}

/** One Toxiproxy proxy: it listens on `listen` (in the toxiproxy container), `from` dials it at `dial`, and it reaches `upstream`. */
export interface ProxySpec extends PlannedLink {
  listen: string;
  upstream: string;
  dial: Endpoint;
}

/** A topology as containers: the networks, toxiproxy, every other container in start order, and every link. */
export interface ContainerPlan {
  /** Network keys, `main` first. */
  networks: string[];
  toxiproxy: ContainerSpec;
  /** Stores (each primary before its replicas), etcd members, then services in the order their `uses` allow. */
  containers: ContainerSpec[];
  proxies: ProxySpec[];
}

/**
 * How a topology runs as containers, for the docker runtime and for
 * docker-compose.yml alike. Pure; throws as `planTopology` does.
 * `hostPort(name)` is where a component (or `toxiproxy`'s API) is published
 * on 127.0.0.1: the runtime picks free ports, the compose file fixed ones.
 *
 * Every component is a container on the `main` network, reachable there by
 * its name, and every link is a proxy in the `toxiproxy` container: a
 * replica, a service or an etcd member dials `toxiproxy:<port>` (or, for
 * etcd peers, a name that resolves to toxiproxy), never the component
 * behind it. Services are containers too (`docker/service.Dockerfile`),
 * listening on 0.0.0.0:8080 and told their links in their environment, so
 * that a service's links to other services and to its peers are proxies on
 * the same network as all the rest.
 *
 * etcd's peer links. etcd has every member dial the one peer URL each
 * member advertises, so a proxy per ordered pair needs each dialer to
 * resolve the same name to a proxy of its own. Each member `m` of a cluster
 * of several runs on a network of its own, `<m>-peers`, and on no other;
 * toxiproxy joins it with the aliases `<p>.peer` for each of m's peers `p`
 * (so on m's network `<p>.peer` is toxiproxy) and `<m>.links`, an address
 * of toxiproxy's that only m's network has. Member `p` advertises
 * `http://<p>.peer:<P>`, with `P` a port only p's peer links use, and the
 * proxy `m-to-p` listens on `<m>.links:<P>`. So every connection m opens to
 * p goes through `m-to-p` and nothing else does. (Names with a dot are no
 * component's: components are named by slugs.) Toxiproxy reaches member `p`
 * itself by its name, which only p's network has.
 */
export function planContainers(topology: Topology, hostPort: (name: string) => number): ContainerPlan {
  const plan = planTopology(topology);
  const byName = new Map(plan.components.map((c) => [c.name, c]));
  const memberOfCluster = (c: PlannedComponent) => c.kind === 'etcd' && (topology.etcd?.[c.instance]?.members ?? 1) > 1;
  const networks = [mainNetwork, ...plan.components.filter(memberOfCluster).map((c) => `${c.name}-peers`)];

  // Each link a port of its own in the toxiproxy container; an etcd member's peer links share the port it advertises (on addresses of their own).
  let nextPort = 20_000;
  const peerPorts = new Map<string, number>();
  const peerPort = (member: string) => peerPorts.get(member) ?? (peerPorts.set(member, ++nextPort), nextPort);
  const isPeerLink = (l: PlannedLink) => byName.get(l.from)!.kind === 'etcd';
  const proxies: ProxySpec[] = plan.links.map((l) => {
    const to = byName.get(l.to)!;
    const upstream = `${l.to}:${to.kind === 'etcd' && isPeerLink(l) ? containerPorts.etcdPeer : containerPorts[to.kind as keyof typeof containerPorts]}`;
    if (isPeerLink(l)) return { ...l, upstream, listen: `${l.from}.links:${peerPort(l.to)}`, dial: { host: `${l.to}.peer`, port: peerPort(l.to) } };
    const port = ++nextPort;
    return { ...l, upstream, listen: `0.0.0.0:${port}`, dial: { host: 'toxiproxy', port } };
  });
  /** Where `from` dials its link to `to`. */
  const via = (from: string, to: string): Endpoint => proxies.find((p) => p.from === from && p.to === to)!.dial;

  const toxiproxyNetworks: Record<string, string[]> = { [mainNetwork]: ['toxiproxy'] };
  for (const m of plan.components.filter(memberOfCluster)) {
    const peers = plan.components.filter((c) => c.instance === m.instance && c.name !== m.name);
    toxiproxyNetworks[`${m.name}-peers`] = [...peers.map((p) => `${p.name}.peer`), `${m.name}.links`];
  }
  const toxiproxy: ContainerSpec = {
    name: 'toxiproxy',
    kind: 'toxiproxy',
    role: 'service',
    image: images.toxiproxy,
    command: ['-host=0.0.0.0'],
    env: {},
    networks: toxiproxyNetworks,
    port: containerPorts.toxiproxy,
    files: [],
  };

  const containers = plan.components.map((c): ContainerSpec => {
    const base = { name: c.name, kind: c.kind, role: c.role, networks: { [mainNetwork]: [c.name] }, files: [], env: {} };
    switch (c.kind) {
      case 'redis': {
        const spec = topology.redis![c.instance];
        const args = [
          'redis-server',
          '--protected-mode',
          'no',
          '--save',
          '',
          '--appendonly',
          'no',
          '--repl-diskless-sync',
          'yes',
          '--repl-diskless-sync-delay',
          '0',
        ];
        if (spec.maxmemoryBytes !== undefined) args.push('--maxmemory', String(spec.maxmemoryBytes));
        if (spec.maxmemoryPolicy !== undefined) args.push('--maxmemory-policy', spec.maxmemoryPolicy);
        if (spec.maxmemorySamples !== undefined) args.push('--maxmemory-samples', String(spec.maxmemorySamples));
        if (c.primary) {
          const primary = via(c.name, c.primary);
          args.push('--replicaof', primary.host, String(primary.port));
        }
        return { ...base, image: images.redis, command: args, port: containerPorts.redis };
      }
      case 'postgres': {
        const settings = [...pgServerSettings, `cluster_name=${c.name}`, ...(c.primary ? [] : (topology.postgres![c.instance].settings ?? []))];
        const primary = c.primary ? via(c.name, c.primary) : undefined;
        return {
          ...base,
          image: images.postgres,
          user: 'postgres',
          entrypoint: ['bash', '/patternbench/postgres-start.sh'],
          command: settings.flatMap((s) => ['-c', s]),
          env: {
            PB_PG_USER: pgCredentials.user,
            PB_PG_DATABASE: pgCredentials.database,
            ...(primary ? { PB_PRIMARY: `${primary.host}:${primary.port}` } : {}),
          },
          files: [{ source: 'docker/postgres-start.sh', target: '/patternbench/postgres-start.sh' }],
          port: containerPorts.postgres,
        };
      }
      case 'etcd': {
        const members = plan.components.filter((m) => m.instance === c.instance);
        const cluster = memberOfCluster(c);
        const peerUrl = (m: PlannedComponent) => (cluster ? `http://${m.name}.peer:${peerPort(m.name)}` : `http://${m.name}:${containerPorts.etcdPeer}`);
        return {
          ...base,
          networks: cluster ? { [`${c.name}-peers`]: [c.name] } : base.networks,
          image: images.etcd,
          command: [
            '/usr/local/bin/etcd',
            `--name=${c.name}`,
            '--data-dir=/etcd-data',
            `--listen-client-urls=http://0.0.0.0:${containerPorts.etcd}`,
            `--advertise-client-urls=http://127.0.0.1:${hostPort(c.name)}`,
            `--listen-peer-urls=http://0.0.0.0:${containerPorts.etcdPeer}`,
            `--initial-advertise-peer-urls=${peerUrl(c)}`,
            `--initial-cluster=${members.map((m) => `${m.name}=${peerUrl(m)}`).join(',')}`,
            '--initial-cluster-state=new',
            `--initial-cluster-token=${c.instance}`,
            '--pre-vote',
          ],
          port: containerPorts.etcd,
        };
      }
      case 'service': {
        const spec = topology.services![c.instance];
        const replicas = plan.components.filter((r) => r.instance === c.instance);
        const endpoints: Record<string, InstanceEndpoints> = {};
        const peers: Record<string, string> = {};
        for (const link of proxies.filter((l) => l.from === c.name)) {
          const to = byName.get(link.to)!;
          const at = via(c.name, to.name);
          const node = { name: to.name, role: to.role, ...at, url: endpointUrl(to.kind, at) };
          if (to.instance === c.instance) peers[to.name] = node.url;
          else (endpoints[to.instance] ??= { kind: to.kind, nodes: [] }).nodes.push(node);
        }
        const world = { name: c.name, replica: c.replica!, replicas: replicas.length, endpoints, peers };
        return {
          ...base,
          image: serviceImage,
          command: ['node', '--import', 'tsx', spec.file],
          env: { ...spec.env, ...serviceEnv(world), PORT: String(containerPorts.service), PB_LISTEN_HOST: '0.0.0.0' },
          port: containerPorts.service,
        };
      }
      default:
        throw new Error(`topology: no container for a ${c.kind}`);
    }
  });
  return { networks, toxiproxy, containers, proxies };
}
