import { attributesSchema, numberAttribute, toxicCommon } from './attribute-schemas.ts';
import type { FaultSpec } from './fault-spec.ts';
import { ToxicFault } from './toxic-fault.ts';

const schema = attributesSchema({
  timeout: numberAttribute('number of milliseconds', 0),
  ...toxicCommon,
});

/**
 * `timeout`: lets no data through and closes the connection after `timeout`
 * milliseconds; `0` never closes it — a black hole: requests hang until the
 * fault stops (or the client's own timeout fires).
 */
export const timeout: FaultSpec<ReturnType<typeof schema.parse>> = {
  network: true,
  describe: 'stop all data, close after timeout (ms); 0 = hang forever (black hole)',
  schema,
  create: (on, a, ctx) => new ToxicFault('timeout', on, a, ctx.toxiproxyUrl, 'timeout', { timeout: a.timeout }),
};
