import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Failpoints } from './failpoints.ts';
import { backoffMs, retryPolicy } from './retry.ts';
import { SagaOrchestrator, type SagaStep, StepRefused } from './saga-orchestrator.ts';

/**
 * An in-memory twin of the saga log's database, for the orchestrator's
 * timing and ordering rules under fake timers (the integration tests run the
 * same class on PostgreSQL): it records the events the orchestrator logs.
 */
function logTwin() {
  const events: string[] = [];
  const client = {
    query: async (sql: string, params: unknown[] = []) => {
      if (sql.startsWith('INSERT INTO sagas'))
        return { rows: [{ id: params[0], payload: JSON.parse(String(params[2])), state: 'running', step: 0, compensate_next: -1 }], rowCount: 1 };
      if (sql.startsWith('INSERT INTO saga_events')) events.push(params.length === 3 ? `${params[1]} ${params[2]}`.trim() : 'started');
      return { rows: [], rowCount: 0 };
    },
    release: () => undefined,
  };
  const pool = { connect: async () => client, query: client.query } as unknown as pg.Pool;
  return { pool, events };
}

describe('the saga orchestrator', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('has Temporal’s retry defaults: 1 s, then ×2 each time, capped at 100 s, unlimited attempts', () => {
    const policy = retryPolicy.parse({});
    expect(policy).toEqual({ initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 100_000, maximumAttempts: 0 });
    expect([1, 2, 3, 4, 8, 9].map((attempt) => backoffMs(policy, attempt))).toEqual([1_000, 2_000, 4_000, 8_000, 100_000, 100_000]);
  });

  it('retries a failing step after 1, 2 and 4 s, then goes on', async () => {
    const { pool, events } = logTwin();
    const attemptsAt: number[] = [];
    const steps: SagaStep<object>[] = [
      {
        name: 'flaky',
        run: async () => {
          attemptsAt.push(Date.now());
          if (attemptsAt.length < 4) throw new Error('unreachable');
        },
      },
    ];
    const saga = new SagaOrchestrator(pool, { kind: 't', steps }, new Failpoints([]), { retry: retryPolicy.parse({}), stepTimeoutMs: 500 });
    const outcome = saga.run('s1', {});
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await outcome).toBe('completed');
    expect(attemptsAt).toEqual([0, 1_000, 3_000, 7_000]);
    expect(events).toEqual(['started', 'flaky done', 'completed']);
  });

  it('does not retry a refused step, and compensates only the steps before it, in reverse order', async () => {
    const { pool, events } = logTwin();
    const calls: string[] = [];
    const step = (name: string, refuse = false): SagaStep<object> => ({
      name,
      run: async () => {
        calls.push(name);
        if (refuse) throw new StepRefused('no');
      },
      compensate: async () => {
        calls.push(`undo ${name}`);
      },
    });
    const saga = new SagaOrchestrator(pool, { kind: 't', steps: [step('a'), step('b'), step('c', true), step('d')] }, new Failpoints([]), {
      retry: retryPolicy.parse({}),
      stepTimeoutMs: 500,
    });
    const outcome = saga.run('s2', {});
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await outcome).toBe('compensated');
    expect(calls).toEqual(['a', 'b', 'c', 'undo b', 'undo a']);
    expect(events).toEqual(['started', 'a done', 'b done', 'c refused', 'b compensated', 'a compensated', 'compensated']);
  });

  it('gives up on a compensatable step after maximumAttempts and compensates it too (its outcome is unknown); a first step refused is rejected', async () => {
    const { pool } = logTwin();
    const calls: string[] = [];
    const hanging: SagaStep<object> = {
      name: 'slow',
      run: () => new Promise(() => calls.push('slow')), // never answers: each attempt times out
      compensate: async () => {
        calls.push('undo slow');
      },
    };
    const policy = retryPolicy.parse({ maximumAttempts: 2 });
    const saga = new SagaOrchestrator(pool, { kind: 't', steps: [hanging] }, new Failpoints([]), { retry: policy, stepTimeoutMs: 500 });
    const outcome = saga.run('s3', {});
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await outcome).toBe('compensated');
    expect(calls).toEqual(['slow', 'slow', 'undo slow']);

    const refusedFirst = new SagaOrchestrator(
      pool,
      { kind: 't', steps: [{ name: 'x', run: async () => Promise.reject(new StepRefused('no')) }] },
      new Failpoints([]),
      {
        retry: policy,
        stepTimeoutMs: 500,
      },
    );
    expect(await refusedFirst.run('s4', {})).toBe('rejected');
  });

  it('retries a step without a compensation past maximumAttempts: a retriable step is never given up on', async () => {
    const { pool } = logTwin();
    let attempts = 0;
    const last: SagaStep<object> = {
      name: 'credit',
      run: async () => {
        if (++attempts < 5) throw new Error('down');
      },
    };
    const saga = new SagaOrchestrator(pool, { kind: 't', steps: [last] }, new Failpoints([]), {
      retry: retryPolicy.parse({ maximumAttempts: 2 }),
      stepTimeoutMs: 500,
    });
    const outcome = saga.run('s5', {});
    await vi.advanceTimersByTimeAsync(20_000);
    expect(await outcome).toBe('completed');
    expect(attempts).toBe(5);
  });
});
