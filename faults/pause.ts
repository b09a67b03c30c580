import { attributesSchema, pickAttribute } from './attribute-schemas.ts';
import { requirePausable } from './capability.ts';
import type { FaultSpec } from './fault-spec.ts';
import { ProcessToggleFault } from './process-toggle-fault.ts';

const schema = attributesSchema({ pick: pickAttribute });

/**
 * `pause`: freeze the component (SIGSTOP) until the fault stops (SIGCONT);
 * the process keeps its sockets open but answers nothing meanwhile. Throws
 * `FaultInputError` if it is not Pausable.
 */
export const pause: FaultSpec<ReturnType<typeof schema.parse>> = {
  network: false,
  describe: 'freeze the component (SIGSTOP); thaw it (SIGCONT) when the fault stops',
  schema,
  create: (on, _a, ctx) => {
    const component = requirePausable('pause', ctx.components.get(on)!);
    return new ProcessToggleFault(
      'pause',
      component,
      () => component.pause(),
      () => component.resume(),
    );
  },
};
