import type { Component } from '../runtime/component.ts';
import { askLeaders } from './ask-leader.ts';
import type { Fault } from './fault.ts';

/**
 * A process fault on the member that leads when it starts (`pick: leader`,
 * Jepsen's nemesis targeting the primary): among the components `on`
 * matches, the one the cluster names leader then (`ask-leader.ts`: etcd's
 * maintenance status, PostgreSQL not in recovery, Redis `ROLE` master, a
 * service's `/health` role), so a schedule can kill "the etcd leader"
 * though no one knows beforehand which member that will be. Where several
 * say they lead (every replica of a multi-leader service), the first by name.
 * `attributes` then names it (`leader`), so the history's start and stop ops
 * say which member the fault hit. Starting when no member says it leads is
 * an error: a fault on nobody is no fault.
 */
export class LeaderFault implements Fault {
  /** The member the last start picked (kept after stop, so the stop op names it too). */
  private leader: { name: string; fault: Fault } | undefined;
  private active = false;

  constructor(
    readonly kind: string,
    readonly on: string,
    private readonly settings: Readonly<Record<string, unknown>>,
    /** Every member `on` matched, with the fault built for it (so a missing capability shows before anything starts). */
    private readonly members: readonly { component: Component; fault: Fault }[],
  ) {}

  get attributes(): Readonly<Record<string, unknown>> {
    return { ...this.settings, ...(this.leader ? { leader: this.leader.name } : {}) };
  }

  async start(): Promise<void> {
    if (this.active) return;
    const [name] = await askLeaders(this.members.map((m) => m.component));
    const names = this.members.map((m) => m.component.name);
    if (name === undefined) throw new Error(`${this.kind}: no member of ${names.join(', ')} says it leads, so there is no leader to ${this.kind}`);
    // Chosen before it starts: a start that throws may still have landed, and stop must undo it.
    this.leader = { name, fault: this.members.find((m) => m.component.name === name)!.fault };
    this.active = true;
    await this.leader.fault.start();
  }

  /** Undoes the last start; a later start asks the cluster again, as leadership may have moved. */
  async stop(): Promise<void> {
    if (!this.active) return;
    await this.leader!.fault.stop();
    this.active = false;
  }
}
