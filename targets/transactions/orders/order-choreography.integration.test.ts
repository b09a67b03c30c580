import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Started, startPattern, waitFor } from '../test-support.ts';

type Records = Array<{ orderId: string; state: string; attempts: number }>;

/**
 * The choreographed order saga on real services, Redis and PostgreSQL: the
 * same outcomes as the orchestrated one, driven by events; and, with no one
 * in charge, a saga outlives both a dead participant and a dead order
 * service — each resumes its part from the stream when it starts again.
 */
describe('the choreographed order saga', () => {
  let s: Started;
  const order = (id: string, extra: Record<string, unknown> = {}) => ({ id, sku: 'sku-1', qty: 1, amount: 25, card: 'ok', address: 'home', ...extra });
  const stateOf = async (id: string) => (await call(`${s.url}/orders/${id}`)).body as { state: string; step?: string } | undefined;

  beforeAll(async () => {
    s = await startPattern('order-choreography', { initialStock: 50 });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('completes, and compensates a declined card or an undeliverable address, through events alone', async () => {
    const [fine, declined, nowhere] = await Promise.all([
      call(`${s.url}/orders`, order('c-fine')),
      call(`${s.url}/orders`, order('c-declined', { card: 'declined' })),
      call(`${s.url}/orders`, order('c-nowhere', { address: 'nowhere' })),
    ]);
    expect([fine.body.state, declined.body.state, nowhere.body.state]).toEqual(['completed', 'compensated', 'compensated']);
    const audit = (await call(`${s.url}/audit`)).body as { inventory: { records: Records }; payment: { records: Records }; shipping: { records: Records } };
    const state = (records: Records, id: string) => records.find((r) => r.orderId === id)?.state;
    expect(['c-fine', 'c-declined', 'c-nowhere'].map((id) => state(audit.inventory.records, id))).toEqual(['reserved', 'released', 'released']);
    expect(['c-fine', 'c-declined', 'c-nowhere'].map((id) => state(audit.payment.records, id))).toEqual(['charged', 'refused', 'refunded']);
    expect(['c-fine', 'c-declined', 'c-nowhere'].map((id) => state(audit.shipping.records, id))).toEqual(['scheduled', undefined, 'refused']);
  });

  it('a saga outlives a dead participant and a dead order service: each resumes its part from the stream', async () => {
    const payment = s.kill('payment');
    const target = s.kill('target');
    await payment.start();
    try {
      void call(`${s.url}/orders`, order('c-resumed'));
      // Inventory reserved; the charge waits for payment.
      await waitFor('the order waiting for its charge', async () => (await stateOf('c-resumed'))?.step === 'charge');
      const sagas = (await call(`${s.url}/sagas`)).body.inFlight as Array<{ id: string; step: string }>;
      expect(sagas).toContainEqual(expect.objectContaining({ id: 'c-resumed', step: 'charge' }));
      await target.start();
    } finally {
      await payment.stop();
    }
    try {
      // The order service is down, yet payment and shipping carry the saga on.
      await new Promise((r) => setTimeout(r, 2_000));
    } finally {
      await target.stop();
    }
    await waitFor('the order completed', async () => (await stateOf('c-resumed'))?.state === 'completed', 30_000);
    const audit = (await call(`${s.url}/audit`)).body as { payment: { records: Records } };
    expect(audit.payment.records.find((r) => r.orderId === 'c-resumed')).toMatchObject({ state: 'charged' });
    await waitFor('nothing in flight', async () => (await call(`${s.url}/in-flight`)).body?.inFlight?.length === 0);
  });
});
