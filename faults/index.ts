import { Toxiproxy } from 'toxiproxy-node-client';
import type { Fault } from './fault.ts';
import { FaultInputError } from './fault-input-error.ts';
import { GroupFault } from './group-fault.ts';
import { LeaderFault } from './leader-fault.ts';
import { isNamePattern, matchNames } from './name-patterns.ts';
import type { FaultContext, FaultSpec } from './fault-spec.ts';
import { bandwidth } from './bandwidth.ts';
import { down } from './down.ts';
import { kill } from './kill.ts';
import { latency } from './latency.ts';
import { limitData } from './limit-data.ts';
import { partition } from './partition.ts';
import { pause } from './pause.ts';
import { resetPeer } from './reset-peer.ts';
import { restart } from './restart.ts';
import { slicer } from './slicer.ts';
import { slowClose } from './slow-close.ts';
import { timeout } from './timeout.ts';

export type { Fault } from './fault.ts';
export type { FaultContext, FaultSpec } from './fault-spec.ts';
export { FaultInputError } from './fault-input-error.ts';
export { isNamePattern, matchNames } from './name-patterns.ts';

/**
 * The fault catalogue by wire name: network faults act on a link (a
 * Toxiproxy proxy), process faults on a component. Listed here explicitly,
 * never registered by import side effects.
 */
export const faults = {
  latency,
  bandwidth,
  slow_close: slowClose,
  timeout,
  down,
  reset_peer: resetPeer,
  limit_data: limitData,
  slicer,
  kill,
  pause,
  restart,
  partition,
  // `any`: each entry's attributes differ; `createFault` pairs them with their own schema's output.
  // biome-ignore lint/suspicious/noExplicitAny: see the line above
} as const satisfies Record<string, FaultSpec<any>>;

/** A fault's wire name. */
export type FaultKind = keyof typeof faults;

/** Whether `kind` names a fault in the catalogue. */
export function isFaultKind(kind: string): kind is FaultKind {
  return Object.hasOwn(faults, kind);
}

/**
 * Validates `attributes` for fault `kind` against its schema and returns them
 * with defaults filled in (`stream: 'downstream'`, `toxicity: 1` …). Pure.
 * Throws `FaultInputError` for an unknown kind (listing the known ones) or a
 * bad attribute (naming each bad field and what was expected).
 */
export function parseFaultAttributes(kind: string, attributes: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (!isFaultKind(kind)) throw new FaultInputError(`unknown fault "${kind}"; known faults: ${Object.keys(faults).join(', ')}`);
  const parsed = (faults[kind].schema as FaultSpec['schema']).safeParse(attributes);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  throw new FaultInputError(`${kind} fault: ${problems.join('; ')}`);
}

/**
 * Builds (does not start) fault `kind` on link or component `on` — or, when
 * `on` is a pattern (`*`, `|`, `{a,b}`), on every name it matches, as one
 * fault (a `whole` fault, a partition, takes the pattern itself), or with
 * `pick: leader` on the one of them that leads when it starts. Throws
 * `FaultInputError` for an unknown kind, an `on` that names (or matches) no
 * known link (network faults) or component (process faults) — listing the
 * known names — a bad attribute, or a component lacking the capability
 * (kill, pause).
 */
export function createFault(kind: string, on: string, attributes: Readonly<Record<string, unknown>>, ctx: FaultContext): Fault {
  const parsed = parseFaultAttributes(kind, attributes);
  const spec = faults[kind as FaultKind] as FaultSpec;
  const [what, known] = spec.network ? ['link', ctx.links] : ['component', ctx.components];
  const matched = matchNames(on, [...known.keys()]);
  if (matched.length === 0) throw new FaultInputError(`${kind} fault: unknown ${what} "${on}"; known ${what}s: ${[...known.keys()].join(', ') || '(none)'}`);
  if (spec.whole) return spec.create(on, parsed, ctx);
  if (parsed.pick === 'leader') {
    return new LeaderFault(
      kind,
      on,
      parsed,
      matched.map((name) => ({ component: ctx.components.get(name)!, fault: spec.create(name, parsed, ctx) })),
    );
  }
  if (!isNamePattern(on)) return spec.create(on, parsed, ctx);
  return new GroupFault(
    kind,
    on,
    parsed,
    matched.map((name) => spec.create(name, parsed, ctx)),
  );
}

/** Removes every toxic and re-enables every proxy (Toxiproxy's `POST /reset`); throws if the API does not answer. */
export async function clearAllFaults(toxiproxyUrl: string): Promise<void> {
  await new Toxiproxy(toxiproxyUrl).reset();
}

/** One proxy as Toxiproxy sees it now: `enabled: false` is a `down` link; `toxics` are the active toxics. */
export interface LinkState {
  link: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: Array<{ name: string; type: string; stream: string; toxicity: number; attributes: Record<string, unknown> }>;
}

/** Every proxy with its enabled flag and toxics, sorted by name, read from Toxiproxy itself (so faults from any source show); throws if the API does not answer. */
export async function listActiveFaults(toxiproxyUrl: string): Promise<LinkState[]> {
  const client = new Toxiproxy(toxiproxyUrl);
  const { data } = await client.getApi().get<Record<string, Omit<LinkState, 'link'> & { name: string }>>(`${toxiproxyUrl}/proxies`);
  return Object.values(data)
    .map(({ name, listen, upstream, enabled, toxics }) => ({
      link: name,
      listen,
      upstream,
      enabled,
      toxics: (toxics ?? []).map(({ name: toxic, type, stream, toxicity, attributes }) => ({ name: toxic, type, stream, toxicity, attributes })),
    }))
    .sort((a, b) => a.link.localeCompare(b.link));
}
