import type { z } from 'zod';
import type { Component } from '../runtime/component.ts';
import type { Fault } from './fault.ts';

/** What a fault acts through: the Toxiproxy API, and the names it may act on. */
export interface FaultContext {
  /** Toxiproxy's HTTP API, `http://127.0.0.1:PORT`. */
  toxiproxyUrl: string;
  /** Components by name, for process faults (kill, pause, restart). */
  components: ReadonlyMap<string, Component>;
  /** Links (Toxiproxy proxy names), for network faults; only the keys are read. */
  links: ReadonlyMap<string, unknown>;
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
  readonly network: boolean;
  readonly describe: string;
  readonly schema: z.ZodType<A>;
  create(on: string, attributes: A, ctx: FaultContext): Fault;
}
