import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerRuntimeClient } from 'testcontainers';
import { Toxiproxy } from 'toxiproxy-node-client';
import type { Component } from '../component.ts';
import type { Environment } from '../environment.ts';
import { bringUp, EnvironmentBase, settleAll } from '../environment-base.ts';
import { freePort } from '../local/free-port.ts';
import { writeJson } from '../local/leftovers.ts';
import { resetLinks } from '../local/links.ts';
import { onLastResort } from '../shutdown.ts';
import { planTopology, type Topology } from '../topology.ts';
import { ContainerComponent } from './container-component.ts';
import { type ContainerSpec, componentLabels, planContainers } from './container-plan.ts';
import { dockerStateFile, environmentLabel, ownerLabel, removeLabelled, removeOrphans, thisOwner } from './leftovers.ts';
import { HostReady } from './host-ready.ts';
import { PlannedContainer } from './planned-container.ts';
import { buildServiceImage } from './service-image.ts';

/**
 * Starts `topology` as containers (`planContainers`): the same component
 * and link names as the local runtime, every link a proxy in the toxiproxy
 * container, the services in containers of the service image (built first,
 * its layers cached). Each component's port is published on a free
 * 127.0.0.1 port, which is its `host:port`; `services` are those URLs.
 * Every container and network carries the label
 * `org.patternbench.environment=<id>`, recorded in `${runDir}/docker.json`;
 * `stop()` (also on SIGINT/SIGTERM, and after a failed start) removes each
 * component with its anonymous volumes, then whatever else carries the
 * label, then the networks. They are labelled with this process too, and
 * each start first removes the environments of processes of this machine
 * that are gone (`removeOrphans`): what a kill -9 left, Ryuk's job. Logs go
 * to `${runDir}/logs/<name>.log`. Needs a reachable engine on this machine
 * (`client`); an image it neither has nor can pull fails the start with a
 * pointer to `npm run images`.
 */
export async function startContainers(topology: Topology, runDir: string, client: ContainerRuntimeClient): Promise<Environment> {
  return bringUp(new DockerEnvironment(runDir, client), topology, 'docker');
}

class DockerEnvironment extends EnvironmentBase {
  /** Labels every container and network of this environment. */
  readonly id = `patternbench-${randomBytes(4).toString('hex')}`;
  private readonly networks = new Map<string, string>();
  private readonly hostPorts = new Map<string, number>();
  private readonly labels = { [environmentLabel]: this.id, [ownerLabel]: thisOwner() };
  private closed = false;
  private removed = false;

  constructor(
    runDir: string,
    private readonly client: ContainerRuntimeClient,
  ) {
    super(runDir);
    mkdirSync(join(runDir, 'logs'), { recursive: true });
    // Should the process exit before stop() finished (a second Ctrl-C, the shutdown's 30 s run out), the docker CLI,
    // where there is one, removes what carries the label: a hook at exit cannot wait for the API.
    onLastResort(() => {
      if (this.removed) return;
      const label = `label=${environmentLabel}=${this.id}`;
      spawnSync('sh', ['-c', `docker rm -fv $(docker ps -aq --filter "$1") ; docker network rm $(docker network ls -q --filter "$1")`, 'sh', label], {
        stdio: 'ignore',
        timeout: 20_000,
      });
    });
  }

