/**
 * The one history vocabulary (Jepsen's). Targets, workloads and faults only
 * ever append ops; checkers only ever read them.
 *
 * - `invoke` starts an operation; exactly one completion follows on the same
 *   process: `ok` (took effect), `fail` (surely did not take effect) or
 *   `info` (unknown: it may take effect at any later time, or never, with the
 *   invocation's value; the process never invokes again).
 * - `process: 'nemesis'` ops are fault events (`type: 'info'`), never checked.
 */
export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/** A process id: a client number, or `'nemesis'` for fault events. */
export type ProcessId = number | 'nemesis';

/** An op before the history writer numbers it. */
export interface OpInput {
  /** Position in the history, 0-based, dense; the writer assigns it. The file order is the real-time order. */
  index?: number;
  /** Nanoseconds since the run started (monotonic); for charts, not for ordering. */
  time: number;
  /** Set by the writer when it raised `time` to keep the file monotonic: the op's own clock reading, ns. */
  clockTime?: number;
  process: ProcessId;
  type: OpType;
  /** The operation's name: `read`, `write`, `cas`, `get`, `put`, … or a nemesis action. */
  f: string;
  /** Which key, for keyed models (`kv`); absent for single-register histories. */
  key?: string;
  value: unknown;
  /** Anything else a producer recorded (node that answered, cache hit, error text…). */
  [extra: string]: unknown;
}

/** An op as recorded in a history. */
export interface Op extends OpInput {
  index: number;
}
