import { mkdirSync, rmSync } from 'node:fs';
import type { Component } from '../component.ts';
import type { Endpoint, Environment, Link, Topology } from '../environment.ts';
import { EnvironmentBase, bringUp } from '../environment-base.ts';
import { startEtcdCluster } from './etcd.ts';
import { dataDirsFile, pidsFile, writeJson } from './leftovers.ts';
import { createLink, resetLinks } from './links.ts';
import { startPostgres } from './postgres.ts';
import { ProcessComponent } from './process-component.ts';
import { startRedis } from './redis.ts';
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
  return bringUp(new LocalEnvironment(opts.runDir), topology, 'local');
}

class LocalEnvironment extends EnvironmentBase {
  constructor(runDir: string) {
    super(runDir);
    mkdirSync(runDir, { recursive: true });
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

  protected override added(component: Component): void {
    if (component instanceof ProcessComponent) component.onPidChange(() => this.savePids());
    this.savePids();
  }

  /** Every toxic removed first, so nothing stops under a fault. */
  protected override async beforeStop(): Promise<void> {
    if (this.toxiproxyUrl) await resetLinks(this.toxiproxyUrl);
  }

  protected override async afterStop(): Promise<void> {
    rmSync(pidsFile(this.runDir), { force: true });
    rmSync(dataDirsFile(this.runDir), { force: true });
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
