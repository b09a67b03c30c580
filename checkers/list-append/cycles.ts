import { components, type Graph, KIND_NAMES, ORDER, PROCESS, REALTIME, RW, tarjan, WR, WW } from './graph.ts';

/** Adya's cycle anomalies, weakest model first, as Elle names them. */
export const CYCLE_BASES = ['G0', 'G1c', 'G-single', 'G-nonadjacent', 'G2-item'] as const;
export type CycleBase = (typeof CYCLE_BASES)[number];
/**
 * A cycle anomaly: the base by its data edges (G0 ww only; G1c ww and wr;
 * G-single exactly one rw; G-nonadjacent two or more rw, no two in a row;
 * G2-item two rw in a row), with `-process` or `-realtime` when the cycle
 * needs a process or real-time edge to close.
 */
export type CycleType = CycleBase | `${CycleBase}-process` | `${CycleBase}-realtime`;

/** A cycle `nodes[0] → nodes[1] → … → nodes[0]`; `kinds[i]` is the one kind bit that step `nodes[i] → nodes[i+1]` stands for. */
export interface Cycle {
  type: CycleType;
  nodes: number[];
  kinds: number[];
}

/** What {@link findCycles} found: a cycle per component and class, and the classes it ran out of budget deciding. */
export interface CycleSearch {
  cycles: Cycle[];
  undecided: CycleType[];
}

/**
 * Bounds the searches that are not linear (G-single and G-nonadjacent over a
 * large component try one BFS per rw edge). Counted in BFS steps, with a
 * wall-clock deadline looked at every 64k steps; `maxSteps` makes a
 * budget-bound test deterministic.
 */
export class Budget {
  private steps = 0;
  exhausted = false;

  constructor(
    private readonly maxSteps = Number.POSITIVE_INFINITY,
    private readonly deadlineMs = Number.POSITIVE_INFINITY,
  ) {}

  /** Charges `n` steps; false once the budget is spent (and from then on). */
  spend(n: number): boolean {
    if (this.exhausted) return false;
    const before = this.steps;
    this.steps += n;
    if (this.steps > this.maxSteps || ((before ^ this.steps) >= 1 << 16 && performance.now() > this.deadlineMs)) this.exhausted = true;
    return !this.exhausted;
  }
}

/**
 * Finds and classifies the cycles of a dependency graph. Each strongly
 * connected component that has a cycle gets the most telling one of each
 * class it holds: first a G0 among ww edges alone, then a G1c through a wr
 * edge among ww and wr, then, over all edges, a G-single, else a
 * G-nonadjacent, else a G2-item. Each is a shortest cycle through the edge
 * its BFS starts from. Then, if the graph has process or real-time edges,
 * the same again with them counted as ordering like ww, keeping only cycles
 * that need one (a cycle without is already reported above).
 *
 * Cost: the components and the G0, G1c and G2-item searches are linear in
 * the graph. G-single tries a BFS per rw edge of a component, pruned by the
 * topological order of the ww+wr components (the far end of an rw edge can
 * only reach a node it does not follow), and G-nonadjacent looks only where
 * a product graph (node × "came in by rw") proves a closed walk exists; both
 * are charged to `budget`, and a class left undecided is listed so the
 * verdict can say `unknown` rather than pass.
 */
export function findCycles(graph: Graph, budget: Budget): CycleSearch {
  const out: CycleSearch = { cycles: [], undecided: [] };
  const search = new Searcher(graph);
  phase(graph, search, budget, 0, out);
  let orderBits = 0;
  for (let e = 0; e < graph.edgeCount; e++) orderBits |= graph.kinds[e] & ORDER;
  if (orderBits) phase(graph, search, budget, orderBits, out);
  return out;
}

