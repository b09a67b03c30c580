import { join } from 'node:path';
import { type ContainerRuntimeClient, GenericContainer, type WaitStrategy } from 'testcontainers';
import { repoRoot } from '../local/tools.ts';
import type { ContainerSpec } from './container-plan.ts';

/** What a `PlannedContainer` needs of the environment it joins. */
export interface Placement {
  client: ContainerRuntimeClient;
  /** Network key → the Docker network's name. */
  networks: ReadonlyMap<string, string>;
  /** Where its port is published on 127.0.0.1. */
  hostPort: number;
  labels: Record<string, string>;
  /** Told each container's id as soon as it exists (before it starts): may throw to abandon it. */
  created: (id: string) => Promise<void>;
}

/**
 * A testcontainers `GenericContainer` for one `ContainerSpec`: its image,
 * entrypoint, command, user, environment and files; created on its first
 * network with its aliases there and joined to its other networks before it
 * starts (testcontainers, given aliases, would also put it on Docker's
 * default bridge); its port published on 127.0.0.1 only (testcontainers
 * offers no host address, so the binding is filled in just before the
 * container is created); started once `ready` says so.
 */
export class PlannedContainer extends GenericContainer {
  constructor(
    private readonly spec: ContainerSpec,
    ready: WaitStrategy,
    private readonly placement: Placement,
  ) {
    super(spec.image);
    if (spec.entrypoint) this.withEntrypoint(spec.entrypoint);
    if (spec.user) this.withUser(spec.user);
    this.withCommand(spec.command)
      .withEnvironment(spec.env)
      .withLabels(placement.labels)
      .withExposedPorts({ container: spec.port, host: placement.hostPort })
      .withNetworkMode(this.dockerNetwork(Object.keys(spec.networks)[0]))
      .withCopyFilesToContainer(spec.files.map((f) => ({ source: join(repoRoot, f.source), target: f.target, mode: 0o755 })))
      .withWaitStrategy(ready);
  }

  protected override async beforeContainerCreated(): Promise<void> {
    for (const bindings of Object.values(this.hostConfig.PortBindings ?? {}) as { HostIp?: string }[][]) {
      for (const binding of bindings) binding.HostIp = '127.0.0.1';
    }
    const [first, aliases] = Object.entries(this.spec.networks)[0];
    this.createOpts.NetworkingConfig = { EndpointsConfig: { [this.dockerNetwork(first)]: { Aliases: aliases } } };
  }

  protected override async containerCreated(containerId: string): Promise<void> {
    await this.placement.created(containerId);
    const { client } = this.placement;
    for (const [key, aliases] of Object.entries(this.spec.networks).slice(1)) {
      await client.container.connectToNetwork(client.container.getById(containerId), client.network.getById(this.dockerNetwork(key)), aliases);
    }
  }

  private dockerNetwork(key: string): string {
    const name = this.placement.networks.get(key);
    if (!name) throw new Error(`${this.spec.name}: no network "${key}"`);
    return name;
  }
}
