import type pg from 'pg';
import type { BusEvent, EventBus } from '../event-bus.ts';
import { within } from '../retry.ts';
import { type BankPattern, type InFlight, type ShardName, shardNames, shardOf, type Transfer, type TransferResult, TransferRefused } from './bank.ts';
import { cancelDebit, credit, debit, readBalances } from './shard.ts';

/** The events of a transfer's choreography, in the order they can follow each other. */
export const transferEvents = {
  requested: 'transfer-requested',
  debited: 'transfer-debited',
  rejected: 'transfer-rejected',
  completed: 'transfer-completed',
  creditRefused: 'transfer-credit-refused',
  refunded: 'transfer-refunded',
} as const;

const event = (t: Transfer, type: string): BusEvent => ({ id: `${t.id}:${type}`, type, data: { ...t } });

/**
 * The front of the choreographed transfer saga: it publishes
 * `transfer-requested` and answers when a terminal event about the transfer
 * comes back (`transfer-completed`, `transfer-rejected`,
 * `transfer-refunded`). The saga itself runs among the shards' ledger
 * services ({@link LedgerParticipant}), with no one in charge: killing this
 * service stops new transfers and answers, not the ones under way.
 */
export class ChoreographedSagaTransfers implements BankPattern {
  readonly commits = 'per-step';
  private readonly waiting = new Map<string, { resolve: (r: TransferResult) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly shards: Record<ShardName, pg.Pool>,
    private readonly bus: EventBus,
    /** The consumer groups of the ledger services, whose backlog is work still in flight. */
    private readonly participants: readonly string[],
  ) {}

  start(): Promise<void> {
    return this.bus.start(async (e) => {
      const answer = this.waiting.get(String(e.data.id));
      if (!answer) return undefined;
      if (e.type === transferEvents.completed) answer.resolve({ outcome: 'completed' });
      else if (e.type === transferEvents.rejected) answer.reject(new TransferRefused(String(e.data.reason ?? 'the debit was refused')));
      else if (e.type === transferEvents.refunded) answer.reject(new TransferRefused('the credit was refused; the debit was refunded', 'compensated'));
      return undefined;
    });
  }

  stop(): Promise<void> {
    return this.bus.stop();
  }

  async transfer(t: Transfer): Promise<TransferResult> {
    if (shardOf(t.from) === shardOf(t.to)) throw new TransferRefused('a transfer moves money between the two shards');
    const answered = new Promise<TransferResult>((resolve, reject) => this.waiting.set(t.id, { resolve, reject }));
    try {
      await this.bus.emitNow(event(t, transferEvents.requested));
      // Past the HTTP deadline no one listens; stop waiting a little after it.
      return await within(answered, 10_000, `transfer ${t.id}`);
    } finally {
      this.waiting.delete(t.id);
    }
  }

  balances(): Promise<Record<string, number>> {
    return readBalances(this.shards);
  }

  /**
   * Work under way: events still in a shard's outbox, events a ledger
   * service has not handled yet, and transfers debited but neither credited
   * nor refunded (from the ledgers).
   */
  async inFlight(): Promise<InFlight[]> {
    const out: InFlight[] = [];
    const steps = new Map<string, { debited: boolean; credited: boolean; creditBlocked: boolean; refunded: boolean }>();
    for (const shard of shardNames) {
      const db = this.shards[shard];
      // The ledger services create the outbox; until they have, nothing is in it.
      const unpublished = await db.query<{ n: string }>('SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL').catch((err) => {
        if ((err as { code?: string }).code === '42P01') return { rows: [{ n: '0' }] };
        throw err;
      });
      if (Number(unpublished.rows[0].n) > 0) out.push({ id: `outbox:${shard}`, step: `${unpublished.rows[0].n} events not yet published` });
      const { rows } = await db.query<{ transfer_id: string; kind: string; amount: string }>('SELECT transfer_id, kind, amount FROM ledger');
      for (const r of rows) {
        const s = steps.get(r.transfer_id) ?? { debited: false, credited: false, creditBlocked: false, refunded: false };
        if (r.kind === 'debit') s.debited = Number(r.amount) !== 0;
        else if (r.kind === 'credit') Number(r.amount) !== 0 ? (s.credited = true) : (s.creditBlocked = true);
        else s.refunded = true;
        steps.set(r.transfer_id, s);
      }
    }
    for (const g of await this.bus.groups()) {
      if (this.participants.includes(g.group) && (g.pending > 0 || g.lag !== 0))
        out.push({ id: `events:${g.group}`, step: `${g.pending} being handled, ${g.lag} not yet read` });
    }
    for (const [id, s] of steps) if (s.debited && !s.credited && !s.refunded) out.push({ id, step: s.creditBlocked ? 'refund' : 'credit' });
    return out;
  }
}

/**
 * A shard's part in the choreographed transfer saga, run by that shard's
 * ledger service: it reacts to the events that concern its accounts, each
 * reaction one local transaction with the event it emits (see `EventBus`).
 * - `transfer-requested` from one of its accounts: debit, then
 *   `transfer-debited`, or `transfer-rejected` (insufficient funds);
 * - `transfer-debited` to one of its accounts: credit, then
 *   `transfer-completed`, or `transfer-credit-refused` (a closed account);
 * - `transfer-credit-refused` from one of its accounts: refund, then
 *   `transfer-refunded`.
 * A refused step leaves a ledger row of amount 0, so no copy of the event
 * can apply it later.
 */
export class LedgerParticipant {
  constructor(readonly shard: ShardName) {}

  async react(e: BusEvent, c: pg.ClientBase): Promise<BusEvent[]> {
    const t = e.data as unknown as Transfer;
    const mine = (account: string) => {
      try {
        return shardOf(account) === this.shard;
      } catch {
        return false;
      }
    };
    if (e.type === transferEvents.requested && mine(t.from)) {
      const refused = await refusal(c, () => debit(c, t.id, t.from, t.amount), t, 'debit');
      return [refused ? { ...event(t, transferEvents.rejected), data: { ...t, reason: refused } } : event(t, transferEvents.debited)];
    }
    if (e.type === transferEvents.debited && mine(t.to)) {
      const refused = await refusal(c, () => credit(c, t.id, t.to, t.amount), t, 'credit');
      return [refused ? { ...event(t, transferEvents.creditRefused), data: { ...t, reason: refused } } : event(t, transferEvents.completed)];
    }
    if (e.type === transferEvents.creditRefused && mine(t.from)) {
      await cancelDebit(c, t);
      return [event(t, transferEvents.refunded)];
    }
    return [];
  }
}

/** Runs a step under a savepoint: undefined when it applied, else why it was refused — with the step's row of amount 0 written in its place. */
async function refusal(c: pg.ClientBase, work: () => Promise<unknown>, t: Transfer, kind: 'debit' | 'credit'): Promise<string | undefined> {
  await c.query('SAVEPOINT step');
  try {
    await work();
    await c.query('RELEASE SAVEPOINT step');
    return undefined;
  } catch (err) {
    if (!(err instanceof TransferRefused)) throw err;
    await c.query('ROLLBACK TO SAVEPOINT step');
    await c.query('INSERT INTO ledger (transfer_id, kind, account, amount) VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING', [
      t.id,
      kind,
      kind === 'debit' ? t.from : t.to,
    ]);
    return err.message;
  }
}
