import type { Component } from './component.ts';
import type { Endpoint } from './endpoint.ts';
import type { ComponentKind } from './topology.ts';

/**
 * A named Toxiproxy proxy through which one component dials another (see
 * `topology.ts` for the names). Faults act on it.
 */
export interface Link {
  name: string;
  /** Who dials through it, and whom it reaches. */
  from: string;
  to: string;
  /** Where `from` connects (the proxy's listen address, as `from` sees it). */
  listen: Endpoint;
  /** The real component behind the proxy. */
  upstream: Endpoint;
}

/** A component that ended without being asked to (a crash, an OOM kill, a kill from outside): a fault in the harness, not one the nemesis planned. */
export interface ComponentDeath {
  component: string;
  kind: ComponentKind;
  pid?: number;
  exitCode: number | null;
  signal: string | null;
}

/**
 * A started topology: components, the toxiproxy-server, every link, and the
 * services' URLs. Services reach each other and the stores only through
 * links; clients (k6, the sampler) reach components directly. Disposing stops
 * everything, services first, and removes every toxic. A component that
 * ends on its own while the environment runs is told to `onDeath` listeners.
 */
export interface Environment extends AsyncDisposable {
  /** Logs go to `${runDir}/logs/<component>.log`. */
  readonly runDir: string;
  readonly toxiproxyUrl: string;
  /** Every component by name, toxiproxy included; each says its `kind`. */
  readonly components: ReadonlyMap<string, Component>;
  readonly links: ReadonlyMap<string, Link>;
  /** Each service's replica URLs as the host reaches them (`http://127.0.0.1:PORT`), by service name, in replica order. */
  readonly services: ReadonlyMap<string, readonly string[]>;
  /** Calls `listener` for each component that ends unasked before `stop()` begins; returns an unsubscribe. */
  onDeath(listener: (death: ComponentDeath) => void): () => void;
  stop(): Promise<void>;
}
