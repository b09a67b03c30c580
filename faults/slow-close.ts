import { attributesSchema, numberAttribute, toxicCommon } from './attribute-schemas.ts';
import type { FaultSpec } from './fault-spec.ts';
import { ToxicFault } from './toxic-fault.ts';

const schema = attributesSchema({
  delay: numberAttribute('number of milliseconds', 0),
  ...toxicCommon,
});

/** `slow_close`: holds a connection's close back for `delay` milliseconds after the other side closed. */
export const slowClose: FaultSpec<ReturnType<typeof schema.parse>> = {
  network: true,
  describe: 'delay closing a connection by delay (ms)',
  schema,
  create: (on, a, ctx) => new ToxicFault('slow_close', on, a, ctx.toxiproxyUrl, 'slow_close', { delay: a.delay }),
};