function phase(graph: Graph, search: Searcher, budget: Budget, extra: number, out: CycleSearch): void {
  const { offsets, targets, kinds } = graph;
  const report = (cycle: Cycle | null) => {
    if (cycle && (extra === 0 || cycle.kinds.some((k) => k & ORDER))) out.cycles.push(cycle);
  };
  const undecided = (base: CycleBase) => {
    const type: CycleType = extra & REALTIME ? `${base}-realtime` : extra ? `${base}-process` : base;
    if (!out.undecided.includes(type)) out.undecided.push(type);
  };
  const ww = WW | extra;
  const h = WW | WR | extra;
  const all = h | RW;

  // G0: a cycle of ww (and order) edges.
  const a = components(graph, ww);
  for (const [c, nodes] of groups(a.comp, a.count)) {
    const u = nodes[0];
    for (let e = offsets[u]; e < offsets[u + 1]; e++) {
      if (kinds[e] & ww && a.comp[targets[e]] === c) {
        report(search.cycleThrough(u, targets[e], pick(kinds[e] & ww), ww, (v) => a.comp[v] === c) as Cycle | null);
        break;
      }
    }
  }

  // G1c: a cycle of ww and wr (and order) edges through a wr edge.
  const b = components(graph, h);
  for (const [c, nodes] of groups(b.comp, b.count)) {
    const edge = internalEdge(graph, nodes, WR, (v) => b.comp[v] === c);
    if (edge) report(search.cycleThrough(edge[0], edge[1], WR, h, (v) => b.comp[v] === c) as Cycle | null);
  }

  // G-single, else G-nonadjacent, else G2-item, in each component of all edges.
  const d = components(graph, all);
  let product: Int32Array | undefined;
  for (const [c, nodes] of groups(d.comp, d.count)) {
    const inC = (v: number) => d.comp[v] === c;
    const rwEdges = internalEdges(graph, nodes, RW, inC);
    if (rwEdges.length === 0) continue;

    let found: Cycle | null = null;
    let decided = true;
    for (const [u, w] of rwEdges) {
      // w reaches u over h only if w's h-component does not come after u's in topological order.
      if (b.comp[w] < b.comp[u]) continue;
      const floor = b.comp[u];
      const cycle = search.cycleThrough(u, w, RW, h, (v) => inC(v) && b.comp[v] >= floor, budget);
      if (cycle === 'out') {
        decided = false;
        break;
      }
      if (cycle) {
        found = cycle;
        break;
      }
    }
    if (!decided) undecided('G-single');

    if (!found && decided) {
      product ??= productComponents(graph, all);
      const p = product;
      for (const [u, w] of rwEdges) {
        if (p[2 * u] !== p[2 * w + 1]) continue;
        const walk = search.nonadjacentWalk(u, w, h, (x) => p[x] === p[2 * u], budget);
        if (walk === 'out') {
          decided = false;
          break;
        }
        if (walk && new Set(walk.nodes).size === walk.nodes.length) {
          found = walk;
          break;
        }
        // A closed walk that repeats a txn is no cycle, and proves none: look on, and say so if nothing better turns up.
        if (walk) decided = false;
      }
      if (!found && !decided) undecided('G-nonadjacent');
    }

    if (!found) {
      const [u, w] = rwEdges[0];
      found = search.cycleThrough(u, w, RW, all, inC) as Cycle | null;
    }
    report(found);
  }
}

/** Component id → its nodes, for components of two or more nodes (a single node has no cycle: the graph has no self-edges). */
function groups(comp: Int32Array, count: number): Map<number, number[]> {
  const size = new Int32Array(count);
  for (let v = 0; v < comp.length; v++) size[comp[v]]++;
  const out = new Map<number, number[]>();
  for (let v = 0; v < comp.length; v++) {
    if (size[comp[v]] < 2) continue;
    let nodes = out.get(comp[v]);
    if (!nodes) out.set(comp[v], (nodes = []));
    nodes.push(v);
  }
  return out;
}

function internalEdges(graph: Graph, nodes: number[], kind: number, inside: (v: number) => boolean): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const u of nodes) {
    for (let e = graph.offsets[u]; e < graph.offsets[u + 1]; e++) if (graph.kinds[e] & kind && inside(graph.targets[e])) out.push([u, graph.targets[e]]);
  }
  return out;
}

function internalEdge(graph: Graph, nodes: number[], kind: number, inside: (v: number) => boolean): [number, number] | undefined {
  for (const u of nodes) {
    for (let e = graph.offsets[u]; e < graph.offsets[u + 1]; e++) if (graph.kinds[e] & kind && inside(graph.targets[e])) return [u, graph.targets[e]];
  }
  return undefined;
}

/**
 * Components of the product graph whose node `2v + s` is txn `v` entered by
 * an rw edge (`s = 1`) or not (`s = 0`), where an rw edge may leave only a
 * node entered otherwise. A cycle with no two rw edges in a row lies in one
 * component of it; no such component, no G-single or G-nonadjacent.
 */
function productComponents(graph: Graph, all: number): Int32Array {
  const { offsets, targets, kinds } = graph;
  const nonRw = all & ~RW;
  return tarjan(
    2 * graph.nodeCount,
    (x) => 2 * (offsets[(x >> 1) + 1] - offsets[x >> 1]),
    (x, slot) => {
      const e = offsets[x >> 1] + (slot >> 1);
      if (slot & 1) return kinds[e] & RW && !(x & 1) ? 2 * targets[e] + 1 : -1;
      return kinds[e] & nonRw ? 2 * targets[e] : -1;
    },
  ).comp;
}

/** BFS over the graph, reusing its arrays across searches (a stamp marks what this search has visited). */
class Searcher {
  private readonly stamp: Int32Array;
  private readonly parent: Int32Array;
  private readonly queue: Int32Array;
  private epoch = 0;

