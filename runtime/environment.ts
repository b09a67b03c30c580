import type { Component } from './component.ts';

/** What a target needs started under it. Absent means not needed. */
export interface Topology {
  /** `maxmemoryBytes` / `maxmemoryPolicy` are Redis's `maxmemory` (bytes) and `maxmemory-policy` (e.g. `allkeys-lru`), for the caching family. */
  redis?: { replicas?: number; maxmemoryBytes?: number; maxmemoryPolicy?: string };
  postgres?: { replicas?: number };
  etcd?: { members?: 1 | 3 };
}

export interface Endpoint {
  host: string;
  port: number;
}

export interface PgEndpoint extends Endpoint {
  user: string;
  password: string;
  database: string;
}

/**
 * A named Toxiproxy proxy between two components. Every link a target uses
 * (target→redis, target→postgres, replica→primary, etcd peer) is one, so
 * faults can act on it. Names are URL-safe: `target-to-redis`,
 * `redis-replica-1-to-redis`, `target-to-postgres`, `peers-to-etcd-2`.
 */
export interface Link {
  name: string;
  /** Where the downstream side connects (the proxy's listen address). */
  listen: Endpoint;
  /** The real component behind the proxy. */
  upstream: Endpoint;
}

/**
 * A started topology: components, the toxiproxy-server and every link. A
 * target connects only through `endpoints`, which point at link proxies.
 * Disposing stops everything and removes every toxic.
 */
export interface Environment extends AsyncDisposable {
  /** Logs go to `${runDir}/logs/<component>.log`. */
  readonly runDir: string;
  readonly toxiproxyUrl: string;
  readonly components: ReadonlyMap<string, Component>;
  readonly links: ReadonlyMap<string, Link>;
  readonly endpoints: {
    redis?: Endpoint;
    redisReplicas?: Endpoint[];
    postgres?: PgEndpoint;
    postgresReplicas?: PgEndpoint[];
    etcd?: Endpoint[];
  };
  /** Adds a component the environment will stop with the rest (a target service). */
  adopt(component: Component): void;
  stop(): Promise<void>;
}
