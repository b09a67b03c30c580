import type pg from 'pg';
import type { createClient } from 'redis';
import { ensureSchema, inTransaction } from './pg.ts';
import { backoffMs, type RetryPolicy, sleep } from './retry.ts';

/** A node-redis client (any modules). */
type Redis = Pick<ReturnType<typeof createClient>, 'sendCommand' | 'duplicate' | 'connect' | 'close' | 'on'>;

/** An event of a choreography: `id` is deterministic (`<saga id>:<type>`), so a step that runs twice emits it once and consumers drop the copy. */
export interface BusEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** What a consumer's handler may do: its writes go in the transaction `c` (absent for a consumer without a database), and the events it returns are emitted in that same transaction. */
export type EventHandler = (event: BusEvent, c: pg.ClientBase | undefined) => Promise<BusEvent[] | undefined>;

/** One consumer group's standing in the stream: entries delivered but not acknowledged, and entries not yet delivered. */
export interface GroupLag {
  group: string;
  pending: number;
  lag: number;
}

/**
 * Choreography's plumbing, one per service: events travel on one Redis
 * Stream; every service reads it through a consumer group of its own.
 *
 * Emitting is a transactional outbox: a handler's events are rows of
 * `outbox_events` in the service's own database, written in the transaction
 * of its effects, and a relay copies them to the stream (XADD), marking each
 * published. A crash between XADD and the mark publishes a copy; nothing is
 * ever lost between an effect and its event.
 *
 * Consuming is at-least-once and idempotent: an entry is acknowledged (XACK)
 * only after its handler's transaction committed, and that transaction first
 * inserts the event's id into `processed_events`, so a copy, or an entry
 * redelivered after a crash (the group's pending list, read first on start),
 * changes nothing. A handler that fails (its database unreachable) is
 * retried with the family's backoff, unacknowledged until it succeeds.
 */
export class EventBus {
  private reader: Redis | undefined;
  private stopped = false;
  private relaying: Promise<void> | undefined;
  private relayAgain = false;
  private readonly retries = new Map<string, { entry: string; event: BusEvent; attempts: number }>();
  private loops: Promise<void>[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly db: pg.Pool | undefined,
    private readonly opts: { stream: string; group: string; consumer: string; retry: RetryPolicy; relayEveryMs?: number },
  ) {}

  /** Creates the tables and the consumer group, then starts consuming with `handler` and relaying the outbox. */
  async start(handler: EventHandler): Promise<void> {
    if (this.db)
      await ensureSchema(this.db, [
        `CREATE TABLE IF NOT EXISTS outbox_events (
           seq bigserial PRIMARY KEY, event_id text UNIQUE NOT NULL, type text NOT NULL, data jsonb NOT NULL,
           created_at timestamptz NOT NULL DEFAULT clock_timestamp(), published_at timestamptz)`,
        `CREATE TABLE IF NOT EXISTS processed_events (
           consumer text NOT NULL, event_id text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (consumer, event_id))`,
      ]);
    try {
      await this.redis.sendCommand(['XGROUP', 'CREATE', this.opts.stream, this.opts.group, '0', 'MKSTREAM']);
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
    // XREADGROUP BLOCK holds its connection: it gets one of its own.
    this.reader = this.redis.duplicate() as Redis;
    this.reader.on('error', (err: Error) => console.error(`redis (reader): ${err.message}`));
    await this.reader.connect();
    this.loops.push(this.consume(handler));
    if (this.db) {
      this.timer = setInterval(() => this.wakeRelay(), this.opts.relayEveryMs ?? 100);
      this.wakeRelay();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.loops, this.relaying]);
    await this.reader?.close().catch(() => undefined);
  }

  /** Writes `events` to the outbox in transaction `c`; they are published once it commits (call `wakeRelay` after). */
  async emitIn(c: pg.ClientBase, events: readonly BusEvent[]): Promise<void> {
    for (const e of events)
      await c.query('INSERT INTO outbox_events (event_id, type, data) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING', [
        e.id,
        e.type,
        JSON.stringify(e.data),
      ]);
  }

  /** Publishes `event` straight to the stream, for a service with no database of its own (its request is then its only record). */
  async emitNow(event: BusEvent): Promise<void> {
    await this.redis.sendCommand(['XADD', this.opts.stream, '*', 'id', event.id, 'type', event.type, 'data', JSON.stringify(event.data)]);
  }

