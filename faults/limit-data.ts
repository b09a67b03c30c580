import { attributesSchema, numberAttribute, toxicCommon } from './attribute-schemas.ts';
import type { FaultSpec } from './fault-spec.ts';
import { ToxicFault } from './toxic-fault.ts';

const schema = attributesSchema({
  bytes: numberAttribute('number of bytes', 0),
  ...toxicCommon,
});

/** `limit_data`: closes a connection once `bytes` bytes have passed through it. */
export const limitData: FaultSpec<ReturnType<typeof schema.parse>> = {
  network: true,
  describe: 'close a connection after bytes have passed',
  schema,
  create: (on, a, ctx) => new ToxicFault('limit_data', on, a, ctx.toxiproxyUrl, 'limit_data', { bytes: a.bytes }),
};
