import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Network, Wait, type ContainerRuntimeClient, type GenericContainer, type StartedNetwork } from 'testcontainers';
import { Toxiproxy } from 'toxiproxy-node-client';
import type { Endpoint, Environment, PgEndpoint, Topology } from '../environment.ts';
import { EnvironmentBase, bringUp } from '../environment-base.ts';
import { ContainerComponent } from './container-component.ts';
import { LoopbackContainer } from './loopback-container.ts';
import { pgCredentials, pgServerSettings } from '../postgres-settings.ts';

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

/** A link to create: who dials it (the target on the host, or a container on the network) and what it fronts. */
interface PlannedLink {
  name: string;
  upstream: Endpoint;
  fromHost: boolean;
  /** The port it listens on inside the toxiproxy container; published to 127.0.0.1 when `fromHost`. */
  containerPort: number;
}

/**
 * Starts `topology` as containers on one fresh Docker network, mirroring the
 * local runtime: the same component and link names, every connection through
 * a Toxiproxy proxy in the `toxiproxy` container. Only toxiproxy publishes
 * ports (its API and the links a target dials), on 127.0.0.1. A failed start
 * removes what it started and throws. Needs a reachable engine (`client`).
 */
export async function startContainers(topology: Topology, runDir: string, client: ContainerRuntimeClient): Promise<Environment> {
  return bringUp(new DockerEnvironment(runDir, client), topology, 'docker');
}

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
    this.network = await new Network().start();
    const planned = planLinks(topology);
    const toxiproxy = await this.start(
      'toxiproxy',
      ports.toxiproxyApi,
      new LoopbackContainer(images.toxiproxy)
        .withExposedPorts(ports.toxiproxyApi, ...planned.filter((l) => l.fromHost).map((l) => l.containerPort))
        .withWaitStrategy(Wait.forHttp('/version', ports.toxiproxyApi)),
    );
    this.toxiproxyUrl = `http://127.0.0.1:${toxiproxy.getMappedPort(ports.toxiproxyApi)}`;
    const api = new Toxiproxy(this.toxiproxyUrl);
    for (const link of planned) {
      await api.createProxy({ name: link.name, listen: `0.0.0.0:${link.containerPort}`, upstream: `${link.upstream.host}:${link.upstream.port}` });
      const listen = link.fromHost ? { host: '127.0.0.1', port: toxiproxy.getMappedPort(link.containerPort) } : { host: 'toxiproxy', port: link.containerPort };
      this.links.set(link.name, { name: link.name, listen, upstream: link.upstream });
    }
    const failed = (
      await Promise.allSettled([
        topology.redis && this.startRedis(topology.redis),
        topology.postgres && this.startPostgres(topology.postgres.replicas ?? 0),
        topology.etcd && this.startEtcd(topology.etcd.members ?? 1),
      ])
    ).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private listen(name: string): Endpoint {
    return this.links.get(name)!.listen;
  }

  private async startRedis(spec: NonNullable<Topology['redis']>): Promise<void> {
    const args = ['redis-server', '--protected-mode', 'no', '--save', '', '--appendonly', 'no'];
    if (spec.maxmemoryBytes !== undefined) args.push('--maxmemory', String(spec.maxmemoryBytes));
    if (spec.maxmemoryPolicy !== undefined) args.push('--maxmemory-policy', spec.maxmemoryPolicy);
    const redis = (name: string, extra: string[] = []) =>
      this.start(
        name,
        ports.redis,
        new LoopbackContainer(images.redis).withCommand([...args, ...extra]).withWaitStrategy(Wait.forLogMessage('Ready to accept connections')),
      );
    await redis('redis');
    this.endpoints.redis = this.listen('target-to-redis');
    this.endpoints.redisReplicas = [];
    for (let i = 1; i <= (spec.replicas ?? 0); i++) {
      const upstream = this.listen(`redis-replica-${i}-to-redis`);
      await redis(`redis-replica-${i}`, ['--replicaof', upstream.host, String(upstream.port)]);
      this.endpoints.redisReplicas.push(this.listen(`target-to-redis-replica-${i}`));
    }
  }

  private async startPostgres(replicas: number): Promise<void> {
    const endpoint = (link: string): PgEndpoint => ({ ...this.listen(link), ...pg });
    await this.start(
      'postgres',
      ports.postgres,
      new LoopbackContainer(images.postgres)
        .withEnvironment({ POSTGRES_USER: pg.user, POSTGRES_PASSWORD: pg.password, POSTGRES_DB: pg.database, POSTGRES_HOST_AUTH_METHOD: 'trust' })
        // The image's pg_hba lets every host in except for replication, which replicas need.
        .withCopyContentToContainer([
          { content: 'echo "host replication all all trust" >> "$PGDATA/pg_hba.conf"\n', target: '/docker-entrypoint-initdb.d/replication.sh' },
        ])
        .withCommand(['postgres', ...pgSettings])
        // The entrypoint runs a temporary server to initialise, so "ready" is logged twice.
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2)),
    );
    this.endpoints.postgres = endpoint('target-to-postgres');
    this.endpoints.postgresReplicas = [];
    for (let i = 1; i <= replicas; i++) {
      const upstream = this.listen(`postgres-replica-${i}-to-postgres`);
      // The primary may still be finishing its start: retry the base backup for up to a minute.
      const script = [
        `for i in $(seq 60); do pg_basebackup -h ${upstream.host} -p ${upstream.port} -U ${pg.user} -D "$PGDATA" -R -X stream -c fast && break; rm -rf "$PGDATA"/*; sleep 1; done`,
        'chmod 700 "$PGDATA"',
        `exec postgres ${pgSettings.join(' ')}`,
      ].join(' && ');
      await this.start(
        `postgres-replica-${i}`,
        ports.postgres,
        new LoopbackContainer(images.postgres)
          .withUser('postgres')
          .withEntrypoint(['bash', '-c'])
          .withCommand([script])
          .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept read-only connections/)),
      );
      this.endpoints.postgresReplicas.push(endpoint(`target-to-postgres-replica-${i}`));
    }
  }

  private async startEtcd(members: 1 | 3): Promise<void> {
    const names = Array.from({ length: members }, (_, i) => `etcd-${i + 1}`);
    // As locally: a member advertises its peer link, which every peer connection into it then passes.
    const peerUrl = (name: string) => (members > 1 ? `http://toxiproxy:${this.listen(`peers-to-${name}`).port}` : `http://${name}:${ports.etcdPeer}`);
    const initialCluster = names.map((name) => `${name}=${peerUrl(name)}`).join(',');
    // Concurrently: each member waits for a quorum before it serves. A restart reuses the container's data dir, so etcd ignores the initial-cluster flags then.
    await Promise.all(
      names.map((name) =>
        this.start(
          name,
          ports.etcdClient,
          new LoopbackContainer(images.etcd)
            .withCommand([
              '/usr/local/bin/etcd',
              `--name=${name}`,
              '--data-dir=/etcd-data',
              `--listen-client-urls=http://0.0.0.0:${ports.etcdClient}`,
              `--advertise-client-urls=http://${this.listen(`target-to-${name}`).host}:${this.listen(`target-to-${name}`).port}`,
              `--listen-peer-urls=http://0.0.0.0:${ports.etcdPeer}`,
              `--initial-advertise-peer-urls=${peerUrl(name)}`,
              `--initial-cluster=${initialCluster}`,
              '--initial-cluster-state=new',
              '--initial-cluster-token=patternbench',
              '--pre-vote',
            ])
            .withWaitStrategy(Wait.forLogMessage(/ready to serve client requests/)),
        ),
      ),
    );
    this.endpoints.etcd = names.map((name) => this.listen(`target-to-${name}`));
  }

  /** Starts one container on the network under its component name, logging to `${runDir}/logs/<name>.log`. */
  private async start(name: string, port: number, container: GenericContainer) {
    const started = await container
      .withNetwork(this.network!)
      .withNetworkAliases(name)
      .withLogConsumer((stream) => stream.pipe(createWriteStream(join(this.runDir, 'logs', `${name}.log`), { flags: 'a' })))
      .start();
    this.add(new ContainerComponent(name, name, port, started, this.client));
    return started;
  }

  protected override async afterStop(): Promise<void> {
    await this.network?.stop();
  }
}

