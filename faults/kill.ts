import { attributesSchema, pickAttribute } from './attribute-schemas.ts';
import { requireKillable } from './capability.ts';
import type { FaultSpec } from './fault-spec.ts';
import { ProcessToggleFault } from './process-toggle-fault.ts';

const schema = attributesSchema({ pick: pickAttribute });

/** `kill`: SIGKILL the component's process; stopping the fault restarts it on the same port and data. Throws `FaultInputError` if it is not Killable. */
export const kill: FaultSpec<ReturnType<typeof schema.parse>> = {
  network: false,
  describe: 'kill -9 the component; restart it when the fault stops',
  schema,
  create: (on, _a, ctx) => {
    const component = requireKillable('kill', ctx.components.get(on)!);
    return new ProcessToggleFault(
      'kill',
      component,
      () => component.kill(),
      () => component.restart(),
    );
  },
};
