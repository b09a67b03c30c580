import { pgCredentials } from './postgres-settings.ts';
import type { ComponentKind, ComponentRole } from './topology.ts';

/** A TCP address. */
export interface Endpoint {
  host: string;
  port: number;
}

/**
 * The one place connection URLs are built, for any kind of component at any
 * address: `redis://h:p`, `postgres://user:password@h:p/database` (each part
 * URL-encoded), `http://h:p` for etcd, services and Toxiproxy.
 */
export function endpointUrl(kind: ComponentKind, at: Endpoint): string {
  const host = at.host.includes(':') ? `[${at.host}]` : at.host;
  switch (kind) {
    case 'redis':
      return `redis://${host}:${at.port}`;
    case 'postgres': {
      const { user, password, database } = pgCredentials;
      return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${at.port}/${encodeURIComponent(database)}`;
    }
    default:
      return `http://${host}:${at.port}`;
  }
}

/** One node a service can dial, as the service sees it: through its link. */
export interface NodeEndpoint extends Endpoint {
  /** The component's name (`redis-replica-1`, `etcd-2`, `payment`). */
  name: string;
  role: ComponentRole;
  url: string;
}

/** An instance a service uses: its kind and its nodes, the primary (or first member) first. */
export interface InstanceEndpoints {
  kind: ComponentKind;
  nodes: NodeEndpoint[];
}

/**
 * What a service replica is told of its world, in its environment:
 * - `PB_NAME` its component name, `PB_REPLICA` its number (1-based), `PB_REPLICAS` how many;
 * - `PB_ENDPOINTS` JSON `{ instance: InstanceEndpoints }` for every instance it uses;
 * - `PB_PEERS` JSON `{ replica name: url }` of its peers, when the service has `peers`;
 * - `PORT`, where it must listen, on 127.0.0.1 unless `PB_LISTEN_HOST` names another address
 *   (0.0.0.0 in a container).
 * The service kit (`targets/kit`) reads it back.
 */
export interface ServiceWorld {
  name: string;
  replica: number;
  replicas: number;
  endpoints: Record<string, InstanceEndpoints>;
  peers: Record<string, string>;
}

/** `world` as the environment variables a service replica is started with (PORT aside). */
export function serviceEnv(world: ServiceWorld): Record<string, string> {
  return {
    PB_NAME: world.name,
    PB_REPLICA: String(world.replica),
    PB_REPLICAS: String(world.replicas),
    PB_ENDPOINTS: JSON.stringify(world.endpoints),
    PB_PEERS: JSON.stringify(world.peers),
  };
}
