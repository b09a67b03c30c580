/**
 * A fault: something the nemesis starts and stops. Each start and stop is
 * appended to the run's history as a `process: 'nemesis'`, `type: 'info'` op
 * (`f: 'start-latency'`, `value: { link, … }`), so reports can shade exactly
 * when it was active. `stop` reverts everything `start` did and is idempotent.
 */
export interface Fault {
  /** The wire name: `latency`, `down`, `kill` … (also the file name in faults/). */
  readonly kind: string;
  /** What it acts on: a link name or a component name. */
  readonly on: string;
  /** Settings in Toxiproxy's own words and units (latency, jitter, toxicity, stream …). */
  readonly attributes: Readonly<Record<string, unknown>>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
