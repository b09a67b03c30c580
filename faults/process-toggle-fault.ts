import type { Component } from '../runtime/component.ts';
import type { Fault } from './fault.ts';

/**
 * A process fault that holds a component in a state from `start` to `stop`:
 * `kill` (SIGKILL, then restart) and `pause` (SIGSTOP, then SIGCONT). Both
 * idempotent. The fault is marked active before its action runs: an action
 * that throws may still have landed (a kill that errors after the signal),
 * and `stop` must then undo it.
 */
export class ProcessToggleFault implements Fault {
  readonly attributes = {};
  private active = false;

  constructor(
    readonly kind: string,
    private readonly component: Component,
    private readonly apply: () => Promise<void>,
    private readonly undo: () => Promise<void>,
  ) {}

  get on(): string {
    return this.component.name;
  }

  async start(): Promise<void> {
    if (this.active) return;
    this.active = true;
    await this.apply();
  }

  async stop(): Promise<void> {
    if (!this.active) return;
    await this.undo();
    this.active = false;
  }
}