  async bringUp(topology: Topology): Promise<void> {
    const names = ['toxiproxy', ...planTopology(topology).components.map((c) => c.name)];
    for (const name of names) {
      let port = await freePort();
      while ([...this.hostPorts.values()].includes(port)) port = await freePort();
      this.hostPorts.set(name, port);
    }
    const plan = planContainers(topology, (name) => this.hostPorts.get(name)!);
    await removeOrphans(this.client.container.dockerode);
    writeJson(dockerStateFile(this.runDir), { environment: this.id });
    const imageBuilt = plan.containers.some((c) => c.kind === 'service') ? buildServiceImage(this.client) : undefined;
    imageBuilt?.catch(() => undefined); // awaited below; meanwhile a failure must not be unhandled
    for (const key of plan.networks) {
      const name = `${this.id}-${key}`;
      await this.client.network.create({ Name: name, CheckDuplicate: true, Labels: this.labels });
      this.networks.set(key, name);
    }

    await this.start(plan.toxiproxy);
    this.toxiproxyUrl = `http://127.0.0.1:${this.hostPorts.get('toxiproxy')}`;
    const api = new Toxiproxy(this.toxiproxyUrl);
    for (const p of plan.proxies) {
      await api.createProxy({ name: p.name, listen: p.listen, upstream: p.upstream });
      const [host, port] = [p.upstream.slice(0, p.upstream.lastIndexOf(':')), Number(p.upstream.slice(p.upstream.lastIndexOf(':') + 1))];
      this.links.set(p.name, { name: p.name, from: p.from, to: p.to, listen: p.dial, upstream: { host, port } });
    }

    // Each instance's primary before its replicas; instances, and an etcd cluster's members (each waits for a quorum), concurrently.
    const specs = new Map(plan.containers.map((c) => [c.name, c]));
    const plannedComponents = planTopology(topology).components;
    const stores = plannedComponents.filter((c) => c.kind !== 'service');
    const instances = [...new Set(stores.map((c) => c.instance))];
    await settleAll(
      instances.map(async (instance) => {
        const [first, ...rest] = stores.filter((c) => c.instance === instance);
        if (first.kind === 'etcd') return settleAll([first, ...rest].map((c) => this.start(specs.get(c.name)!)));
        await this.start(specs.get(first.name)!);
        for (const replica of rest) await this.start(specs.get(replica.name)!);
      }),
    );

    await imageBuilt;
    const services = plannedComponents.filter((c) => c.kind === 'service');
    for (const instance of [...new Set(services.map((c) => c.instance))]) {
      const replicas = services.filter((c) => c.instance === instance);
      await settleAll(replicas.map((c) => this.start(specs.get(c.name)!)));
      this.services.set(
        instance,
        replicas.map((c) => `http://127.0.0.1:${this.hostPorts.get(c.name)}`),
      );
    }
  }

  /** Starts one container, records it as a component once it is ready, and follows its log. */
  private async start(spec: ContainerSpec): Promise<ContainerComponent> {
    const hostPort = this.hostPorts.get(spec.name)!;
    const started = await new PlannedContainer(spec, readiness(spec, hostPort), {
      client: this.client,
      networks: this.networks,
      hostPort,
      labels: { ...this.labels, ...componentLabels(spec) },
      created: async (id) => {
        if (!this.closed) return;
        await this.client.container.remove(this.client.container.getById(id), { removeVolumes: true });
        throw new Error(`${spec.name} was created after the environment began stopping`);
      },
    })
      .start()
      .catch(async (err: Error) => {
        const missing = await this.client.container.dockerode
          .getImage(spec.image)
          .inspect()
          .then(
            () => false,
            () => true,
          );
        const hint = missing ? ` (the engine has no ${spec.image} and could not pull it; build the images here: npm run images)` : '';
        throw new Error(`${spec.name}: ${err.message}${hint}`, { cause: err });
      });
    const container = this.client.container.getById(started.getId());
    const component = new ContainerComponent({
      name: spec.name,
      kind: spec.kind,
      port: hostPort,
      container,
      ready: () => readiness(spec, hostPort).waitUntilReady(container),
      logFile: join(this.runDir, 'logs', `${spec.name}.log`),
    });
    this.add(component);
    await component.follow();
    return component;
  }

  /**
   * Every toxic removed first, so nothing stops under a fault; then the
   * containers stop a tier at a time, each tier at once — services, then
   * stores and members, then toxiproxy — as one after another they take
   * seconds each, and a shutdown has 30 s in all. (The base then finds them
   * stopped.)
   */
  protected override async beforeStop(): Promise<void> {
    this.closed = true;
    if (this.toxiproxyUrl) await resetLinks(this.toxiproxyUrl).catch(() => undefined);
    const tier = (c: Component) => (c.kind === 'service' ? 0 : c.kind === 'toxiproxy' ? 2 : 1);
    for (const t of [0, 1, 2]) await Promise.allSettled([...this.components.values()].filter((c) => tier(c) === t).map((c) => c.stop()));
  }

  /** Whatever carries this environment's label and is still there (a container that failed to start), then the networks. */
  protected override async afterStop(): Promise<void> {
    await removeLabelled(this.client.container.dockerode, this.id);
    this.removed = true;
    rmSync(dockerStateFile(this.runDir), { force: true });
  }
}

/** How to tell that `spec`'s component answers, at its published port. */
function readiness(spec: ContainerSpec, hostPort: number): HostReady {
  return new HostReady(spec.kind, spec.role === 'replica', hostPort);
}
