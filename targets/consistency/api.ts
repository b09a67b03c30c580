import type { Route } from '../kit/http.ts';

/** Every answer names the component that served it: `db`, `db-replica-1`, `db-2`, `target-3`. */
export type Served = { node: string };

/**
 * The consistency family's API as a plain class, what the HTTP routes
 * (`server.ts`) delegate to. Registers hold strings (a key never written
 * reads `null`); counters and sets are for the lock and multi-leader
 * patterns. A pattern implements the operations it has; the route answers
 * 400 for the others. Methods throw the backend's error as is (the route
 * answers 503: it may have taken effect), or an `HttpError` with a 4xx when
 * it surely did not.
 */
export interface ConsistencyPattern {
  read(key: string): Promise<Served & { value: unknown }>;
  write?(key: string, value: string): Promise<Served>;
  /** Sets `to` if the value is `from` (`null`: absent); `swapped: false` when it was not, and nothing happened. */
  cas?(key: string, from: string | null, to: string): Promise<Served & { swapped: boolean }>;
  /** Adds one; what the store can say of it (the value written, a lock's token and hold times …) comes back with it. */
  incr?(key: string): Promise<Served & { [detail: string]: unknown }>;
  /** Adds `element` to the set at `key`. */
  add?(key: string, element: string): Promise<Served>;
  /** Routes of its own beside the family's (a multi-leader replica's `POST /replicate`, which its peers call). */
  readonly routes?: Route[];
  /** What `GET /health` says this replica is: every multi-leader replica leads. */
  readonly role?: 'leader';
  /** What else `GET /health` says now (a lock pattern: how many locks this replica holds). */
  health?(): Record<string, unknown>;
  close(): Promise<unknown>;
}
