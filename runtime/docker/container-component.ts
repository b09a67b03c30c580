import type { ContainerRuntimeClient, StartedTestContainer } from 'testcontainers';
import type { Component, Killable, Pausable } from '../component.ts';
import type { ComponentKind } from '../topology.ts';

/**
 * A `Component` backed by one container. `host`/`port` are its address on
 * the environment's Docker network (reached from the host only through
 * links). kill is SIGKILL, restart starts the same container (same
 * filesystem, so the same data) and waits for it as at first, pause and
 * resume freeze its cgroup. `stop()` is final: it removes the container.
 */
export class ContainerComponent implements Component, Killable, Pausable {
  private stopped = false;

  constructor(
    readonly name: string,
    readonly kind: ComponentKind,
    readonly host: string,
    readonly port: number,
    private readonly container: StartedTestContainer,
    private readonly client: ContainerRuntimeClient,
  ) {}

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.resume().catch(() => undefined); // a frozen container cannot take its stop signal
    await this.container.stop({ timeout: 5_000 });
  }

  async kill(): Promise<void> {
    await this.client.container.getById(this.container.getId()).kill({ signal: 'SIGKILL' });
  }

  async restart(): Promise<void> {
    await this.container.restart();
  }

  async pause(): Promise<void> {
    await this.client.container.getById(this.container.getId()).pause();
  }

  async resume(): Promise<void> {
    const container = this.client.container.getById(this.container.getId());
    if ((await container.inspect()).State.Paused) await container.unpause();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
