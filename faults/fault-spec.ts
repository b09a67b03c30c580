import type { z } from 'zod';
import type { Component } from '../runtime/component.ts';
import type { Link } from '../runtime/environment.ts';
import type { Fault } from './fault.ts';

/** What a fault acts through: the Toxiproxy API, and the names it may act on. */
export interface FaultContext {
  /** Toxiproxy's HTTP API, `http://127.0.0.1:PORT`. */
  toxiproxyUrl: string;
  /** Components by name, for process faults (kill, pause, restart). */
  components: ReadonlyMap<string, Component>;
  /** Links by Toxiproxy proxy name, for network faults, with the components each joins (a partition cuts the links between its groups). */
  links: ReadonlyMap<string, Pick<Link, 'from' | 'to'>>;
}

/**
 * One entry of the fault catalogue: whether it acts on a link (network) or a
 * component, a one-line description for `fault list`, the schema of its
 * attributes (defaults filled in, unknown attributes rejected), and `create`,
 * which builds the fault without starting it. `create` receives attributes
 * already parsed by `schema` and an `on` already checked to exist in `ctx`;
 * it throws `FaultInputError` when the component lacks the capability.
 */
export interface FaultSpec<A extends Record<string, unknown> = Record<string, unknown>> {
  /** Whether `on` names links (else components). */
  readonly network: boolean;
  /**
   * Whether `on` names a set the fault acts on as one — a partition over a
   * cluster's members — so `create` gets `on` as written (a `*` or `|`
   * pattern included) and resolves it itself, instead of one fault a match.
   */
  readonly whole?: boolean;
  readonly describe: string;
  readonly schema: z.ZodType<A>;
  create(on: string, attributes: A, ctx: FaultContext): Fault;
}
