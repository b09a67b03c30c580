import { attributesSchema, numberAttribute, toxicCommon } from './attribute-schemas.ts';
import type { FaultSpec } from './fault-spec.ts';
import { ToxicFault } from './toxic-fault.ts';

const schema = attributesSchema({
  latency: numberAttribute('number of milliseconds', 0),
  jitter: numberAttribute('number of milliseconds', 0).default(0),
  ...toxicCommon,
});

/** `latency`: delays data on a link by `latency` ± `jitter` milliseconds. */
export const latency: FaultSpec<ReturnType<typeof schema.parse>> = {
  network: true,
  describe: 'delay data by latency ± jitter (ms)',
  schema,
  create: (on, a, ctx) => new ToxicFault('latency', on, a, ctx.toxiproxyUrl, 'latency', { latency: a.latency, jitter: a.jitter }),
};
