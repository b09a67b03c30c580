/**
 * What an environment starts, as named instances: any number of Redis and
 * PostgreSQL primaries (each with replicas), etcd clusters, and services (the
 * patterns' own processes, with replicas). A pattern declares one; both
 * runtimes start it, and `planTopology` names every component and link the
 * same way for both.
 *
 * Naming (every name a slug, unique within the environment):
 * - a Redis or PostgreSQL instance `x` is the component `x`, its replicas
 *   `x-replica-1` … `x-replica-N`;
 * - an etcd cluster `x` of N members is `x-1` … `x-N`;
 * - a service `x` with one replica is `x`; with N it is `x-1` … `x-N`.
 *
 * Links (Toxiproxy proxies), one per ordered pair that talks, named
 * `<from>-to-<to>` by {@link linkName}:
 * - a store replica dials its primary: `x-replica-1-to-x`;
 * - etcd members dial each other: `x-1-to-x-2` and `x-2-to-x-1`, and so on
 *   for every ordered pair, so a partition can cut 1→2 and leave 1→3;
 * - a service replica dials every node of every instance it `uses`
 *   (primary, replicas, members, or another service's replicas):
 *   `target-to-redis`, `target-2-to-shard-a-replica-1`;
 * - with `peers`, a service's replicas dial each other: `target-1-to-target-2`.
 * Clients (k6, the sampler) reach services and stores directly, not through links.
 */
export interface Topology {
  redis?: Record<string, RedisSpec>;
  postgres?: Record<string, PostgresSpec>;
  etcd?: Record<string, EtcdSpec>;
  services?: Record<string, ServiceSpec>;
}

export interface RedisSpec {
  replicas?: number;
  /** `maxmemory` in bytes; absent: no limit. */
  maxmemoryBytes?: number;
  /** `maxmemory-policy`, e.g. `allkeys-lru`; absent: Redis's default (`noeviction`). */
  maxmemoryPolicy?: string;
  /** `maxmemory-samples` (Redis's default 5). */
  maxmemorySamples?: number;
}

export interface PostgresSpec {
  replicas?: number;
  /** Extra server settings for the primary, `name=value` (e.g. `synchronous_standby_names=*`); replicas are named by `cluster_name`. */
  settings?: string[];
}

export interface EtcdSpec {
  members: number;
}

/** A pattern's own HTTP service: a Node/TypeScript file of this repository, started with its endpoints in its environment. */
export interface ServiceSpec {
  /** The entry file, relative to the repository root. */
  file: string;
  /** Default 1. */
  replicas?: number;
  /** Instances (stores, etcd clusters, other services) it connects to, each node through a link of its own. */
  uses?: string[];
  /** Whether its replicas talk to each other (each ordered pair through a link of its own). */
  peers?: boolean;
  /** Settings passed to every replica as is. */
  env?: Record<string, string>;
}

export type ComponentKind = 'redis' | 'postgres' | 'etcd' | 'service' | 'toxiproxy';
export type ComponentRole = 'primary' | 'replica' | 'member' | 'service';

/** One component a topology starts. */
export interface PlannedComponent {
  name: string;
  kind: ComponentKind;
  /** The instance it belongs to (a replica's primary, a member's cluster, a replica's service). */
  instance: string;
  role: ComponentRole;
  /** For a replica: the component it replicates from; for a service replica: its 1-based number. */
  primary?: string;
  replica?: number;
}

/** One link a topology needs: `from` dials `to` through it. */
export interface PlannedLink {
  name: string;
  from: string;
  to: string;
}

export interface TopologyPlan {
  /** Stores first (each primary before its replicas), then etcd members, then services in the order their `uses` allow. */
  components: PlannedComponent[];
  links: PlannedLink[];
}

/** The one name of the link through which `from` dials `to`. */
export function linkName(from: string, to: string): string {
  return `${from}-to-${to}`;
}

const slug = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Names every component and link of `topology`. Pure. Throws an Error naming
 * the instance for a name that is not a slug (`shard-a`), two components of
 * one name, a count below 1, a `uses` that names no instance, or services
 * whose `uses` go round in a circle.
 */
