"""Tail probabilities of the Poisson and binomial laws, summed in log space (no scipy).

The spike watch (:mod:`smm_tui.core.spikes`) tests counts against them: a tail
below the sensitivity is a spike.
"""

from __future__ import annotations

import math
from collections.abc import Callable


def poisson_tail(k: int, mu: float) -> float:
    """P(X ≥ k) for X ~ Poisson(mu), summed in log space (no scipy)."""
    if k <= 0:
        return 1.0
    if mu <= 0:
        return 0.0
    if k > mu:
        # Terms fall from k on: sum them, relative to the first, until they stop mattering.
        first = -mu + k * math.log(mu) - math.lgamma(k + 1)
        return min(1.0, math.exp(first) * _falling_sum(lambda i: mu / (i + 1), k, None))
    # k at or below the mean: the tail is at least about a half, so 1 - the rest is exact enough.
    last = -mu + (k - 1) * math.log(mu) - math.lgamma(k)
    below = math.exp(last) * _falling_sum(lambda i: i / mu, k - 1, 0, step=-1)
    return min(1.0, max(0.0, 1.0 - below))


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(K ≥ k) for K ~ Binomial(n, p), summed in log space."""
    if k <= 0:
        return 1.0
    if k > n or p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    odds = p / (1 - p)
    if k > n * p:
        first = _log_binomial(k, n, p)
        return min(1.0, math.exp(first) * _falling_sum(lambda i: (n - i) / (i + 1) * odds, k, n))
    last = _log_binomial(k - 1, n, p)
    below = math.exp(last) * _falling_sum(lambda i: i / (n - i + 1) / odds, k - 1, 0, step=-1)
    return min(1.0, max(0.0, 1.0 - below))


def _log_binomial(i: int, n: int, p: float) -> float:
    choose = math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
    return choose + i * math.log(p) + (n - i) * math.log1p(-p)


def _falling_sum(
    ratio: Callable[[int], float], start: int, stop: int | None, *, step: int = 1
) -> float:
    """1 + r(start) + r(start)·r(start+step) + …: a pmf's terms relative to the first.

    Each ratio is below 1 from ``start`` on, so the sum stops once a term is negligible.
    """
    total = term = 1.0
    i = start
    while (stop is None or i != stop) and term > total * 1e-17:
        term *= ratio(i)
        total += term
        i += step
    return total
