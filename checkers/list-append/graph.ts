/**
 * The dependency graph between transactions: nodes are txn ids, an edge
 * carries a bit set of the kinds of dependency that order its ends. Stored as
 * compressed rows (one offsets array, one targets array) so that a history of
 * 100k transactions and a million edges costs a few typed arrays rather than
 * a million objects.
 */

/** T1 wrote a version of a key, T2 wrote the next one. */
export const WW = 1;
/** T2 read the version T1 wrote. */
export const WR = 2;
/** T1 read a version, T2 wrote the next one (an anti-dependency). */
export const RW = 4;
/** T1 and T2 ran one after the other on one process. */
export const PROCESS = 8;
/** T1 completed before T2 was invoked. */
export const REALTIME = 16;
/** Edges that do not need the history to be serial to hold: the order edges. */
export const ORDER = PROCESS | REALTIME;

/** The name of each kind bit, as the verdict spells it. */
export type EdgeKind = 'ww' | 'wr' | 'rw' | 'process' | 'realtime';

/** Kind bits in the order a cycle's step names one when an edge has several: the rw bit last, so a step counts as rw only when it must. */
export const KIND_NAMES: ReadonlyArray<readonly [number, EdgeKind]> = [
  [WW, 'ww'],
  [WR, 'wr'],
  [PROCESS, 'process'],
  [REALTIME, 'realtime'],
  [RW, 'rw'],
];

/** Collects edges in any order, duplicates allowed; {@link GraphBuilder.build} merges them. */
export class GraphBuilder {
  private src = new Int32Array(1024);
  private dst = new Int32Array(1024);
  private kind = new Uint8Array(1024);
  private count = 0;

  constructor(readonly nodeCount: number) {}

  /** Adds `a → b` of `kind`; a self-edge says nothing about order and is dropped. */
  add(a: number, b: number, kind: number): void {
    if (a === b) return;
    if (this.count === this.src.length) {
      const grow = <T extends Int32Array | Uint8Array>(arr: T, make: (n: number) => T): T => {
        const next = make(arr.length * 2);
        next.set(arr);
        return next;
      };
      this.src = grow(this.src, (n) => new Int32Array(n));
      this.dst = grow(this.dst, (n) => new Int32Array(n));
      this.kind = grow(this.kind, (n) => new Uint8Array(n));
    }
    this.src[this.count] = a;
    this.dst[this.count] = b;
    this.kind[this.count] = kind;
    this.count++;
  }

  /** Builds the graph, one edge per ordered pair with the kinds of all its duplicates OR-ed together. Linear in nodes + edges. */
  build(): Graph {
    const n = this.nodeCount;
    const degree = new Int32Array(n + 1);
    for (let i = 0; i < this.count; i++) degree[this.src[i] + 1]++;
    for (let v = 0; v < n; v++) degree[v + 1] += degree[v];
    const fill = degree.slice(0, n);
    const targets = new Int32Array(this.count);
    const kinds = new Uint8Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const at = fill[this.src[i]]++;
      targets[at] = this.dst[i];
      kinds[at] = this.kind[i];
    }
    // Merge duplicates row by row: seenAt[w] is where w was first written in the current row.
    const offsets = new Int32Array(n + 1);
    const seenAt = new Int32Array(n).fill(-1);
    let out = 0;
    for (let v = 0; v < n; v++) {
      offsets[v] = out;
      for (let i = degree[v]; i < degree[v + 1]; i++) {
        const w = targets[i];
        const at = seenAt[w];
        if (at >= offsets[v]) kinds[at] |= kinds[i];
        else {
          seenAt[w] = out;
          targets[out] = w;
          kinds[out] = kinds[i];
          out++;
        }
      }
    }
    offsets[n] = out;
    return new Graph(n, offsets, targets.slice(0, out), kinds.slice(0, out));
  }
}

/** An immutable graph in compressed rows; `kinds[e]` is the kind bit set of edge `e`. */
export class Graph {
  constructor(
    readonly nodeCount: number,
    readonly offsets: Int32Array,
    readonly targets: Int32Array,
    readonly kinds: Uint8Array,
  ) {}

  get edgeCount(): number {
    return this.targets.length;
  }

  /** The kind bits of edge `a → b`, 0 when there is none. Linear in `a`'s out-degree. */
  kindsOf(a: number, b: number): number {
    for (let e = this.offsets[a]; e < this.offsets[a + 1]; e++) if (this.targets[e] === b) return this.kinds[e];
    return 0;
  }
}

/**
 * Strongly connected components of the subgraph of edges with any bit of
 * `mask` (Tarjan's algorithm, iterative so a 100k-node chain cannot overflow
 * the stack). Components are numbered in the order Tarjan closes them, which
 * is a reverse topological order: an edge between two components always runs
 * from a higher number to a lower one. Linear in nodes + edges.
 */
export function components(graph: Graph, mask: number): { comp: Int32Array; count: number } {
  const { nodeCount: n, offsets, targets, kinds } = graph;
  return tarjan(
    n,
    (u) => offsets[u + 1] - offsets[u],
    (u, slot) => {
      const e = offsets[u] + slot;
      return kinds[e] & mask ? targets[e] : -1;
    },
  );
}

/**
 * Tarjan over an implicit graph: node `u` has `slots(u)` outgoing slots, and
 * `succ(u, slot)` is the slot's target or -1 for none. Used directly for the
 * product graph of the G-nonadjacent search.
 */
export function tarjan(n: number, slots: (u: number) => number, succ: (u: number, slot: number) => number): { comp: Int32Array; count: number } {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const cursor = new Int32Array(n);
  const stack = new Int32Array(n);
  const call = new Int32Array(n);
  let stackTop = 0;
  let next = 0;
  let count = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    call[0] = root;
    index[root] = low[root] = next++;
    stack[stackTop++] = root;
    while (depth >= 0) {
      const u = call[depth];
      if (cursor[u] < slots(u)) {
        const w = succ(u, cursor[u]++);
        if (w < 0) continue;
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack[stackTop++] = w;
          call[++depth] = w;
        } else if (comp[w] === -1 && index[w] < low[u]) {
          low[u] = index[w];
        }
        continue;
      }
      if (low[u] === index[u]) {
        let w: number;
        do {
          w = stack[--stackTop];
          comp[w] = count;
        } while (w !== u);
        count++;
      }
      depth--;
      if (depth >= 0) {
        const parent = call[depth];
        if (low[u] < low[parent]) low[parent] = low[u];
      }
    }
  }
  return { comp, count };
}
