import { attributesSchema, numberAttribute, toxicCommon } from './attribute-schemas.ts';
import type { FaultSpec } from './fault-spec.ts';
import { ToxicFault } from './toxic-fault.ts';

const schema = attributesSchema({
  timeout: numberAttribute('number of milliseconds', 0).default(0),
  ...toxicCommon,
});

/** `reset_peer`: resets connections (TCP RST, "connection reset by peer") at once, or after `timeout` milliseconds. */
export const resetPeer: FaultSpec<ReturnType<typeof schema.parse>> = {
  network: true,
  describe: 'reset connections (TCP RST) after timeout (ms; 0 = at once)',
  schema,
  create: (on, a, ctx) => new ToxicFault('reset_peer', on, a, ctx.toxiproxyUrl, 'reset_peer', { timeout: a.timeout }),
};
