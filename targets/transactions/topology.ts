import type { Topology } from '../../runtime/topology.ts';
import { ledgerServices } from './bank/registry.ts';
import { participantNames } from './orders/order.ts';

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

/**
 * An order pattern's topology: the order service `target` on `orders-db`,
 * and the participants `inventory`, `payment`, `shipping`, each on its own
 * database (`<name>-db`); with `redis`, the choreography's stream, which
 * every service uses. The participants start before the order service.
 */
export function orderTopology(name: string, options: Record<string, unknown>, adds: { redis: boolean }): Topology {
  const redis = adds.redis ? ['redis'] : [];
  const participants = Object.fromEntries(
    participantNames.map((p) => [
      p,
      { file: 'targets/transactions/orders/participant-server.ts', uses: [`${p}-db`, ...redis], env: { PB_OPTIONS: JSON.stringify(options) } },
    ]),
  );
  return {
    postgres: Object.fromEntries(['orders-db', ...participantNames.map((p) => `${p}-db`)].map((db) => [db, {}])),
    ...(adds.redis ? { redis: { redis: {} } } : {}),
    services: {
      ...participants,
      target: {
        file: 'targets/transactions/orders/server.ts',
        uses: ['orders-db', ...participantNames, ...redis],
        env: { PB_PATTERN: name, PB_OPTIONS: JSON.stringify(options) },
      },
    },
  };
}
