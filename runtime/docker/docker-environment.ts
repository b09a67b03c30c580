import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ContainerRuntimeClient, type GenericContainer, Network, type StartedNetwork, Wait } from 'testcontainers';
import { Toxiproxy } from 'toxiproxy-node-client';
import { type Endpoint, endpointUrl, type InstanceEndpoints, serviceEnv } from '../endpoint.ts';
import type { Environment } from '../environment.ts';
import { bringUp, EnvironmentBase, settleAll } from '../environment-base.ts';
import { startNodeService } from '../local/node-service.ts';
import { pgCredentials, pgServerSettings } from '../postgres-settings.ts';
import { type PlannedComponent, type PlannedLink, planTopology, type Topology, type TopologyPlan } from '../topology.ts';
import { ContainerComponent } from './container-component.ts';
import { LoopbackContainer } from './loopback-container.ts';

const images = {
  redis: 'redis:7',
  postgres: 'postgres:15',
  etcd: 'quay.io/coreos/etcd:v3.4.23',
  toxiproxy: 'ghcr.io/shopify/toxiproxy:2.12.0',
} as const;
const ports = { redis: 6379, postgres: 5432, etcdClient: 2379, etcdPeer: 2380, toxiproxyApi: 8474 } as const;
/** The same credentials and settings as the local runtime. */
const pg = pgCredentials;
const pgSettings = pgServerSettings.flatMap((s) => ['-c', s]);

/**
 * Starts `topology` as containers on one fresh Docker network, mirroring the
 * local runtime: the same component and link names (`planTopology`), every
 * connection through a Toxiproxy proxy in the `toxiproxy` container. Services
 * run on the host as local processes, dialling their links where toxiproxy
 * publishes them, on 127.0.0.1 only. A failed start removes what it started
 * and throws. Needs a reachable engine (`client`).
 *
 * Not yet here: etcd clusters of more than one member, whose per-pair peer
 * links need each member to resolve its peers to addresses of its own (the
 * local runtime's per-member hosts file); such a topology is refused.
 */
export async function startContainers(topology: Topology, runDir: string, client: ContainerRuntimeClient): Promise<Environment> {
  return bringUp(new DockerEnvironment(runDir, client), topology, 'docker');
}

/** The port a component listens on inside its container. */
const containerPort = (c: PlannedComponent): number => ({ redis: ports.redis, postgres: ports.postgres, etcd: ports.etcdClient })[c.kind as 'redis'] ?? 0;

class DockerEnvironment extends EnvironmentBase {
  private network: StartedNetwork | undefined;

  constructor(
    runDir: string,
    private readonly client: ContainerRuntimeClient,
  ) {
    super(runDir);
    mkdirSync(join(runDir, 'logs'), { recursive: true });
  }

  async bringUp(topology: Topology): Promise<void> {
    for (const [name, spec] of Object.entries(topology.etcd ?? {})) {
      if (spec.members > 1) throw new Error(`etcd cluster "${name}" has ${spec.members} members: the docker runtime runs single-member etcd only for now`);
    }
    const plan = planTopology(topology);
    this.network = await new Network().start();
    const isService = new Set(plan.components.filter((c) => c.kind === 'service').map((c) => c.name));
    const byName = new Map(plan.components.map((c) => [c.name, c]));
    // Each link its own port in the toxiproxy container; those a host-side service dials are published.
    const containerPorts = new Map(plan.links.map((l, i) => [l.name, 20_001 + i]));
    const fromHost = (l: PlannedLink) => isService.has(l.from);
    const toxiproxy = await this.start(
      'toxiproxy',
      'toxiproxy',
      ports.toxiproxyApi,
      new LoopbackContainer(images.toxiproxy)
        .withExposedPorts(ports.toxiproxyApi, ...plan.links.filter(fromHost).map((l) => containerPorts.get(l.name)!))
        .withWaitStrategy(Wait.forHttp('/version', ports.toxiproxyApi)),
    );
    this.toxiproxyUrl = `http://127.0.0.1:${toxiproxy.getMappedPort(ports.toxiproxyApi)}`;
    const api = new Toxiproxy(this.toxiproxyUrl);
    for (const l of plan.links.filter((l) => !isService.has(l.to))) {
      const port = containerPorts.get(l.name)!;
      const upstream = { host: l.to, port: containerPort(byName.get(l.to)!) };
      await api.createProxy({ name: l.name, listen: `0.0.0.0:${port}`, upstream: `${upstream.host}:${upstream.port}` });
      const listen = fromHost(l) ? { host: '127.0.0.1', port: toxiproxy.getMappedPort(port) } : { host: 'toxiproxy', port };
      this.links.set(l.name, { ...l, listen, upstream });
    }
    await settleAll([
      ...Object.entries(topology.redis ?? {}).map(([name, spec]) => {
        const args = ['redis-server', '--protected-mode', 'no', '--save', '', '--appendonly', 'no'];
        if (spec.maxmemoryBytes !== undefined) args.push('--maxmemory', String(spec.maxmemoryBytes));
        if (spec.maxmemoryPolicy !== undefined) args.push('--maxmemory-policy', spec.maxmemoryPolicy);
        if (spec.maxmemorySamples !== undefined) args.push('--maxmemory-samples', String(spec.maxmemorySamples));
        return this.startReplicated(plan, name, (_c, primary) =>
          new LoopbackContainer(images.redis)
            .withCommand([...args, ...(primary ? ['--replicaof', primary.host, String(primary.port)] : [])])
            .withWaitStrategy(Wait.forLogMessage('Ready to accept connections')),
        );
      }),
      ...Object.entries(topology.postgres ?? {}).map(([name, spec]) =>
        this.startReplicated(plan, name, (c, primary) => (primary ? postgresReplica(c.name, primary) : postgresPrimary(c.name, spec.settings ?? []))),
      ),
      ...plan.components
        .filter((c) => c.kind === 'etcd')
        .map((c) =>
          this.start(
            c.name,
            'etcd',
            ports.etcdClient,
            new LoopbackContainer(images.etcd)
              .withCommand([
                '/usr/local/bin/etcd',
                `--name=${c.name}`,
                '--data-dir=/etcd-data',
                `--listen-client-urls=http://0.0.0.0:${ports.etcdClient}`,
                `--advertise-client-urls=http://${c.name}:${ports.etcdClient}`,
              ])
              .withWaitStrategy(Wait.forLogMessage(/ready to serve client requests/)),
          ),
        ),
    ]);
    await this.startServices(topology, plan, byName);
  }

