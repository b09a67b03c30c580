import type { Component, Killable, Pausable } from '../runtime/component.ts';
import type { Environment, Topology } from '../runtime/environment.ts';

/** Families share one HTTP API, so one workload drives every member. */
export type Family = 'caching' | 'consistency' | 'transactions' | 'scenarios';

/**
 * A reference implementation of a pattern, run as its own HTTP service.
 * `start` brings the service up against the environment's endpoints (which
 * go through Toxiproxy links) and resolves once it answers.
 */
export interface Target {
  readonly name: string;
  readonly family: Family;
  readonly topology: Topology;
  start(env: Environment): Promise<StartedTarget>;
}

/** A running target service: a process the nemesis may kill or pause. */
export interface StartedTarget extends Component, Killable, Pausable {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
}
