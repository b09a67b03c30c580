import type { Component, Pausable } from '../runtime/component.ts';
import { attributesSchema } from './attribute-schemas.ts';
import { requirePausable } from './capability.ts';
import type { Fault } from './fault.ts';
import type { FaultSpec } from './fault-spec.ts';

const schema = attributesSchema({});

/** SIGSTOP on start, SIGCONT on stop: the process keeps its sockets open but answers nothing meanwhile. */
class PauseFault implements Fault {
  readonly kind = 'pause';
  readonly attributes = {};
  private paused = false;

  constructor(private readonly component: Component & Pausable) {}

  get on(): string {
    return this.component.name;
  }

  async start(): Promise<void> {
    if (this.paused) return;
    this.paused = true;
    await this.component.pause();
  }

  async stop(): Promise<void> {
    if (!this.paused) return;
    await this.component.resume();
    this.paused = false;
  }
}

/** `pause`: freeze the component (SIGSTOP) until the fault stops (SIGCONT). Throws `FaultInputError` if it is not Pausable. */
export const pause: FaultSpec<ReturnType<typeof schema.parse>> = {
  network: false,
  describe: 'freeze the component (SIGSTOP); thaw it (SIGCONT) when the fault stops',
  schema,
  create: (on, _a, ctx) => new PauseFault(requirePausable('pause', ctx.components.get(on)!)),
};
