import type { Component, Killable } from '../runtime/component.ts';
import { attributesSchema } from './attribute-schemas.ts';
import { requireKillable } from './capability.ts';
import type { Fault } from './fault.ts';
import type { FaultSpec } from './fault-spec.ts';

const schema = attributesSchema({});

/** kill -9 on start; on stop, starts the component again on the same port and data. */
class KillFault implements Fault {
  readonly kind = 'kill';
  readonly attributes = {};
  private killed = false;

  constructor(private readonly component: Component & Killable) {}

  get on(): string {
    return this.component.name;
  }

  async start(): Promise<void> {
    if (this.killed) return;
    // Marked first: a kill that throws may still have landed, and stop must then restart.
    this.killed = true;
    await this.component.kill();
  }

  async stop(): Promise<void> {
    if (!this.killed) return;
    await this.component.restart();
    this.killed = false;
  }
}

/** `kill`: SIGKILL the component's process; stopping the fault restarts it. Throws `FaultInputError` if it is not Killable. */
export const kill: FaultSpec<ReturnType<typeof schema.parse>> = {
  network: false,
  describe: 'kill -9 the component; restart it when the fault stops',
  schema,
  create: (on, _a, ctx) => new KillFault(requireKillable('kill', ctx.components.get(on)!)),
};