  constructor(private readonly graph: Graph) {
    // Twice the nodes: the G-nonadjacent walk searches the product graph.
    this.stamp = new Int32Array(2 * graph.nodeCount);
    this.parent = new Int32Array(2 * graph.nodeCount);
    this.queue = new Int32Array(2 * graph.nodeCount);
  }

  /**
   * A shortest cycle through edge `u → w` (taken as `first`), closed by a
   * path from `w` back to `u` over edges of `mask` and nodes `inside`. Null
   * when there is none; 'out' when the budget ran out first.
   */
  cycleThrough(u: number, w: number, first: number, mask: number, inside: (v: number) => boolean, budget?: Budget): Cycle | null | 'out' {
    const { offsets, targets, kinds } = this.graph;
    const epoch = ++this.epoch;
    let head = 0;
    let tail = 0;
    this.queue[tail++] = w;
    this.stamp[w] = epoch;
    this.parent[w] = -1;
    while (head < tail) {
      const v = this.queue[head++];
      if (v === u) break;
      if (budget && !budget.spend(1 + offsets[v + 1] - offsets[v])) return 'out';
      for (let e = offsets[v]; e < offsets[v + 1]; e++) {
        const x = targets[e];
        if (!(kinds[e] & mask) || this.stamp[x] === epoch || !inside(x)) continue;
        this.stamp[x] = epoch;
        this.parent[x] = v;
        this.queue[tail++] = x;
      }
    }
    if (this.stamp[u] !== epoch) return null;
    const back: number[] = [];
    for (let v = u; v !== -1; v = this.parent[v]) back.push(v);
    const nodes = [u, ...back.reverse().slice(0, -1)];
    const steps = [first];
    for (let i = 1; i < nodes.length; i++) steps.push(pick(this.graph.kindsOf(nodes[i], nodes[(i + 1) % nodes.length]) & mask));
    return classify(nodes, steps);
  }

  /**
   * A shortest closed walk through rw edge `u → w` with no two rw edges in a
   * row, searched in the product graph from `(w, rw)` back to `(u, not rw)`
   * over product nodes `inside`. It may repeat a txn; the caller checks.
   */
  nonadjacentWalk(u: number, w: number, h: number, inside: (x: number) => boolean, budget: Budget): Cycle | null | 'out' {
    const { offsets, targets, kinds } = this.graph;
    const epoch = ++this.epoch;
    const start = 2 * w + 1;
    const goal = 2 * u;
    let head = 0;
    let tail = 0;
    this.queue[tail++] = start;
    this.stamp[start] = epoch;
    this.parent[start] = -1;
    while (head < tail) {
      const x = this.queue[head++];
      if (x === goal) break;
      const v = x >> 1;
      if (!budget.spend(1 + offsets[v + 1] - offsets[v])) return 'out';
      for (let e = offsets[v]; e < offsets[v + 1]; e++) {
        const visit = (y: number) => {
          if (this.stamp[y] === epoch || !inside(y)) return;
          this.stamp[y] = epoch;
          this.parent[y] = x;
          this.queue[tail++] = y;
        };
        if (kinds[e] & h) visit(2 * targets[e]);
        if (kinds[e] & RW && !(x & 1)) visit(2 * targets[e] + 1);
      }
    }
    if (this.stamp[goal] !== epoch) return null;
    const back: number[] = [];
    for (let x = goal; x !== -1; x = this.parent[x]) back.push(x);
    const states = back.reverse();
    // states runs (w,1) … (u,0); the walk is u → w → … → u.
    const nodes = [u, ...states.slice(0, -1).map((x) => x >> 1)];
    const steps = [RW];
    for (let i = 1; i < states.length; i++) steps.push(states[i] & 1 ? RW : pick(this.graph.kindsOf(states[i - 1] >> 1, states[i] >> 1) & h));
    return classify(nodes, steps);
  }
}

/** The one kind a step stands for when its edge has several: the least damning (rw last, so a step is rw only when it must be). */
function pick(bits: number): number {
  for (const [bit] of KIND_NAMES) if (bits & bit) return bit;
  return 0;
}

/** Names a cycle by its steps' kinds. */
export function classify(nodes: number[], kinds: number[]): Cycle {
  let rw = 0;
  let wr = false;
  let adjacentRw = false;
  for (let i = 0; i < kinds.length; i++) {
    if (kinds[i] === RW) {
      rw++;
      if (kinds[(i + kinds.length - 1) % kinds.length] === RW) adjacentRw = true;
    }
    if (kinds[i] === WR) wr = true;
  }
  const base: CycleBase = rw === 0 ? (wr ? 'G1c' : 'G0') : rw === 1 ? 'G-single' : adjacentRw ? 'G2-item' : 'G-nonadjacent';
  const type: CycleType = kinds.includes(REALTIME) ? `${base}-realtime` : kinds.includes(PROCESS) ? `${base}-process` : base;
  return { type, nodes, kinds };
}
