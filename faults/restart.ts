import type { Component, Killable } from '../runtime/component.ts';
import { attributesSchema, pickAttribute } from './attribute-schemas.ts';
import { requireKillable } from './capability.ts';
import type { Fault } from './fault.ts';
import type { FaultSpec } from './fault-spec.ts';

const schema = attributesSchema({ pick: pickAttribute });

/**
 * A graceful restart (SIGTERM, wait, start on the same port and data),
 * done in full by `start`: the component's own `stop()` is final (it removes
 * the data dir), so the fault cannot hold it stopped; `stop` has nothing to
 * revert. A span `for` in a schedule only marks the window in the report.
 */
class RestartFault implements Fault {
  readonly kind = 'restart';
  readonly attributes = {};

  constructor(private readonly component: Component & Killable) {}

  get on(): string {
    return this.component.name;
  }

  async start(): Promise<void> {
    await this.component.restart();
  }

  async stop(): Promise<void> {}
}

/** `restart`: gracefully stop and start the component again. Throws `FaultInputError` if it is not Killable (restartable). */
export const restart: FaultSpec<ReturnType<typeof schema.parse>> = {
  network: false,
  describe: 'gracefully stop the component and start it again',
  schema,
  create: (on, _a, ctx) => new RestartFault(requireKillable('restart', ctx.components.get(on)!)),
};
