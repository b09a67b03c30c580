import { Toxiproxy } from 'toxiproxy-node-client';
import { attributesSchema } from './attribute-schemas.ts';
import type { Fault } from './fault.ts';
import type { FaultSpec } from './fault-spec.ts';

const schema = attributesSchema({});

/**
 * Disables the proxy: it closes every open connection and refuses new ones,
 * so clients fail fast (as a partition with RSTs, unlike `timeout 0`, which
 * hangs). Stop re-enables it. Two `down` faults on one link share the one
 * flag: the first to stop brings the link back.
 */
class DownFault implements Fault {
  readonly kind = 'down';
  readonly attributes = {};
  private disabled = false;

  constructor(
    readonly on: string,
    private readonly toxiproxyUrl: string,
  ) {}

  async start(): Promise<void> {
    if (this.disabled) return;
    await this.setEnabled(false);
    this.disabled = true;
  }

  async stop(): Promise<void> {
    if (!this.disabled) return;
    await this.setEnabled(true);
    this.disabled = false;
  }

  private async setEnabled(enabled: boolean): Promise<void> {
    const proxy = await new Toxiproxy(this.toxiproxyUrl).get(this.on).catch((err: Error) => {
      throw new Error(`toxiproxy at ${this.toxiproxyUrl} has no usable link "${this.on}": ${err.message}`, { cause: err });
    });
    await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
  }
}

/** `down`: the link's proxy disabled — connections refused and cut, a fail-fast partition. */
export const down: FaultSpec<ReturnType<typeof schema.parse>> = {
  network: true,
  describe: 'disable the link: connections refused and cut (fail-fast partition)',
  schema,
  create: (on, _a, ctx) => new DownFault(on, ctx.toxiproxyUrl),
};
