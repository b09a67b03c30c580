/**
 * The faults' wire names, in the catalogue's order (faults/index.ts; a test
 * keeps the two equal). A list apart from the catalogue, so that the CLI can
 * name them without loading every fault, Toxiproxy's client and zod.
 */
export const faultKinds = [
  'latency',
  'bandwidth',
  'slow_close',
  'timeout',
  'down',
  'reset_peer',
  'limit_data',
  'slicer',
  'kill',
  'pause',
  'restart',
  'partition',
] as const;
