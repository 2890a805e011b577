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
    # The spike watch tests thousands of series a check in a burst: the sums below are
    # _falling_sum's, written out (the same terms in the same order) to spare a call a term.
    if k > mu:
        # Terms fall from k on: sum them, relative to the first, until they stop mattering.
        first = -mu + k * math.log(mu) - math.lgamma(k + 1)
        total = term = 1.0
        i = k
        while term > total * 1e-17:
            term *= mu / (i + 1)
            total += term
            i += 1
        return min(1.0, math.exp(first) * total)
    # k at or below the mean: the tail is at least about a half, so 1 - the rest is exact enough.
    last = -mu + (k - 1) * math.log(mu) - math.lgamma(k)
    total = term = 1.0
    i = k - 1
    while i != 0 and term > total * 1e-17:
        term *= i / mu
        total += term
        i -= 1
    below = math.exp(last) * total
    return min(1.0, max(0.0, 1.0 - below))


#: How far (in log space) a bound must clear the sensitivity for poisson_below to trust it:
#: far above the rounding of poisson_tail, so the two never disagree.
_MARGIN = 1e-9
_SMALLEST_ALPHA = 1e-300


def poisson_below(k: int, mu: float, alpha: float) -> bool:
    """Whether ``poisson_tail(k, mu) < alpha``, mostly without summing the tail.

    Above the mean the tail lies between its first term and that term over
    ``1 - mu / (k + 1)`` (the terms fall at least that fast), so when both bounds
    fall on the same side of ``alpha`` the sum is spared: a series that keeps
    spiking, check after check, is asked this and not its exact p-value.
    """
    # Below about 1e-300 the exact sum rounds in subnormal floats: the bounds would not match it.
    if 0 < mu < k and alpha > _SMALLEST_ALPHA:
        first = -mu + k * math.log(mu) - math.lgamma(k + 1)
        limit = math.log(alpha)
        if first - math.log1p(-mu / (k + 1)) < limit - _MARGIN:
            return True
        if first > limit + _MARGIN:
            return False
    return poisson_tail(k, mu) < alpha


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
