import { attributesSchema, numberAttribute, toxicCommon } from './attribute-schemas.ts';
import type { FaultSpec } from './fault-spec.ts';
import { ToxicFault } from './toxic-fault.ts';

const schema = attributesSchema({
  rate: numberAttribute('number of KB/s', 0),
  ...toxicCommon,
});

/** `bandwidth`: limits a link to `rate` KB/s (0 passes nothing). */
export const bandwidth: FaultSpec<ReturnType<typeof schema.parse>> = {
  network: true,
  describe: 'limit throughput to rate (KB/s)',
  schema,
  create: (on, a, ctx) => new ToxicFault('bandwidth', on, a, ctx.toxiproxyUrl, 'bandwidth', { rate: a.rate }),
};
