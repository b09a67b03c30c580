import type { Component } from './component.ts';
import type { ComponentDeath, Environment, Link } from './environment.ts';
import { onShutdown } from './shutdown.ts';
import type { Topology } from './topology.ts';

/**
 * What every runtime's environment shares: the component, link and service
 * tables, and an idempotent stop — every component in reverse start order
 * (services, which start last, stop first) — that also runs on SIGINT and
 * SIGTERM. A runtime supplies `bringUp` and what it must do before and after
 * its components stop.
 */
export abstract class EnvironmentBase implements Environment {
  toxiproxyUrl = '';
  readonly components = new Map<string, Component>();
  readonly links = new Map<string, Link>();
  readonly services = new Map<string, string[]>();
  private readonly unregisterShutdown = onShutdown(() => this.stop());
  private stopping: Promise<void> | undefined;
  private readonly deathListeners = new Set<(death: ComponentDeath) => void>();

  constructor(readonly runDir: string) {}

  /** Starts what the topology asks for, recording each component with `add`. */
  abstract bringUp(topology: Topology): Promise<void>;

  /** Before any component stops (the local runtime removes every toxic). */
  protected async beforeStop(): Promise<void> {}

  /** After every component stopped (the local runtime drops its pid files, the docker one its network). */
  protected async afterStop(): Promise<void> {}

  /** Records a started component; one that finished starting after stop() began is stopped at once, and this throws. */
  protected add<C extends Component>(component: C): C {
    if (this.stopping) {
      void component.stop().catch(() => undefined);
      throw new Error(`${component.name} started after the environment began stopping`);
    }
    this.components.set(component.name, component);
    this.added(component);
    return component;
  }

  /** Told of each component `add` records. */
  protected added(_component: Component): void {}

  onDeath(listener: (death: ComponentDeath) => void): () => void {
    this.deathListeners.add(listener);
    return () => this.deathListeners.delete(listener);
  }

  /** A runtime calls this when a component ended unasked; once stop() has begun, ends are expected and not told. */
  protected died(death: ComponentDeath): void {
    if (this.stopping) return;
    for (const listener of this.deathListeners) listener(death);
  }

  /** Idempotent; throws the first stop error after trying every component. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    const errors: unknown[] = [];
    await this.beforeStop().catch((err) => errors.push(err));
    for (const component of [...this.components.values()].reverse()) await component.stop().catch((err) => errors.push(err));
    await this.afterStop().catch((err) => errors.push(err));
    this.unregisterShutdown();
    if (errors.length > 0) throw errors[0];
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** Brings an environment up; if that fails, stops what it had started and throws `<runtime> environment did not start: …`. */
export async function bringUp<E extends EnvironmentBase>(env: E, topology: Topology, runtime: string): Promise<E> {
  try {
    await env.bringUp(topology);
  } catch (err) {
    await env.stop().catch(() => undefined);
    throw new Error(`${runtime} environment did not start: ${(err as Error).message}`, { cause: err });
  }
  return env;
}

/** Waits for every promise to settle, then throws the first rejection: a failed start must not leave a sibling still starting unseen by stop(). */
export async function settleAll(work: Array<Promise<unknown> | undefined | false>): Promise<void> {
  const failed = (await Promise.allSettled(work.filter(Boolean) as Promise<unknown>[])).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
