import { mkdirSync, rmSync } from 'node:fs';
import type { Component } from '../component.ts';
import type { Endpoint, Environment, Link, Topology } from '../environment.ts';
import { startEtcdCluster } from './etcd.ts';
import { dataDirsFile, pidsFile, writeJson } from './leftovers.ts';
import { createLink, resetLinks } from './links.ts';
import { startPostgres } from './postgres.ts';
import { ProcessComponent } from './process-component.ts';
import { startRedis } from './redis.ts';
import { onShutdown } from './supervisor.ts';
import { startToxiproxyServer } from './toxiproxy-server.ts';

export { stopLeftovers } from './leftovers.ts';

/**
 * Starts `topology` as local processes on 127.0.0.1: toxiproxy-server, then
 * Redis, PostgreSQL and etcd (the three concurrently, each primary before its
 * replicas), with a Toxiproxy link in front of every connection a target or
 * replica makes. `endpoints` are link addresses. Logs go to
 * `${runDir}/logs/<name>.log`; `${runDir}/pids.json` maps names to pids (kept
 * current across restarts) and `data-dirs.json` names to temp data dirs, for
 * `stopLeftovers`. SIGINT/SIGTERM stop it. A
 * start that fails stops whatever it had started and throws an error naming
 * the step that failed.
 */
export async function startLocalEnvironment(topology: Topology, opts: { runDir: string }): Promise<Environment> {
  const env = new LocalEnvironment(opts.runDir);
  try {
    await env.bringUp(topology);
  } catch (err) {
    await env.stop().catch(() => undefined);
    throw new Error(`local environment did not start: ${(err as Error).message}`, { cause: err });
  }
  return env;
}

class LocalEnvironment implements Environment {
  toxiproxyUrl = '';
  readonly components = new Map<string, Component>();
  readonly links = new Map<string, Link>();
  readonly endpoints: Environment['endpoints'] = {};
  private readonly adopted: Component[] = [];
  private readonly unregisterShutdown: () => void;
  private stopping: Promise<void> | undefined;

  constructor(readonly runDir: string) {
    mkdirSync(runDir, { recursive: true });
    this.unregisterShutdown = onShutdown(() => this.stop());
  }

  async bringUp(topology: Topology): Promise<void> {
    const toxiproxy = await startToxiproxyServer({ runDir: this.runDir });
    this.add(toxiproxy);
    this.toxiproxyUrl = toxiproxy.apiUrl;
    const chains = [
      topology.redis && this.startRedis(topology.redis),
      topology.postgres && this.startPostgres(topology.postgres),
      topology.etcd && this.startEtcd(topology.etcd.members ?? 1),
    ];
    // Wait for every chain to settle before failing, so stop() sees all that started.
    const failed = (await Promise.allSettled(chains)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async startRedis(spec: NonNullable<Topology['redis']>): Promise<void> {
    const memory = { maxmemoryBytes: spec.maxmemoryBytes, maxmemoryPolicy: spec.maxmemoryPolicy };
    const primary = this.add(await startRedis({ name: 'redis', runDir: this.runDir, ...memory }));
    this.endpoints.redis = (await this.link('target-to-redis', primary)).listen;
    this.endpoints.redisReplicas = [];
    for (let i = 1; i <= (spec.replicas ?? 0); i++) {
      const name = `redis-replica-${i}`;
      const upstream = await this.link(`${name}-to-redis`, primary);
      const replica = this.add(await startRedis({ name, runDir: this.runDir, replicaOf: upstream.listen, ...memory }));
      this.endpoints.redisReplicas.push((await this.link(`target-to-${name}`, replica)).listen);
    }
  }

  private async startPostgres(spec: NonNullable<Topology['postgres']>): Promise<void> {
    const primary = this.add(await startPostgres({ name: 'postgres', runDir: this.runDir }));
    const { user, password, database } = primary;
    this.endpoints.postgres = { ...(await this.link('target-to-postgres', primary)).listen, user, password, database };
    this.endpoints.postgresReplicas = [];
    for (let i = 1; i <= (spec.replicas ?? 0); i++) {
      const name = `postgres-replica-${i}`;
      const upstream = await this.link(`${name}-to-postgres`, primary);
      const replica = this.add(await startPostgres({ name, runDir: this.runDir, replicaOf: upstream.listen }));
      this.endpoints.postgresReplicas.push({ ...(await this.link(`target-to-${name}`, replica)).listen, user, password, database });
    }
  }

  private async startEtcd(members: 1 | 3): Promise<void> {
    const cluster = await startEtcdCluster({ members, runDir: this.runDir, link: (name, upstream) => this.link(name, upstream) });
    for (const member of cluster.components) this.add(member);
    this.endpoints.etcd = cluster.clientEndpoints;
  }

  private async link(name: string, upstream: Endpoint): Promise<Link> {
    const link = await createLink(this.toxiproxyUrl, name, upstream);
    this.links.set(name, link);
    return link;
  }

  /** Records a started component; one that finishes starting after stop() began is stopped at once. */
  private add<C extends Component>(component: C): C {
    if (this.stopping) {
      void component.stop().catch(() => undefined);
      throw new Error(`${component.name} started after the environment began stopping`);
    }
    this.components.set(component.name, component);
    if (component instanceof ProcessComponent) component.onPidChange(() => this.savePids());
    this.savePids();
    return component;
  }

  adopt(component: Component): void {
    this.adopted.push(component);
    this.add(component);
  }

  /** Removes every toxic, stops adopted targets, then every component in reverse start order; idempotent. Throws the first stop error after trying them all. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    const errors: unknown[] = [];
    if (this.toxiproxyUrl) await resetLinks(this.toxiproxyUrl).catch((err) => errors.push(err));
    const rest = [...this.components.values()].filter((c) => !this.adopted.includes(c));
    for (const component of [...this.adopted.reverse(), ...rest.reverse()]) {
      await component.stop().catch((err) => errors.push(err));
    }
    rmSync(pidsFile(this.runDir), { force: true });
    rmSync(dataDirsFile(this.runDir), { force: true });
    this.unregisterShutdown();
    if (errors.length > 0) throw errors[0];
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private savePids(): void {
    const pids: Record<string, number> = {};
    const dataDirs: Record<string, string> = {};
    for (const [name, component] of this.components) {
      const { pid, dataDir } = component as { pid?: unknown; dataDir?: unknown };
      if (typeof pid === 'number') pids[name] = pid;
      if (typeof dataDir === 'string') dataDirs[name] = dataDir;
    }
    writeJson(pidsFile(this.runDir), pids);
    writeJson(dataDirsFile(this.runDir), dataDirs);
  }
}
