import { GenericContainer } from 'testcontainers';

/**
 * A `GenericContainer` whose published ports bind to 127.0.0.1 only.
 * testcontainers publishes on every interface and offers no option for the
 * host IP, so this fills `HostIp` in just before the container is created.
 */
export class LoopbackContainer extends GenericContainer {
  protected override async beforeContainerCreated(): Promise<void> {
    for (const bindings of Object.values(this.hostConfig.PortBindings ?? {}) as { HostIp?: string }[][]) {
      for (const binding of bindings) binding.HostIp = '127.0.0.1';
    }
  }
}
