"""An independent reference for the eval statistics, in Python's standard library only.

Reads {"passAtK": [[n, c, k]...], "mcnemar": [[b, c]...], "bootstrap": {"values": [...], "seed": s,
"resamples": r}} on stdin and prints the same quantities as JSON. pass@k, pass^k and McNemar are computed
as exact fractions (math.comb, fractions.Fraction), not by the product forms the TypeScript uses. The
bootstrap re-implements mulberry32 from its published C definition with explicit mod-2^32 arithmetic, draws
index int(u * n), and takes the type-7 quantile, so the interval must agree to rounding.
"""

import json
import sys
from fractions import Fraction
from math import comb, floor

MASK = 0xFFFFFFFF


def mulberry32(seed):
    state = seed & MASK

    def draw():
        nonlocal state
        state = (state + 0x6D2B79F5) & MASK
        z = state
        z = ((z ^ (z >> 15)) * (z | 1)) & MASK
        z ^= (z + (((z ^ (z >> 7)) * (z | 61)) & MASK)) & MASK
        return ((z ^ (z >> 14)) & MASK) / 4294967296

    return draw


def quantile7(sorted_values, q):
    position = (len(sorted_values) - 1) * q
    below = floor(position)
    above = min(below + 1, len(sorted_values) - 1)
    return sorted_values[below] + (position - below) * (sorted_values[above] - sorted_values[below])


def main():
    request = json.load(sys.stdin)
    out = {"passAtK": [], "passHatK": [], "mcnemar": []}
    for n, c, k in request["passAtK"]:
        out["passAtK"].append(float(1 - Fraction(comb(n - c, k), comb(n, k))))
        out["passHatK"].append(float(Fraction(comb(c, k), comb(n, k))))
    for b, c in request["mcnemar"]:
        m = b + c
        tail = Fraction(sum(comb(m, i) for i in range(min(b, c) + 1)), 2**m) if m else Fraction(1, 2)
        out["mcnemar"].append(float(min(Fraction(1), 2 * tail)))
    boot = request["bootstrap"]
    values, n = boot["values"], len(boot["values"])
    draw = mulberry32(boot["seed"])
    means = []
    for _ in range(boot["resamples"]):
        total = 0.0
        for _ in range(n):
            total += values[int(draw() * n)]
        means.append(total / n)
    means.sort()
    out["bootstrap"] = {"low": quantile7(means, 0.025), "high": quantile7(means, 0.975)}
    json.dump(out, sys.stdout)


main()