  /** A primary, then each replica, which dials the primary through its link. */
  private async startReplicated(plan: TopologyPlan, instance: string, container: (c: PlannedComponent, primary?: Endpoint) => GenericContainer) {
    const [primary, ...replicas] = plan.components.filter((c) => c.instance === instance);
    await this.start(primary.name, primary.kind, containerPort(primary), container(primary));
    for (const replica of replicas) {
      await this.start(replica.name, replica.kind, containerPort(replica), container(replica, this.links.get(`${replica.name}-to-${primary.name}`)!.listen));
    }
  }

  /** Services run on the host (as in the local runtime), each told the published links it dials. */
  private async startServices(topology: Topology, plan: TopologyPlan, byName: ReadonlyMap<string, PlannedComponent>): Promise<void> {
    for (const [instance, spec] of Object.entries(topology.services ?? {})) {
      const replicas = plan.components.filter((c) => c.instance === instance && c.kind === 'service');
      if (replicas.length > 1 && spec.peers) throw new Error(`service "${instance}": replicas that talk to each other do not run on the docker runtime yet`);
      if ((spec.uses ?? []).some((u) => topology.services?.[u])) throw new Error(`service "${instance}" uses another service: not on the docker runtime yet`);
      const urls: string[] = [];
      for (const replica of replicas) {
        const endpoints: Record<string, InstanceEndpoints> = {};
        for (const link of [...this.links.values()].filter((l) => l.from === replica.name)) {
          const to = byName.get(link.to)!;
          (endpoints[to.instance] ??= { kind: to.kind, nodes: [] }).nodes.push({
            name: to.name,
            role: to.role,
            ...link.listen,
            url: endpointUrl(to.kind, link.listen),
          });
        }
        const world = { name: replica.name, replica: replica.replica!, replicas: replicas.length, endpoints, peers: {} };
        const service = this.add(
          await startNodeService({ name: replica.name, file: spec.file, env: { ...spec.env, ...serviceEnv(world) }, runDir: this.runDir }),
        );
        urls.push(service.url);
      }
      this.services.set(instance, urls);
    }
  }

  /** Starts one container on the network under its component name, logging to `${runDir}/logs/<name>.log`. */
  private async start(name: string, kind: PlannedComponent['kind'], port: number, container: GenericContainer) {
    const started = await container
      .withNetwork(this.network!)
      .withNetworkAliases(name)
      .withLogConsumer((stream) => stream.pipe(createWriteStream(join(this.runDir, 'logs', `${name}.log`), { flags: 'a' })))
      .start();
    this.add(new ContainerComponent(name, kind, name, port, started, this.client));
    return started;
  }

  protected override async afterStop(): Promise<void> {
    await this.network?.stop();
  }
}

function postgresPrimary(name: string, settings: readonly string[]): GenericContainer {
  return (
    new LoopbackContainer(images.postgres)
      .withEnvironment({ POSTGRES_USER: pg.user, POSTGRES_PASSWORD: pg.password, POSTGRES_DB: pg.database, POSTGRES_HOST_AUTH_METHOD: 'trust' })
      // The image's pg_hba lets every host in except for replication, which replicas need.
      .withCopyContentToContainer([
        { content: 'echo "host replication all all trust" >> "$PGDATA/pg_hba.conf"\n', target: '/docker-entrypoint-initdb.d/replication.sh' },
      ])
      .withCommand(['postgres', ...pgSettings, '-c', `cluster_name=${name}`, ...settings.flatMap((s) => ['-c', s])])
      // The entrypoint runs a temporary server to initialise, so "ready" is logged twice.
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
  );
}

function postgresReplica(name: string, primary: Endpoint): GenericContainer {
  // The primary may still be finishing its start: retry the base backup for up to a minute.
  const script = [
    `for i in $(seq 60); do pg_basebackup -h ${primary.host} -p ${primary.port} -U ${pg.user} -D "$PGDATA" -R -X stream -c fast && break; rm -rf "$PGDATA"/*; sleep 1; done`,
    'chmod 700 "$PGDATA"',
    `exec postgres ${pgSettings.join(' ')} -c cluster_name=${name}`,
  ].join(' && ');
  return new LoopbackContainer(images.postgres)
    .withUser('postgres')
    .withEntrypoint(['bash', '-c'])
    .withCommand([script])
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept read-only connections/));
}
