import type { InstanceEndpoints, NodeEndpoint, ServiceWorld } from '../../runtime/endpoint.ts';

/** What a service replica is started with: its world (see `serviceEnv`), the pattern it runs, and that pattern's options. */
export interface ServiceSettings extends ServiceWorld {
  port: number;
  /** `PB_PATTERN`: which entry of the family's registry to run (empty for a service that runs no pattern). */
  pattern: string;
  /** `PB_OPTIONS`: the pattern's options as the runner validated them (JSON). */
  options: Record<string, unknown>;
}

/** Reads a service's settings from its environment; throws naming the variable that is missing or not what was expected. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): ServiceSettings {
  const text = (name: string, fallback?: string): string => {
    const value = env[name] ?? fallback;
    if (value === undefined || value === '') throw new Error(`${name} is not set`);
    return value;
  };
  const json = <T>(name: string, fallback: string): T => {
    try {
      return JSON.parse(text(name, fallback)) as T;
    } catch (err) {
      throw new Error(`${name} is not JSON: ${(err as Error).message}`);
    }
  };
  const whole = (name: string, fallback?: string): number => {
    const n = Number(text(name, fallback));
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name}=${env[name]} is not a whole number`);
    return n;
  };
  return {
    port: whole('PORT'),
    name: text('PB_NAME', 'target'),
    replica: whole('PB_REPLICA', '1'),
    replicas: whole('PB_REPLICAS', '1'),
    endpoints: json<Record<string, InstanceEndpoints>>('PB_ENDPOINTS', '{}'),
    peers: json<Record<string, string>>('PB_PEERS', '{}'),
    pattern: env.PB_PATTERN ?? '',
    options: json<Record<string, unknown>>('PB_OPTIONS', '{}'),
  };
}

/** The nodes of `instance` this service dials (primary or first member first); throws when it was not given that instance. */
export function nodesOf(settings: ServiceWorld, instance: string): NodeEndpoint[] {
  const found = settings.endpoints[instance];
  if (!found) throw new Error(`${settings.name} was given no endpoints for "${instance}"; it has: ${Object.keys(settings.endpoints).join(', ') || '(none)'}`);
  return found.nodes;
}

/** The URL of `instance`'s primary (or first member), through this service's link to it. */
export function primaryUrl(settings: ServiceWorld, instance: string): string {
  return nodesOf(settings, instance)[0].url;
}