export function planTopology(topology: Topology): TopologyPlan {
  const components: PlannedComponent[] = [];
  const links: PlannedLink[] = [];
  const nodes = new Map<string, string[]>(); // instance → the components a user of it dials
  const add = (c: PlannedComponent) => {
    if (!slug.test(c.name)) throw new Error(`topology: "${c.name}" is not a name of lower-case letters, digits and single dashes`);
    if (components.some((x) => x.name === c.name) || c.name === 'toxiproxy') throw new Error(`topology: two components are named "${c.name}"`);
    components.push(c);
  };
  const count = (instance: string, field: string, n: number | undefined, fallback: number, min: number) => {
    const value = n ?? fallback;
    if (!Number.isInteger(value) || value < min) throw new Error(`topology: ${instance}.${field}: expected a whole number ≥ ${min}, got ${JSON.stringify(n)}`);
    return value;
  };

  for (const kind of ['redis', 'postgres'] as const) {
    for (const [name, spec] of Object.entries(topology[kind] ?? {})) {
      add({ name, kind, instance: name, role: 'primary' });
      const replicas = Array.from({ length: count(name, 'replicas', spec.replicas, 0, 0) }, (_, i) => `${name}-replica-${i + 1}`);
      for (const [i, replica] of replicas.entries()) {
        add({ name: replica, kind, instance: name, role: 'replica', primary: name, replica: i + 1 });
        links.push({ name: linkName(replica, name), from: replica, to: name });
      }
      nodes.set(name, [name, ...replicas]);
    }
  }
  for (const [name, spec] of Object.entries(topology.etcd ?? {})) {
    const members = Array.from({ length: count(name, 'members', spec.members, 1, 1) }, (_, i) => `${name}-${i + 1}`);
    for (const member of members) add({ name: member, kind: 'etcd', instance: name, role: 'member' });
    for (const from of members) for (const to of members) if (from !== to) links.push({ name: linkName(from, to), from, to });
    nodes.set(name, members);
  }
  const services = Object.entries(topology.services ?? {});
  for (const [name, spec] of services) {
    const n = count(name, 'replicas', spec.replicas, 1, 1);
    nodes.set(
      name,
      Array.from({ length: n }, (_, i) => (n === 1 ? name : `${name}-${i + 1}`)),
    );
  }
  for (const [name, spec] of orderServices(services, nodes)) {
    const replicas = nodes.get(name)!;
    for (const [i, replica] of replicas.entries()) add({ name: replica, kind: 'service', instance: name, role: 'service', replica: i + 1 });
    for (const from of replicas) {
      for (const used of spec.uses ?? []) for (const to of nodes.get(used)!) links.push({ name: linkName(from, to), from, to });
      if (spec.peers) for (const to of replicas) if (to !== from) links.push({ name: linkName(from, to), from, to });
    }
  }
  const seen = new Set<string>();
  for (const link of links) {
    if (seen.has(link.name)) throw new Error(`topology: two links would be named "${link.name}"; rename an instance`);
    seen.add(link.name);
  }
  return { components, links };
}

/** Services in an order where each comes after every service it uses; throws for an unknown `uses` or a circle. */
function orderServices(services: [string, ServiceSpec][], nodes: ReadonlyMap<string, string[]>): [string, ServiceSpec][] {
  const byName = new Map(services);
  const ordered: [string, ServiceSpec][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`topology: services use each other in a circle: ${[...path, name].join(' → ')}`);
    state.set(name, 'visiting');
    const spec = byName.get(name)!;
    for (const used of spec.uses ?? []) {
      if (!nodes.has(used)) throw new Error(`topology: service "${name}" uses "${used}", which is no instance of this topology`);
      if (used === name) throw new Error(`topology: service "${name}" uses itself; its replicas talk through \`peers: true\``);
      if (byName.has(used)) visit(used, [...path, name]);
    }
    state.set(name, 'done');
    ordered.push([name, spec]);
  };
  for (const [name] of services) visit(name, []);
  return ordered;
}
