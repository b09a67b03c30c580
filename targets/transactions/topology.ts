import type { Topology } from '../../runtime/topology.ts';
import { ledgerServices } from './bank/registry.ts';

/**
 * A bank pattern's topology: the two shards (`shard-a`, `shard-b`), the
 * service `target` that the workload drives, and what the pattern adds — its
 * own log database (`txlog`), or Redis and a ledger service a shard
 * (`ledger-a` using shard-a, `ledger-b` using shard-b) for the choreography.
 * Services start after what they use, the ledger services before the target.
 */
export function bankTopology(name: string, options: Record<string, unknown>, adds: { txlog: boolean; ledgers: boolean }): Topology {
  const env = { PB_PATTERN: name, PB_OPTIONS: JSON.stringify(options) };
  const ledgers = Object.fromEntries(
    Object.entries(ledgerServices).map(([shard, service]) => [
      service,
      { file: 'targets/transactions/bank/ledger-server.ts', uses: [shard, 'redis'], env: { ...env, PB_SHARD: shard } },
    ]),
  );
  return {
    postgres: { 'shard-a': {}, 'shard-b': {}, ...(adds.txlog ? { txlog: {} } : {}) },
    ...(adds.ledgers ? { redis: { redis: {} } } : {}),
    services: {
      ...(adds.ledgers ? ledgers : {}),
      target: {
        file: 'targets/transactions/bank/server.ts',
        uses: ['shard-a', 'shard-b', ...(adds.txlog ? ['txlog'] : []), ...(adds.ledgers ? ['redis'] : [])],
        env,
      },
    },
  };
}
