/**
 * Che's approximation of an LRU cache's hit ratio under independent
 * requests (Che, Tung and Wang, IEEE JSAC 2002): an item stays cached for a
 * characteristic time T_C after its last request, where T_C solves
 * Σ_i (1 − e^(−p_i·T_C)) = C; the hit ratio is Σ_i p_i·(1 − e^(−p_i·T_C)).
 * Pure; `pmf` sums to 1; throws for a capacity outside 1 … items − 1.
 */
export function cheLruHitRatio(pmf: readonly number[], capacity: number): number {
  if (!(capacity >= 1 && capacity < pmf.length)) throw new Error(`che: capacity must be between 1 and ${pmf.length - 1} items, got ${capacity}`);
  const occupancy = (t: number) => {
    let sum = 0;
    for (const p of pmf) sum -= Math.expm1(-p * t);
    return sum;
  };
  // Occupancy grows with T from 0 toward the item count: bracket C, then bisect.
  let lo = 0;
  let hi = 1;
  while (occupancy(hi) < capacity) hi *= 2;
  for (let i = 0; i < 100 && hi - lo > 1e-9 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (occupancy(mid) < capacity) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  let hits = 0;
  for (const p of pmf) hits -= p * Math.expm1(-p * t);
  return hits;
}
