import { Toxiproxy } from 'toxiproxy-node-client';
import { z } from 'zod';
import type { Component } from '../runtime/component.ts';
import { askLeaders } from './ask-leader.ts';
import { attributesSchema, numberAttribute } from './attribute-schemas.ts';
import type { Fault } from './fault.ts';
import { FaultInputError } from './fault-input-error.ts';
import type { FaultContext, FaultSpec } from './fault-spec.ts';
import { matchNames } from './name-patterns.ts';
import { type Grouping, groupings, grudge } from './partition-grouping.ts';
import { mulberry32 } from './prng.ts';

const schema = attributesSchema({
  grouping: z.enum(groupings, { error: (issue) => `expected one of ${groupings.join(', ')}, got ${JSON.stringify(issue.input)}` }).default('one'),
  /** For `one`: the member to isolate; absent, one chosen at random. */
  node: z.string().min(1).optional(),
  /** Seeds the random choices (which member, which halves, which ring), so a suite partitions the same way every run. */
  seed: numberAttribute('seed', 0).default(0),
});
type Attributes = z.infer<typeof schema>;

/**
 * A network partition over a cluster's members (the components `on`
 * matches: `db-*`, `etcd-*|target-*`): it groups them as Jepsen's nemesis
 * does (`partition-grouping.ts`) and downs exactly the links that cross
 * groups — for every pair cut, the links both ways, where they exist (a
 * replica dials its primary, so that pair has one) — and heals them on stop.
 * Components `on` does not match are not partitioned: clients (the
 * services, k6) still reach every member, as Jepsen's control node does.
 *
 * The grouping is decided at start (the leader is asked of the cluster
 * then), and `attributes` then also carries what was decided — `groups`
 * (when clean), the pairs `cut` and the `links` downed — so the history's
 * `start-partition` op says exactly what was cut. Downing a link disables its
 * proxy, as the `down` fault does (connections cut, new ones refused), and
 * shares its flag: a `down` on the same link that stops first heals it.
 */
class PartitionFault implements Fault {
  readonly kind = 'partition';
  private readonly random: () => number;
  private decided: { groups?: string[][]; cut: [string, string][]; links: string[]; leader?: string } | undefined;
  private downed: string[] = [];

  constructor(
    readonly on: string,
    private readonly settings: Attributes,
    private readonly members: readonly Component[],
    private readonly ctx: FaultContext,
  ) {
    this.random = mulberry32(settings.seed);
  }

  get attributes(): Readonly<Record<string, unknown>> {
    return { ...this.settings, ...this.decided };
  }

  async start(): Promise<void> {
    if (this.downed.length > 0) return;
    const names = this.members.map((m) => m.name);
    let isolated = this.settings.node;
    let leader: string | undefined;
    if (this.settings.grouping === 'one') isolated ??= names[Math.floor(this.random() * names.length)];
    if (this.settings.grouping === 'leader') {
      const leaders = await askLeaders(this.members);
      if (leaders.length === 0) throw new Error(`partition: no member of ${names.join(', ')} says it leads, so there is no leader to isolate`);
      // Several (every replica of a multi-leader service): isolate one of them.
      leader = isolated = leaders[Math.floor(this.random() * leaders.length)];
    }
    const { groups, cut } = grudge(this.settings.grouping as Grouping, names, this.random, isolated);
    const crossing = new Set(cut.map(([a, b]) => `${a}\n${b}`));
    const links = [...this.ctx.links]
      .filter(([, l]) => crossing.has(`${l.from}\n${l.to}`) || crossing.has(`${l.to}\n${l.from}`))
      .map(([name]) => name)
      .sort();
    this.decided = { ...(groups ? { groups } : {}), cut, links, ...(leader ? { leader } : {}) };
    try {
      for (const link of links) {
        await setEnabled(this.ctx.toxiproxyUrl, link, false);
        this.downed.push(link);
      }
    } catch (err) {
      await this.stop().catch(() => undefined);
      throw err;
    }
  }

  async stop(): Promise<void> {
    while (this.downed.length > 0) {
      await setEnabled(this.ctx.toxiproxyUrl, this.downed[this.downed.length - 1], true);
      this.downed.pop();
    }
  }
}

async function setEnabled(toxiproxyUrl: string, link: string, enabled: boolean): Promise<void> {
  const proxy = await new Toxiproxy(toxiproxyUrl).get(link).catch((err: Error) => {
    throw new Error(`toxiproxy at ${toxiproxyUrl} has no usable link "${link}": ${err.message}`, { cause: err });
  });
  await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
}

/**
 * `partition`: cut a cluster's members into groups (Jepsen's `one`,
 * `leader`, `halves`, `majorities-ring`, `bridge`) by downing the links
 * between groups, both directions; heal on stop. `on` names the members.
 * Throws `FaultInputError` for fewer than two members, or a `node` that is
 * not one of them.
 */
export const partition: FaultSpec<Attributes> = {
  network: false,
  whole: true,
  describe: "split a cluster's members into groups (one, leader, halves, majorities-ring, bridge): the links between groups down both ways",
  schema,
  create: (on, attributes, ctx) => {
    const names = matchNames(on, [...ctx.components.keys()]);
    if (names.length < 2)
      throw new FaultInputError(`partition fault: "${on}" matches ${names.join(', ') || 'no component'}; a partition needs two members or more`);
    if (attributes.node !== undefined && !names.includes(attributes.node))
      throw new FaultInputError(`partition fault: node "${attributes.node}" is not one of its members (${names.join(', ')})`);
    if (attributes.node !== undefined && attributes.grouping !== 'one')
      throw new FaultInputError(`partition fault: node is for grouping "one", not "${attributes.grouping}"`);
    return new PartitionFault(
      on,
      attributes,
      names.map((n) => ctx.components.get(n)!),
      ctx,
    );
  },
};
