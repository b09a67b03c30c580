/**
 * How a partition splits a cluster's members, named as Jepsen's nemesis
 * names its grudges (`jepsen.nemesis`): who can no longer talk to whom.
 *
 * - `one`: one member alone, the rest together (`split-one`);
 * - `leader`: the leader (or primary) alone — which member that is is asked
 *   of the cluster when the fault starts;
 * - `halves`: the members shuffled and cut in two, the smaller half first
 *   (`partition-random-halves`);
 * - `majorities-ring`: every member sees a majority, no two the same one
 *   (`majorities-ring`);
 * - `bridge`: two halves that cannot talk, and one member in the middle
 *   that talks to both (`bridge`).
 */
export const groupings = ['one', 'leader', 'halves', 'majorities-ring', 'bridge'] as const;
export type Grouping = (typeof groupings)[number];

/** What a grouping decided: the groups when they are clean (no member in two), and every pair of members that may no longer talk. */
export interface Grudge {
  groups?: string[][];
  /** Unordered pairs, each sorted, the list sorted: what the partition cuts. */
  cut: [string, string][];
}

/**
 * The pairs of `members` that `grouping` cuts. Pure given `random` (a
 * seeded PRNG in [0, 1)); `isolated` is the member `one` or `leader` puts
 * alone. Throws for `one`/`leader` without an `isolated` that is a member.
 *
 * Jepsen cuts one direction at a time (iptables drops what a node receives
 * from the nodes it holds a grudge against); over TCP, which needs both
 * directions, a pair either side of which drops the other is cut. So here a
 * pair is cut or not, and both directions go together. That makes Jepsen's
 * majorities ring on three members isolate every member; this one keeps
 * its promise instead: on three members the only graph in which each sees a
 * majority and no two the same one is the bridge, which it then is. On two
 * members no such graph cuts anything, and it cuts nothing.
 */
export function grudge(grouping: Grouping, members: readonly string[], random: () => number, isolated?: string): Grudge {
  const nodes = [...members].sort();
  switch (grouping) {
    case 'one':
    case 'leader': {
      if (isolated === undefined || !nodes.includes(isolated)) throw new Error(`${grouping}: ${isolated ?? 'no member'} is not one of ${nodes.join(', ')}`);
      return complete([[isolated], nodes.filter((n) => n !== isolated)]);
    }
    case 'halves': {
      const shuffled = shuffle(nodes, random);
      const half = Math.floor(shuffled.length / 2);
      return complete([shuffled.slice(0, half), shuffled.slice(half)]);
    }
    case 'bridge':
      return bridge(shuffle(nodes, random));
    case 'majorities-ring':
      return ring(shuffle(nodes, random));
  }
}

/** Every pair across two different groups. */
function complete(groups: string[][]): Grudge {
  const cut: [string, string][] = [];
  for (let i = 0; i < groups.length; i++)
    for (let j = i + 1; j < groups.length; j++) for (const a of groups[i]) for (const b of groups[j]) cut.push(pair(a, b));
  return { groups: groups.filter((g) => g.length > 0), cut: sorted(cut) };
}

/** Halves (smaller first) that cannot talk, the first member of the larger half talking to both. */
function bridge(nodes: readonly string[]): Grudge {
  const half = Math.floor(nodes.length / 2);
  const [left, right] = [nodes.slice(0, half), nodes.slice(half)];
  const middle = right[0];
  return { cut: complete([left, right.slice(1)]).cut.filter(([a, b]) => a !== middle && b !== middle) };
}

/**
 * Members on a ring, each talking to those within `reach` places either
 * side: with a majority m = ⌊n/2⌋ + 1, reach ⌈(m − 1)/2⌉ gives each member
 * 2·reach + 1 ≥ m, and for n ≥ 4 no two members see the same set.
 */
function ring(nodes: readonly string[]): Grudge {
  const n = nodes.length;
  if (n <= 2) return { cut: [] };
  if (n === 3) return bridge(nodes);
  const majority = Math.floor(n / 2) + 1;
  const reach = Math.ceil((majority - 1) / 2);
  const cut: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const distance = Math.min(j - i, n - (j - i));
      if (distance > reach) cut.push(pair(nodes[i], nodes[j]));
    }
  }
  return { cut: sorted(cut) };
}

function shuffle(nodes: readonly string[], random: () => number): string[] {
  const out = [...nodes];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const pair = (a: string, b: string): [string, string] => (a < b ? [a, b] : [b, a]);
const sorted = (pairs: [string, string][]) => pairs.sort((x, y) => x[0].localeCompare(y[0]) || x[1].localeCompare(y[1]));
