import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Started, startPattern, waitFor } from '../test-support.ts';

type Audit = {
  orders: Array<{ id: string; state: string }>;
  inventory: { records: Array<{ orderId: string; state: string; attempts: number; undoneAtMs?: number }>; stock: Record<string, number> };
  payment: { records: Array<{ orderId: string; state: string; attempts: number; undoneAtMs?: number }> };
  shipping: { records: Array<{ orderId: string; state: string; attempts: number }> };
  log: Array<{ sagaId: string; step: string; event: string }>;
};

/**
 * The second acceptance test, on four real services and five real
 * PostgreSQL instances: a saga whose payment step is refused compensates the
 * earlier steps (and only those), in reverse order, without retrying the
 * refusal; an orchestrator killed mid-saga — forward or while compensating,
 * held there for sure by a failpoint — finishes or compensates every saga
 * once started again; a participant that dies is retried with backoff.
 */
describe('the orchestrated order saga', () => {
  let s: Started;
  const order = (id: string, extra: Record<string, unknown> = {}) => ({ id, sku: 'sku-0', qty: 2, amount: 40, card: 'ok', address: 'home', ...extra });
  const audit = async () => (await call(`${s.url}/audit`)).body as Audit;
  const recordsOf = (a: Audit, id: string) => ({
    inventory: a.inventory.records.find((r) => r.orderId === id),
    payment: a.payment.records.find((r) => r.orderId === id),
    shipping: a.shipping.records.find((r) => r.orderId === id),
  });
  const trail = (a: Audit, id: string) => a.log.filter((e) => e.sagaId === id && e.step).map((e) => `${e.step} ${e.event}`);

  beforeAll(async () => {
    s = await startPattern('order-saga', { initialStock: 50 });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('completes an order with all its effects', async () => {
    expect(await call(`${s.url}/orders`, order('fine'))).toMatchObject({ status: 200, body: { state: 'completed' } });
    const a = await audit();
    expect(recordsOf(a, 'fine')).toMatchObject({ inventory: { state: 'reserved' }, payment: { state: 'charged' }, shipping: { state: 'scheduled' } });
    expect((await call(`${s.url}/orders/fine`)).body).toMatchObject({ state: 'completed' });
    expect(trail(a, 'fine')).toEqual(['reserve done', 'charge done', 'ship done']);
  });

  it('a declined card compensates the reservation before it, does not retry the refusal, and never ships', async () => {
    const before = (await audit()).inventory.stock['sku-0'];
    expect(await call(`${s.url}/orders`, order('declined', { card: 'declined' }))).toMatchObject({ status: 409, body: { state: 'compensated' } });
    const a = await audit();
    expect(recordsOf(a, 'declined')).toMatchObject({ inventory: { state: 'released' }, payment: { state: 'refused', attempts: 1 } });
    expect(recordsOf(a, 'declined').shipping).toBeUndefined();
    expect(a.inventory.stock['sku-0']).toBe(before);
    expect(trail(a, 'declined')).toEqual(['reserve done', 'charge refused', 'reserve compensated']);
  });

  it('an undeliverable address compensates the charge, then the reservation: reverse order', async () => {
    expect(await call(`${s.url}/orders`, order('nowhere', { address: 'nowhere' }))).toMatchObject({ status: 409, body: { state: 'compensated' } });
    const a = await audit();
    const r = recordsOf(a, 'nowhere');
    expect(r).toMatchObject({ inventory: { state: 'released' }, payment: { state: 'refunded' }, shipping: { state: 'refused' } });
    expect(r.payment!.undoneAtMs!).toBeLessThan(r.inventory!.undoneAtMs!);
    expect(trail(a, 'nowhere')).toEqual(['reserve done', 'charge done', 'ship refused', 'charge compensated', 'reserve compensated']);
  });

  it('killed mid-saga and mid-compensation, the orchestrator resumes both from its log when it starts again', async () => {
    const failpoints = async () => (await call(`${s.url}/failpoints`)).body as Record<string, { waiting: number }>;
    await call(`${s.url}/failpoints/after-step`, { pauseMs: 120_000, times: 1 }, 'PUT');
    void call(`${s.url}/orders`, order('forward'));
    await waitFor('forward held after a step', async () => (await failpoints())['after-step']?.waiting === 1);
    await call(`${s.url}/failpoints/after-compensation`, { pauseMs: 120_000, times: 1 }, 'PUT');
    void call(`${s.url}/orders`, order('backward', { address: 'nowhere' }));
    await waitFor('backward held after a compensation', async () => (await failpoints())['after-compensation']?.waiting === 1);
    // GET /sagas lists both, each at its current step.
    const sagas = (await call(`${s.url}/sagas`)).body.inFlight as Array<{ id: string; state: string; step: string }>;
    expect(sagas.find((x) => x.id === 'forward')).toMatchObject({ state: 'running', step: 'charge' });
    expect(sagas.find((x) => x.id === 'backward')).toMatchObject({ state: 'compensating' });

    const kill = s.kill('target');
    await kill.start();
    await kill.stop();
    await waitFor('both sagas finished', async () => (await call(`${s.url}/sagas`)).body?.inFlight?.length === 0, 30_000);
    expect((await call(`${s.url}/orders/forward`)).body).toMatchObject({ state: 'completed' });
    expect((await call(`${s.url}/orders/backward`)).body).toMatchObject({ state: 'compensated' });
    const a = await audit();
    expect(recordsOf(a, 'forward')).toMatchObject({ inventory: { state: 'reserved' }, payment: { state: 'charged' }, shipping: { state: 'scheduled' } });
    expect(recordsOf(a, 'backward')).toMatchObject({ inventory: { state: 'released' }, payment: { state: 'refunded' }, shipping: { state: 'refused' } });
    expect(trail(a, 'backward')).toEqual(['reserve done', 'charge done', 'ship refused', 'charge compensated', 'reserve compensated']);
  });

  it('retries a participant that died with exponential backoff, and charges once when it is back', async () => {
    const kill = s.kill('payment');
    await kill.start();
    let answer: Promise<{ status: number }>;
    try {
      answer = call(`${s.url}/orders`, order('retried'));
      const retrying = await waitFor('a failed attempt of the charge', async () => {
        const saga = ((await call(`${s.url}/sagas`)).body?.inFlight as Array<{ id: string; step: string; attempts: number; nextAttemptAtMs?: number }>)?.find(
          (x) => x.id === 'retried',
        );
        return saga && saga.attempts >= 1 ? saga : undefined;
      });
      expect(retrying).toMatchObject({ step: 'charge', nextAttemptAtMs: expect.any(Number) });
    } finally {
      await kill.stop();
    }
    await answer;
    await waitFor('the saga finished', async () => (await call(`${s.url}/orders/retried`)).body?.state !== 'pending', 30_000);
    expect((await call(`${s.url}/orders/retried`)).body).toMatchObject({ state: 'completed' });
    expect(recordsOf(await audit(), 'retried').payment).toMatchObject({ state: 'charged' });
  });
});
