"""High-precision reference values, computed with mpmath from the textbook formulas.

These are deliberately the *plain* formulas (``sum p log(p/q)``, the Gaussian
closed form with ``log det``), evaluated with enough decimal digits that their
cancellation does no harm. They share no code with the float64 implementations,
so the tests, the benchmarks and the chapters use them as an independent check.
Inputs are taken as the exact binary values of the float64 numbers given.

All functions return an ``mpmath.mpf``; convert with ``float()``.
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import numpy as np
from numpy.typing import ArrayLike

__all__ = ["DIGITS", "expm1mx", "kl_discrete", "kl_logits", "kl_normal", "kl_mvn", "kl_std_normal", "rel_error"]

#: Decimal digits used by default: enough for KL values down to 1e-40 from inputs
#: whose logarithms are of order 1e3.
DIGITS = 80


def _mp(x: float) -> mpmath.mpf:
    return mpmath.mpf(float(x))


def expm1mx(u: float, dps: int = DIGITS) -> mpmath.mpf:
    """``exp(u) - 1 - u`` at ``dps`` digits.

    >>> print(mpmath.nstr(expm1mx(2.0**-30), 20))
    4.3368086912883403479e-19
    """
    with mpmath.workdps(dps):
        x = _mp(u)
        return mpmath.exp(x) - 1 - x


def kl_discrete(p: Sequence[float], q: Sequence[float], dps: int = DIGITS) -> mpmath.mpf:
    """``sum_i p_i log(p_i / q_i)`` with ``0 log(0/q) = 0``, at ``dps`` digits.

    >>> print(mpmath.nstr(kl_discrete([0.5, 0.5], [0.9, 0.1]), 15))
    0.510825623765991
    """
    with mpmath.workdps(dps):
        total = mpmath.mpf(0)
        for pi, qi in zip(np.ravel(p), np.ravel(q), strict=True):
            if pi == 0:
                continue
            if qi == 0:
                return mpmath.inf
            total += _mp(pi) * mpmath.log(_mp(pi) / _mp(qi))
        return total


def kl_logits(a: Sequence[float], b: Sequence[float], dps: int = DIGITS) -> mpmath.mpf:
    """KL between ``softmax(a)`` and ``softmax(b)``, at ``dps`` digits."""
    with mpmath.workdps(dps):
        a_mp = [_mp(x) for x in np.ravel(a)]
        b_mp = [_mp(x) for x in np.ravel(b)]
        lse_a = mpmath.log(mpmath.fsum(mpmath.exp(x) for x in a_mp))
        lse_b = mpmath.log(mpmath.fsum(mpmath.exp(x) for x in b_mp))
        return mpmath.fsum(
            mpmath.exp(x - lse_a) * ((x - lse_a) - (y - lse_b)) for x, y in zip(a_mp, b_mp, strict=True)
        )


def kl_normal(mu_p: float, sigma_p: float, mu_q: float = 0.0, sigma_q: float = 1.0, dps: int = DIGITS) -> mpmath.mpf:
    """``log(sq/sp) + (sp^2 + (mp - mq)^2) / (2 sq^2) - 1/2`` at ``dps`` digits.

    >>> print(mpmath.nstr(kl_normal(0.0, 1.0, 1.0, 2.0), 15))
    0.443147180559945
    """
    with mpmath.workdps(dps):
        mp_, sp, mq, sq = (_mp(v) for v in (mu_p, sigma_p, mu_q, sigma_q))
        return mpmath.log(sq / sp) + (sp**2 + (mp_ - mq) ** 2) / (2 * sq**2) - mpmath.mpf(1) / 2


def kl_std_normal(mu: ArrayLike, log_var: ArrayLike, dps: int = DIGITS) -> mpmath.mpf:
    """``-1/2 sum(1 + log_var - mu^2 - exp(log_var))`` at ``dps`` digits."""
    with mpmath.workdps(dps):
        return -mpmath.fsum(
            1 + _mp(lv) - _mp(m) ** 2 - mpmath.exp(_mp(lv)) for m, lv in zip(np.ravel(mu), np.ravel(log_var), strict=True)
        ) / 2


def kl_mvn(mu_p: ArrayLike, cov_p: ArrayLike, mu_q: ArrayLike, cov_q: ArrayLike, dps: int = DIGITS) -> mpmath.mpf:
    """The multivariate normal closed form, with exact-precision matrix algebra."""
    with mpmath.workdps(dps):
        cp = mpmath.matrix(np.asarray(cov_p, dtype=float).tolist())
        cq = mpmath.matrix(np.asarray(cov_q, dtype=float).tolist())
        diff = mpmath.matrix(np.asarray(mu_q, dtype=float).tolist()) - mpmath.matrix(np.asarray(mu_p, dtype=float).tolist())
        cq_inv = mpmath.inverse(cq)
        d = cp.rows
        trace = mpmath.fsum((cq_inv * cp)[i, i] for i in range(d))
        maha = (diff.T * cq_inv * diff)[0, 0]
        return (trace + maha - d + mpmath.log(mpmath.det(cq)) - mpmath.log(mpmath.det(cp))) / 2


def rel_error(value: float, ref: mpmath.mpf) -> float:
    """``|value - ref| / |ref|`` (``0`` if both are 0, ``inf`` if only ``ref`` is).

    >>> rel_error(0.5, mpmath.mpf(0.5))
    0.0
    """
    if ref == 0:
        return 0.0 if value == 0 else float("inf")
    if mpmath.isinf(ref):
        return 0.0 if value == float(ref) else float("inf")
    with mpmath.workdps(DIGITS):
        return float(abs(_mp(value) - ref) / abs(ref))
