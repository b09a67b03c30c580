import { attributesSchema, numberAttribute, toxicCommon } from './attribute-schemas.ts';
import type { FaultSpec } from './fault-spec.ts';
import { ToxicFault } from './toxic-fault.ts';

const schema = attributesSchema({
  average_size: numberAttribute('number of bytes', 1),
  size_variation: numberAttribute('number of bytes', 0).default(0),
  delay: numberAttribute('number of microseconds', 0).default(0),
  ...toxicCommon,
}).refine((a) => a.size_variation < a.average_size, {
  path: ['size_variation'],
  error: (issue) => `expected fewer bytes than average_size, got ${JSON.stringify((issue.input as { size_variation: number }).size_variation)}`,
});

/** `slicer`: cuts data into pieces of `average_size` ± `size_variation` bytes, `delay` microseconds apart. */
export const slicer: FaultSpec<ReturnType<typeof schema.parse>> = {
  network: true,
  describe: 'slice data into average_size ± size_variation byte pieces, delay (µs) apart',
  schema,
  create: (on, a, ctx) =>
    new ToxicFault('slicer', on, a, ctx.toxiproxyUrl, 'slicer', { average_size: a.average_size, size_variation: a.size_variation, delay: a.delay }),
};
