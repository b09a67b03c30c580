import type { ComponentKind } from './topology.ts';

/**
 * A started real component (a Redis, a PostgreSQL, an etcd member, a
 * toxiproxy-server, a target service). Stopping is idempotent and leaves
 * nothing running; `await using` stops it even when a test throws.
 */
export interface Component extends AsyncDisposable {
  /** Unique within an environment: `redis`, `redis-replica-1`, `postgres`, `etcd-2`, `target`. */
  readonly name: string;
  /** What it is, for whoever treats kinds alike (the sampler samples every Redis). */
  readonly kind: ComponentKind;
  /** Always a loopback address for the local runtime. */
  readonly host: string;
  readonly port: number;
  /** Stops gracefully (SIGTERM, then SIGKILL after a grace period); idempotent. */
  stop(): Promise<void>;
}

/** A component whose process can be killed (SIGKILL) and started again on the same port and data. */
export interface Killable {
  kill(): Promise<void>;
  restart(): Promise<void>;
}

/** A component whose process can be frozen (SIGSTOP) and thawed (SIGCONT). */
export interface Pausable {
  pause(): Promise<void>;
  resume(): Promise<void>;
}

export function isKillable(c: Component): c is Component & Killable {
  return typeof (c as Partial<Killable>).kill === 'function' && typeof (c as Partial<Killable>).restart === 'function';
}

export function isPausable(c: Component): c is Component & Pausable {
  return typeof (c as Partial<Pausable>).pause === 'function' && typeof (c as Partial<Pausable>).resume === 'function';
}