/** Every link the topology needs, named as the local runtime names them, each given its own port in the toxiproxy container. */
function planLinks(topology: Topology): PlannedLink[] {
  const links: Omit<PlannedLink, 'containerPort'>[] = [];
  const add = (name: string, host: string, port: number, fromHost: boolean) => links.push({ name, upstream: { host, port }, fromHost });
  if (topology.redis) {
    add('target-to-redis', 'redis', ports.redis, true);
    for (let i = 1; i <= (topology.redis.replicas ?? 0); i++) {
      add(`redis-replica-${i}-to-redis`, 'redis', ports.redis, false);
      add(`target-to-redis-replica-${i}`, `redis-replica-${i}`, ports.redis, true);
    }
  }
  if (topology.postgres) {
    add('target-to-postgres', 'postgres', ports.postgres, true);
    for (let i = 1; i <= (topology.postgres.replicas ?? 0); i++) {
      add(`postgres-replica-${i}-to-postgres`, 'postgres', ports.postgres, false);
      add(`target-to-postgres-replica-${i}`, `postgres-replica-${i}`, ports.postgres, true);
    }
  }
  if (topology.etcd) {
    const members = topology.etcd.members ?? 1;
    for (let i = 1; i <= members; i++) add(`target-to-etcd-${i}`, `etcd-${i}`, ports.etcdClient, true);
    if (members > 1) for (let i = 1; i <= members; i++) add(`peers-to-etcd-${i}`, `etcd-${i}`, ports.etcdPeer, false);
  }
  return links.map((link, i) => ({ ...link, containerPort: 20_001 + i }));
}
