/**
 * pass@k = 1 − C(n−c, k) / C(n, k): the chance that at least one of k runs drawn from n passes.
 * Computed as a product, 1 − Π_{i=n−c+1..n} (1 − k/i), so no binomial ever overflows (Chen et al. 2021).
 */
export function passAtK(n: number, c: number, k: number): number {
  check(n, c, k);
  if (n - c < k) return 1;
  let fail = 1;
  for (let i = n - c + 1; i <= n; i++) fail *= 1 - k / i;
  return 1 - fail;
}

/** pass^k = C(c, k) / C(n, k): the chance that all k runs drawn from n pass (reliability, τ-bench). */
export function passHatK(n: number, c: number, k: number): number {
  check(n, c, k);
  if (c < k) return 0;
  let all = 1;
  for (let i = 0; i < k; i++) all *= (c - i) / (n - i);
  return all;
}

function check(n: number, c: number, k: number): void {
  if (!(Number.isInteger(n) && Number.isInteger(c) && Number.isInteger(k)) || c < 0 || c > n || k < 1 || k > n)
    throw new RangeError(`pass@k needs integers 0 ≤ c ≤ n and 1 ≤ k ≤ n (n=${n}, c=${c}, k=${k})`);
}
