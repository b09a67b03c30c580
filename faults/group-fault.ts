import type { Fault } from './fault.ts';

/**
 * One fault over every link or component a name pattern matched
 * (`target-*-to-redis`): it starts each member, and stops each, as one. A
 * start that fails halfway stops the members it had started before throwing;
 * `stop` tries every member and throws the first error.
 */
export class GroupFault implements Fault {
  constructor(
    readonly kind: string,
    readonly on: string,
    readonly attributes: Readonly<Record<string, unknown>>,
    private readonly members: readonly Fault[],
  ) {}

  async start(): Promise<void> {
    const started: Fault[] = [];
    try {
      for (const member of this.members) {
        await member.start();
        started.push(member);
      }
    } catch (err) {
      for (const member of started.reverse()) await member.stop().catch(() => undefined);
      throw err;
    }
  }

  async stop(): Promise<void> {
    const errors: unknown[] = [];
    for (const member of [...this.members].reverse()) await member.stop().catch((err) => errors.push(err));
    if (errors.length > 0) throw errors[0];
  }
}
