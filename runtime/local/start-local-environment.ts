import { mkdirSync, rmSync } from 'node:fs';
import type { Component } from '../component.ts';
import { type Endpoint, endpointUrl, type InstanceEndpoints, serviceEnv } from '../endpoint.ts';
import type { Environment, Link } from '../environment.ts';
import { bringUp, EnvironmentBase, settleAll } from '../environment-base.ts';
import { type PlannedComponent, planTopology, type Topology, type TopologyPlan } from '../topology.ts';
import { startEtcdCluster } from './etcd.ts';
import { freePort } from './free-port.ts';
import { dataDirsFile, pidsFile, writeJson } from './leftovers.ts';
import { createLink, type LinkSpec, resetLinks } from './links.ts';
import { startNodeService } from './node-service.ts';
import { startPostgres } from './postgres.ts';
import { ProcessComponent } from './process-component.ts';
import { startRedis } from './redis.ts';
import { processIdentity, type ProcessIdentity } from './supervisor.ts';
import { startToxiproxyServer } from './toxiproxy-server.ts';

export { stopLeftovers } from './leftovers.ts';

/**
 * Starts `topology` as local processes on loopback: toxiproxy-server; then
 * every Redis, PostgreSQL and etcd instance concurrently (each primary before
 * its replicas, which dial it through their links); then the services, in
 * the order their `uses` allow, each replica told its endpoints — the links
 * it dials — in its environment (`serviceEnv`). Every name is the one
 * `planTopology` gives. Logs go to `${runDir}/logs/<name>.log`;
 * `${runDir}/pids.json` maps names to process identities (kept current across restarts)
 * and `data-dirs.json` names to temp data dirs, for `stopLeftovers`.
 * SIGINT/SIGTERM stop it. A start that fails stops whatever it had started
 * and throws an error naming the step that failed.
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
    const plan = planTopology(topology);
    const toxiproxy = this.add(await startToxiproxyServer({ runDir: this.runDir }));
    this.toxiproxyUrl = toxiproxy.apiUrl;
    await settleAll([
      ...Object.entries(topology.redis ?? {}).map(([name, spec]) =>
        this.startReplicated(plan, name, (c, replicaOf) => startRedis({ name: c.name, runDir: this.runDir, replicaOf, ...spec })),
      ),
      ...Object.entries(topology.postgres ?? {}).map(([name, spec]) =>
        this.startReplicated(plan, name, (c, replicaOf) =>
          startPostgres({ name: c.name, runDir: this.runDir, replicaOf, settings: c.role === 'primary' ? spec.settings : undefined }),
        ),
      ),
      ...Object.entries(topology.etcd ?? {}).map(async ([name, spec], index) => {
        const members = await startEtcdCluster({ name, members: spec.members, index, runDir: this.runDir, link: (l) => this.link(l) });
        for (const member of members) this.add(member);
      }),
    ]);
    await this.startServices(topology, plan);
  }

  /** Starts a primary, then each replica after its link to the primary exists. */
  private async startReplicated(
    plan: TopologyPlan,
    instance: string,
    start: (c: PlannedComponent, replicaOf: Endpoint | undefined) => Promise<Component>,
  ): Promise<void> {
    const [primary, ...replicas] = plan.components.filter((c) => c.instance === instance);
    const started = this.add(await start(primary, undefined));
    for (const replica of replicas) {
      const planned = plan.links.find((l) => l.from === replica.name && l.to === primary.name)!;
      const upstream = await this.link({ ...planned, upstream: started });
      this.add(await start(replica, upstream.listen));
    }
  }

  /**
   * Every service replica gets its port first, so that every link a service
   * dials — to a store, another service or a peer — exists before any
   * service starts; then services start in plan order, the replicas of one
   * concurrently.
   */
  private async startServices(topology: Topology, plan: TopologyPlan): Promise<void> {
    const services = plan.components.filter((c) => c.kind === 'service');
    if (services.length === 0) return;
    const ports = new Map<string, number>();
    for (const s of services) {
      let port = await freePort();
      while ([...ports.values()].includes(port)) port = await freePort();
      ports.set(s.name, port);
    }
    const address = (name: string): Endpoint => {
      const port = ports.get(name) ?? this.components.get(name)?.port;
      if (port === undefined) throw new Error(`no address for ${name}`);
      return { host: '127.0.0.1', port };
    };
    // One after another, so that the links are listed in plan order.
    const links: Link[] = [];
    for (const l of plan.links.filter((l) => ports.has(l.from))) links.push(await this.link({ ...l, upstream: address(l.to) }));
    const kindOf = new Map(plan.components.map((c) => [c.name, c]));
    const order = [...new Set(services.map((s) => s.instance))];
    for (const instance of order) {
      const spec = topology.services![instance];
      const replicas = services.filter((s) => s.instance === instance);
      const started = await Promise.allSettled(
        replicas.map((replica) => {
          const endpoints: Record<string, InstanceEndpoints> = {};
          const peers: Record<string, string> = {};
          for (const link of links.filter((l) => l.from === replica.name)) {
            const to = kindOf.get(link.to)!;
            const node = { name: to.name, role: to.role, ...link.listen, url: endpointUrl(to.kind, link.listen) };
            if (to.instance === instance) peers[to.name] = node.url;
            else (endpoints[to.instance] ??= { kind: to.kind, nodes: [] }).nodes.push(node);
          }
          const world = { name: replica.name, replica: replica.replica!, replicas: replicas.length, endpoints, peers };
          return startNodeService({
            name: replica.name,
            file: spec.file,
            port: ports.get(replica.name),
            env: { ...spec.env, ...serviceEnv(world) },
            runDir: this.runDir,
          });
        }),
      );
      for (const r of started) if (r.status === 'fulfilled') this.add(r.value);
      await settleAll(started.map((r) => (r.status === 'rejected' ? Promise.reject(r.reason) : undefined)));
      this.services.set(
        instance,
        replicas.map((r) => endpointUrl('service', address(r.name))),
      );
    }
  }

  private async link(spec: LinkSpec): Promise<Link> {
    const link = await createLink(this.toxiproxyUrl, spec);
    this.links.set(link.name, link);
    return link;
  }

  protected override added(component: Component): void {
    if (component instanceof ProcessComponent) {
      component.onPidChange(() => this.savePids());
      component.onUnplannedExit((exit) => this.died({ component: component.name, kind: component.kind, ...exit }));
    }
    this.savePids();
  }

  /** Every toxic removed first, so nothing stops under a fault (unless toxiproxy-server died: its toxics went with it). */
  protected override async beforeStop(): Promise<void> {
    const toxiproxy = this.components.get('toxiproxy') as ProcessComponent | undefined;
    if (this.toxiproxyUrl && toxiproxy?.pid !== undefined) await resetLinks(this.toxiproxyUrl);
  }

  protected override async afterStop(): Promise<void> {
    rmSync(pidsFile(this.runDir), { force: true });
    rmSync(dataDirsFile(this.runDir), { force: true });
  }

  /** Each process by its identity (pid, boot, start time, command line), so that `stopLeftovers` signals no process that merely got a recorded pid. */
  private savePids(): void {
    const pids: Record<string, ProcessIdentity | { pid: number }> = {};
    const dataDirs: Record<string, string> = {};
    for (const [name, component] of this.components) {
      const { pid, dataDir } = component as { pid?: unknown; dataDir?: unknown };
      if (typeof pid === 'number') pids[name] = processIdentity(pid) ?? { pid };
      if (typeof dataDir === 'string') dataDirs[name] = dataDir;
    }
    writeJson(pidsFile(this.runDir), pids);
    writeJson(dataDirsFile(this.runDir), dataDirs);
  }
}
