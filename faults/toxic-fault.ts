import { randomUUID } from 'node:crypto';
import { Toxiproxy, type Toxic, type ToxicType } from 'toxiproxy-node-client';
import type { Fault } from './fault.ts';

/** The shared part of every toxic's attributes. */
export interface ToxicCommon {
  stream: 'upstream' | 'downstream' | 'both';
  toxicity: number;
}

/**
 * A Toxiproxy toxic on one link as a `Fault`. `start` adds one toxic (two for
 * `stream: 'both'`) under names unique to this fault, so two faults on one
 * link never collide and `stop` removes exactly what this one added; a start
 * that fails halfway removes what it had added before throwing. `stop` is
 * idempotent and treats a toxic already gone (say, after `clearAllFaults`) as
 * removed. Throws the Toxiproxy API's error otherwise.
 */
export class ToxicFault<A extends ToxicCommon> implements Fault {
  private added: Toxic<unknown>[] = [];

  constructor(
    readonly kind: string,
    readonly on: string,
    readonly attributes: Readonly<A>,
    private readonly toxiproxyUrl: string,
    private readonly type: ToxicType,
    /** The toxic's own attributes in Toxiproxy's words (without stream and toxicity). */
    private readonly toxicAttributes: Record<string, number>,
  ) {}

  async start(): Promise<void> {
    if (this.added.length > 0) return;
    const proxy = await new Toxiproxy(this.toxiproxyUrl).get(this.on).catch((err: Error) => {
      throw new Error(`toxiproxy at ${this.toxiproxyUrl} has no usable link "${this.on}": ${err.message}`, { cause: err });
    });
    const wanted: ToxicCommon['stream'] = this.attributes.stream;
    const streams = wanted === 'both' ? (['upstream', 'downstream'] as const) : [wanted];
    const id = randomUUID().slice(0, 8);
    try {
      for (const stream of streams) {
        const toxic = await proxy.addToxic({
          name: `patternbench-${this.kind}-${stream}-${id}`,
          type: this.type,
          stream,
          toxicity: this.attributes.toxicity,
          attributes: this.toxicAttributes,
        });
        this.added.push(toxic);
      }
    } catch (err) {
      await this.stop().catch(() => undefined);
      throw err;
    }
  }

  async stop(): Promise<void> {
    while (this.added.length > 0) {
      const toxic = this.added[this.added.length - 1];
      await toxic.remove().catch((err: Error) => {
        // The client reports HTTP errors only by message; 404 means someone (a reset) removed it already.
        if (!/status code 404\b/.test(err.message)) throw err;
      });
      this.added.pop();
    }
  }
}