  /** Runs the relay now, or once more after the pass under way. */
  wakeRelay(): void {
    if (!this.db || this.stopped) return;
    if (this.relaying) {
      this.relayAgain = true;
      return;
    }
    this.relaying = this.relayOnce()
      .catch((err: Error) => console.error(`relay: ${err.message}`))
      .finally(() => {
        this.relaying = undefined;
        if (this.relayAgain) {
          this.relayAgain = false;
          this.wakeRelay();
        }
      });
  }

  private async relayOnce(): Promise<void> {
    const { rows } = await this.db!.query<{ seq: string; event_id: string; type: string; data: unknown }>(
      'SELECT seq, event_id, type, data FROM outbox_events WHERE published_at IS NULL ORDER BY seq LIMIT 500',
    );
    if (rows.length === 0) return;
    for (const r of rows) await this.emitNow({ id: r.event_id, type: r.type, data: r.data as Record<string, unknown> });
    await this.db!.query('UPDATE outbox_events SET published_at = clock_timestamp() WHERE seq = ANY($1::bigint[])', [rows.map((r) => r.seq)]);
    if (rows.length === 500) this.relayAgain = true;
  }

  /** Reads this consumer's own pending entries first (delivered before a crash, never acknowledged), then new ones, until stopped. */
  private async consume(handler: EventHandler): Promise<void> {
    let from = '0';
    while (!this.stopped) {
      let entries: Array<{ entry: string; event: BusEvent }>;
      try {
        entries = await this.read(from);
      } catch (err) {
        console.error(`read ${this.opts.stream}: ${(err as Error).message}`);
        await sleep(500);
        continue;
      }
      if (from === '0' && entries.length === 0) from = '>';
      await Promise.all(entries.filter((e) => !this.retries.has(e.entry)).map((e) => this.handle(handler, e.entry, e.event, 0)));
      if (from === '0' && entries.every((e) => this.retries.has(e.entry))) from = '>';
    }
  }

  private async read(from: string): Promise<Array<{ entry: string; event: BusEvent }>> {
    const reply = (await this.reader!.sendCommand([
      'XREADGROUP',
      'GROUP',
      this.opts.group,
      this.opts.consumer,
      'COUNT',
      '200',
      ...(from === '>' ? ['BLOCK', '200'] : []),
      'STREAMS',
      this.opts.stream,
      from,
    ])) as [string, [string, string[] | null][]][] | null;
    const out: Array<{ entry: string; event: BusEvent }> = [];
    for (const [entry, fields] of reply?.[0]?.[1] ?? []) {
      if (!fields) continue; // an entry deleted from the stream while pending
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
      out.push({ entry, event: { id: f.id, type: f.type, data: JSON.parse(f.data) } });
    }
    return out;
  }

  /**
   * Handles one entry, exactly once in effect. On failure the entry stays
   * unacknowledged and is retried after the backoff, apart from the loop, so
   * one failing entry holds up no other.
   */
  private async handle(handler: EventHandler, entry: string, event: BusEvent, attempts: number): Promise<void> {
    try {
      let emitted = false;
      if (this.db)
        await inTransaction(this.db, async (c) => {
          const fresh = await c.query('INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [this.opts.group, event.id]);
          if (fresh.rowCount === 0) return;
          const out = (await handler(event, c)) ?? [];
          await this.emitIn(c, out);
          emitted = out.length > 0;
        });
      else await handler(event, undefined);
      if (emitted) this.wakeRelay();
      await this.redis.sendCommand(['XACK', this.opts.stream, this.opts.group, entry]);
      this.retries.delete(entry);
    } catch (err) {
      const tries = attempts + 1;
      this.retries.set(entry, { entry, event, attempts: tries });
      console.error(`${event.type} ${event.id}, attempt ${tries}: ${(err as Error).message}`);
      void sleep(backoffMs(this.opts.retry, tries)).then(() => (this.stopped ? undefined : this.handle(handler, entry, event, tries)));
    }
  }

  /** Outbox rows not yet on the stream, and entries this consumer is retrying. */
  async backlog(): Promise<{ unpublished: number; retrying: number }> {
    const unpublished = this.db ? Number((await this.db.query('SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL')).rows[0].n) : 0;
    return { unpublished, retrying: this.retries.size };
  }

  /** Every consumer group of the stream, with its pending and undelivered entries. */
  async groups(): Promise<GroupLag[]> {
    const reply = (await this.redis.sendCommand(['XINFO', 'GROUPS', this.opts.stream])) as unknown[][];
    return reply.map((fields) => {
      const f: Record<string, unknown> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) f[String(fields[i])] = fields[i + 1];
      return { group: String(f.name), pending: Number(f.pending), lag: f.lag === null ? Number.NaN : Number(f.lag) };
    });
  }
}
