import { readFileSync } from 'node:fs';

/**
 * The search loop compiled to WebAssembly (wasm/search.ts, built by `npm
 * run build:wasm` into wasm/search.wasm). An instance either lays out a
 * history or searches one partition (see the protocol at the top of
 * wasm/search.ts). Not reentrant, and it need not be: a check is
 * synchronous.
 */
export interface SearchCore {
  memory: WebAssembly.Memory;
  limit(pages: number): void;
  limited(): number;
  history(count: number): number;
  kinds(count: number, partitions: number): number;
  scatter(used: number): number;
  partitionSlots(p: number): number;
  partitionSize(p: number): number;
  partitionColumn(p: number, column: number): number;
  begin(calls: number, kinds: number): number;
  pruning(pairs: number, resets: number): number;
  stateText(id: number, length: number, fp1: number, fp2: number): number;
  layout(): number;
  setTransition(from: number, kind: number, to: number): number;
  walk(maxStates: number, turns: number): number;
  remainingTurns(): number;
  neededState(): number;
  neededKind(): number;
  memoised(): number;
  prefix(): number;
  prefixLength(): number;
  prefixState(): number;
}

/** The core's memory cannot grow (WebAssembly's 4 GiB, the machine's, or the check's bound): a check that meets it is `unknown`. */
export class CoreMemoryError extends Error {}

/** What `walk` returns (the constants at the top of wasm/search.ts). */
export const Outcome = { linearizable: 0, violation: 1, stateBudget: 2, step: 3, clock: 4, outOfMemory: 5 } as const;
/** The return position the core gives an `info` call: after every other. */
export const INFO_RETURN = 0x7fffffff;
/** The transition `setTransition` is told for an op impossible from its state. */
export const IMPOSSIBLE = -2;
/** An op kind's FROM when it is possible in any state (see the shapes in wasm/search.ts). */
export const ANY = -2;
/** The size of a WebAssembly memory page, bytes. */
export const PAGE_BYTES = 65536;

/**
 * Compiled when this module loads, with the rest of the checker's code:
 * start-up, as Node's own and the JavaScript's parsing are, not a cost of
 * the first check (about 1 ms). An instance costs some 30 µs more.
 */
const module = new WebAssembly.Module(readFileSync(new URL('./wasm/search.wasm', import.meta.url)));
const instantiate = () => new WebAssembly.Instance(module, {}).exports as unknown as SearchCore;
const layoutCore = instantiate();

/** The process's layout core: the history of the check under way. */
export function searchCore(): SearchCore {
  return layoutCore;
}

/**
 * Search cores kept for reuse between partitions and checks: most
 * partitions finish within their first turn and hand their core to the
 * next. One whose memory grew past {@link POOL_MAX_BYTES} is left to the
 * garbage collector rather than kept, so that one hard partition does not
 * keep its memory for the rest of the process.
 */
const pool: SearchCore[] = [];
const POOL_SIZE = 2;
const POOL_MAX_BYTES = 64 << 20;

/** A search core to search one partition in; give it back with {@link releaseSearchCore}. */
export function acquireSearchCore(): SearchCore {
  return pool.pop() ?? instantiate();
}

/** Gives a search core back for reuse; it must not be used after. */
export function releaseSearchCore(core: SearchCore): void {
  if (pool.length < POOL_SIZE && core.memory.buffer.byteLength <= POOL_MAX_BYTES) pool.push(core);
}
