import { readFileSync } from 'node:fs';

/**
 * The search loop compiled to WebAssembly (wasm/search.ts, built by `npm
 * run build:wasm` into wasm/search.wasm): one instance a process. Not
 * reentrant, and it need not be: a check is synchronous.
 */
export interface SearchCore {
  memory: WebAssembly.Memory;
  history(count: number): number;
  kinds(count: number, partitions: number): number;
  scatter(used: number): number;
  partitionSlots(p: number): number;
  partitionSize(p: number): number;
  begin(partition: number, kinds: number): number;
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

/** The core's memory cannot grow (WebAssembly's 4 GiB, or the machine's): a check that meets it is `unknown`. */
export class CoreMemoryError extends Error {}

/** What `walk` returns (the constants at the top of wasm/search.ts). */
export const Outcome = { linearizable: 0, violation: 1, stateBudget: 2, step: 3, clock: 4, outOfMemory: 5 } as const;
/** The return position the core gives an `info` call: after every other. */
export const INFO_RETURN = 0x7fffffff;
/** The transition `setTransition` is told for an op impossible from its state. */
export const IMPOSSIBLE = -2;

/**
 * Compiled and instantiated when this module loads, with the rest of the
 * checker's code: start-up, as Node's own and the JavaScript's parsing are,
 * not a cost of the first check (about 1 ms).
 */
const core = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL('./wasm/search.wasm', import.meta.url))), {})
  .exports as unknown as SearchCore;

/** The process's search core (one memory, reused by every check). */
export function searchCore(): SearchCore {
  return core;
}
