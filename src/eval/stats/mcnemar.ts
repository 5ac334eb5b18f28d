/**
 * McNemar's exact test on paired pass/fail outcomes (one epoch). Only the discordant pairs count:
 * `onlyA` tasks passed by A alone, `onlyB` by B alone. Under the null each is Binomial(b + c, ½); the
 * two-sided p doubles the smaller tail and is capped at 1.
 */
export function mcnemarExactP(onlyA: number, onlyB: number): number {
  const n = onlyA + onlyB;
  if (n === 0) return 1;
  const smaller = Math.min(onlyA, onlyB);
  // Σ_{i ≤ smaller} C(n, i) / 2^n, each term built from the last in log-free ratios to stay exact enough.
  let term = 0.5 ** n;
  let tail = term;
  for (let i = 1; i <= smaller; i++) {
    term *= (n - i + 1) / i;
    tail += term;
  }
  return Math.min(1, 2 * tail);
}
