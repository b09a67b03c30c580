import pg, { type Pool, type PoolClient } from 'pg';

/** An isolation level as PostgreSQL spells it in `BEGIN ISOLATION LEVEL …`. */
export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/** A list key: a row id. */
export type Key = number;

/**
 * One micro-op, Jepsen's shape: `["append", k, e]` adds element `e` to the
 * end of list `k`; `["r", k, null]` asks for list `k` and comes back as
 * `["r", k, [e …]]`, or `["r", k, null]` for a key no one appended to yet.
 */
export type MicroOp = ['append', Key, number] | ['r', Key, number[] | null];

/**
 * How a transaction that did not commit ended, when the store knows it did
 * not: `conflict` is PostgreSQL's verdict that it could not serialize the
 * transaction (SQLSTATE 40001) or broke a deadlock with it (40P01), which a
 * client answers by running the transaction again; `aborted` is any other
 * error before COMMIT was sent (a lost connection, a refused one, a
 * statement timeout), after which it cannot have committed either.
 */
export class TxnNotCommitted extends Error {
  constructor(
    readonly reason: 'conflict' | 'aborted',
    message: string,
    /** PostgreSQL's SQLSTATE, when the server said why. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** One statement that starts the list or adds to its end; the row's lock orders concurrent appends to one key. */
const APPEND = `INSERT INTO lists AS t (id, val) VALUES ($1, $2)
  ON CONFLICT (id) DO UPDATE SET val = t.val || ',' || excluded.val`;

/**
 * SQLSTATE class 40, "transaction rollback": the server rolled the
 * transaction back, so even in answer to COMMIT it surely did not commit.
 * 40001 and 40P01 are the two a client retries.
 */
const rolledBack = (code: string | undefined) => code?.startsWith('40') === true;
const retryable = (code: string | undefined) => code === '40001' || code === '40P01';

/**
 * Lists in PostgreSQL, as Jepsen's PostgreSQL test keeps them: one row a key,
 * its elements comma-separated in a text column, an append one
 * `INSERT … ON CONFLICT DO UPDATE` that creates the row or concatenates to
 * it, a read one `SELECT` by primary key. Every transaction runs at one
 * isolation level, which is the whole pattern: the same statements, and
 * what PostgreSQL lets concurrent transactions see of each other.
 */
export class ListAppendStore {
  /**
   * Listens on every connection `pool` opens from now on: pg reports a
   * connection that fails while checked out (even in the very packet that
   * finished connecting, from a server shutting down) as an 'error' event on
   * its client, which would crash the process unheard, since the pool
   * listens only to idle ones. The statement that next uses it fails anyway,
   * and that is how a transaction hears of it.
   */
  constructor(
    private readonly pool: Pool,
    readonly level: IsolationLevel,
    /** Before each micro-op, a pause of up to this many ms (uniform), as an application doing work between its statements. */
    private readonly thinkMs = 0,
  ) {
    pool.on('connect', (client) => client.on('error', (err) => console.error(`postgres connection: ${err.message}`)));
  }

  /**
   * Creates the table if absent, trying again every half second while
   * PostgreSQL cannot be reached (a service restarted while PostgreSQL
   * restarts too), for up to `withinMs`; then throws the last error.
   */
  async prepare(withinMs = 15_000): Promise<void> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      try {
        await this.pool.query('CREATE TABLE IF NOT EXISTS lists (id bigint PRIMARY KEY, val text NOT NULL)');
        return;
      } catch (err) {
        if (Date.now() >= deadline) throw err;
        await sleep(500);
      }
    }
  }

  /**
   * Runs `mops` as one transaction at the store's level and returns them
   * with the reads filled in, once COMMIT succeeded. Throws
   * `TxnNotCommitted` when it surely did not commit (see there); any other
   * error means the outcome is unknown: COMMIT was sent and no verdict came
   * back, so the transaction may have committed.
   */
  async transact(mops: readonly MicroOp[]): Promise<MicroOp[]> {
    const txn = await this.begin();
    try {
      const done: MicroOp[] = [];
      for (const [f, key, value] of mops) {
        if (this.thinkMs > 0) await sleep(Math.random() * this.thinkMs);
        if (f === 'r') done.push(['r', key, await txn.read(key)]);
        else {
          await txn.append(key, value);
          done.push(['append', key, value]);
        }
      }
      await txn.commit();
      return done;
    } finally {
      txn.release();
    }
  }

  /**
   * Starts a transaction at the store's level on a connection of its own,
   * for callers that interleave transactions step by step (the tests).
   * Throws `TxnNotCommitted('aborted')` when it cannot start one.
   */
  async begin(): Promise<Transaction> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw notCommitted(err);
    }
    const txn = new Transaction(client);
    try {
      await txn.run(`BEGIN ISOLATION LEVEL ${this.level}`);
    } catch (err) {
      txn.release();
      throw err;
    }
    return txn;
  }
}

/**
 * One open transaction on its own connection. Every method before `commit`
 * turns an error into `TxnNotCommitted`: COMMIT has not been sent, and a
 * PostgreSQL transaction never commits without it (a dropped connection rolls
 * it back). `release` must follow, whatever happened.
 */
export class Transaction {
  private committed = false;

  constructor(private readonly client: PoolClient) {}

  /** The list at `key` as this transaction sees it, `null` when there is no row. */
  async read(key: Key): Promise<number[] | null> {
    const { rows } = await this.run<{ val: string }>('SELECT val FROM lists WHERE id = $1', [key]);
    return rows.length === 0 ? null : rows[0].val.split(',').map(Number);
  }

  /** Appends `element` to the list at `key`, creating the row for a new key. */
  async append(key: Key, element: number): Promise<void> {
    await this.run(APPEND, [key, String(element)]);
  }

  /**
   * Sends COMMIT. Throws `TxnNotCommitted` when the server answers that it
   * rolled the transaction back (SQLSTATE class 40); any other error leaves
   * the outcome unknown (the commit may have happened before the connection,
   * or the server, went away) and is thrown as it is.
   */
  async commit(): Promise<void> {
    try {
      await this.client.query('COMMIT');
      this.committed = true;
    } catch (err) {
      if (rolledBack(sqlState(err))) throw notCommitted(err);
      throw err;
    }
  }

  /**
   * Gives the connection back to the pool after a commit; otherwise (an
   * error, or a transaction left open) closes it, which rolls back whatever
   * is open, so no connection goes back mid-transaction.
   */
  release(): void {
    this.client.release(this.committed ? undefined : new Error('released without a commit'));
  }

  /** One statement before COMMIT; an error means the transaction will not commit. */
  async run<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.client.query<R>(sql, params);
    } catch (err) {
      throw notCommitted(err);
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function sqlState(err: unknown): string | undefined {
  return err instanceof pg.DatabaseError ? err.code : undefined;
}

function notCommitted(err: unknown): TxnNotCommitted {
  const code = sqlState(err);
  const message = (err as Error).message || (err as Error).constructor.name;
  return new TxnNotCommitted(retryable(code) ? 'conflict' : 'aborted', message, code);
}
