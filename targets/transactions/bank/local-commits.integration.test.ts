import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBank } from '../../../checkers/bank.ts';
import { checkTransferAtomicity } from '../../../checkers/transfer-atomicity.ts';
import type { Op } from '../../../history/op.ts';
import { call, type Started, startPattern, waitFor } from '../test-support.ts';

/**
 * The negative control, on real components: plain local commits with the
 * service killed between the debit's commit and the credit (a failpoint
 * holds it there for sure) lose the money, and the family's checkers, fed
 * the real audit and balances, say so. A checker that passed this would be
 * no evidence for the patterns that pass.
 */
describe('local commits killed between the two commits', () => {
  let s: Started;
  beforeAll(async () => {
    s = await startPattern('local-commits', { accountsPerShard: 2, initialBalance: 100 });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('lose the debited amount, and the atomicity and conservation checks fail', async () => {
    const transfer = { id: 'lost', from: 'a0', to: 'b0', amount: 30 };
    await call(`${s.url}/failpoints/between-commits`, { pauseMs: 120_000, times: 1 }, 'PUT');
    const answer = call(`${s.url}/transfers`, transfer);
    await waitFor('held between the commits', async () => (await call(`${s.url}/failpoints`)).body?.['between-commits']?.waiting === 1);
    const kill = s.kill('target');
    await kill.start();
    await kill.stop();
    expect([0, 503]).toContain((await answer).status);

    const audit = (await call(`${s.url}/audit`)).body;
    const accounts = (await call(`${s.url}/accounts`)).body.accounts;
    expect(audit.transfers.lost).toEqual({ debit: { amount: -30, atMs: expect.any(Number) } });
    const history = [
      { process: 1, type: 'invoke', f: 'transfer', value: transfer },
      { process: 1, type: 'info', f: 'transfer', value: transfer },
      { process: 0, type: 'invoke', f: 'settle', value: null },
      { process: 0, type: 'ok', f: 'settle', value: { waitedMs: 0 } },
      { process: 0, type: 'invoke', f: 'audit', value: null },
      { process: 0, type: 'ok', f: 'audit', value: audit },
      { process: 0, type: 'invoke', f: 'read', value: null },
      { process: 0, type: 'ok', f: 'read', value: accounts },
    ].map((op, index) => ({ ...op, index, time: index * 1e6 })) as Op[];
    expect(checkTransferAtomicity(history)).toMatchObject({ valid: false, byRule: { partial: 1 }, counterexample: { transfer: 'lost' } });
    expect(checkBank(history, { total: 400 })).toMatchObject({ valid: false, wrongSums: { '370': 1 } });
  });
});
