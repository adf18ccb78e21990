"""High-precision reference values, computed with mpmath from the textbook formulas.

These are deliberately the *plain* formulas (``sum p log(p/q)``, the Gaussian
closed form with ``log det``), evaluated with enough decimal digits that their
cancellation does no harm. They share no code with the float64 implementations,
so the tests, the benchmarks and the chapters use them as an independent check.
Inputs are taken as the exact binary values of the float64 numbers given.

All functions return an ``mpmath.mpf``; convert with ``float()``.

This module needs mpmath, which ``klnotes`` itself does not: install it with the
``testing`` extra, ``pip install "klnotes[testing]"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

try:
    import mpmath
except (
    ModuleNotFoundError
) as exc:  # pragma: no cover - exercised in a venv without mpmath
    raise ImportError(
        "klnotes.testing needs mpmath, an optional dependency of klnotes: "
        'install it with  pip install "klnotes[testing]"  (or pip install mpmath)'
    ) from exc
from numpy.typing import ArrayLike, DTypeLike, NDArray

from ._validation import check_rng

__all__ = [
    "DIGITS",
    "chi2_divergence",
    "exact_near_pair",
    "expm1mx",
    "hellinger_sq",
    "js_divergence",
    "kl_beta",
    "kl_discrete",
    "kl_logits",
    "kl_mvn",
    "kl_normal",
    "kl_std_normal",
    "mutual_information",
    "near_pair",
    "rel_error",
    "renyi_divergence",
    "tv_distance",
    "xmlog1p",
]

#: Decimal digits used by default: enough for KL values down to 1e-40 from inputs
#: whose logarithms are of order 1e3.
DIGITS = 80


def _mp(x: float) -> mpmath.mpf:
    return mpmath.mpf(float(x))


def _digits_for(u: float, dps: int) -> int:
    """Digits that survive the cancellation in ``exp(u) - 1 - u`` (it loses ~ -2 log10|u|)."""
    u = abs(float(u))
    return dps + (int(-2 * math.log10(u)) + 1 if 0 < u < 1 else 0)


def expm1mx(u: float, dps: int = DIGITS) -> mpmath.mpf:
    """``exp(u) - 1 - u`` with ``dps`` correct digits (the working precision grows as ``u -> 0``).

    >>> import mpmath
    >>> from klnotes.testing import expm1mx
    >>> print(mpmath.nstr(expm1mx(2.0**-30), 20))
    4.3368086912883403479e-19
    """
    with mpmath.workdps(_digits_for(u, dps)):
        x = _mp(u)
        return mpmath.exp(x) - 1 - x


def xmlog1p(t: float, dps: int = DIGITS) -> mpmath.mpf:
    """``t - log(1 + t)`` with ``dps`` correct digits.

    >>> import mpmath
    >>> from klnotes.testing import xmlog1p
    >>> print(mpmath.nstr(xmlog1p(2.0**-40), 12))
    4.13590306276e-25
    """
    with mpmath.workdps(_digits_for(t, dps)):
        x = _mp(t)
        return x - mpmath.log(1 + x)


def _kl_discrete(
    p: Sequence[float], q: Sequence[float], dps: int = DIGITS
) -> mpmath.mpf:
    """``sum_i p_i log(p_i / q_i)`` at ``dps`` working digits."""
    with mpmath.workdps(dps):
        total = mpmath.mpf(0)
        for pi, qi in zip(np.ravel(p), np.ravel(q), strict=True):
            if pi == 0:
                continue
            if qi == 0:
                return mpmath.inf
            total += _mp(pi) * mpmath.log(_mp(pi) / _mp(qi))
        return total


def _kl_logits(
    a: Sequence[float], b: Sequence[float], dps: int = DIGITS
) -> mpmath.mpf:
    """KL between ``softmax(a)`` and ``softmax(b)``, at ``dps`` digits."""
    with mpmath.workdps(dps):
        a_mp = [_mp(x) for x in np.ravel(a)]
        b_mp = [_mp(x) for x in np.ravel(b)]
        lse_a = mpmath.log(mpmath.fsum(mpmath.exp(x) for x in a_mp))
        lse_b = mpmath.log(mpmath.fsum(mpmath.exp(x) for x in b_mp))
        return mpmath.fsum(
            mpmath.exp(x - lse_a) * ((x - lse_a) - (y - lse_b))
            for x, y in zip(a_mp, b_mp, strict=True)
        )


def _kl_normal(
    mu_p: float,
    sigma_p: float,
    mu_q: float = 0.0,
    sigma_q: float = 1.0,
    dps: int = DIGITS,
) -> mpmath.mpf:
    """The normal closed form at ``dps`` working digits."""
    with mpmath.workdps(dps):
        mp_, sp, mq, sq = (_mp(v) for v in (mu_p, sigma_p, mu_q, sigma_q))
        return (
            mpmath.log(sq / sp)
            + (sp**2 + (mp_ - mq) ** 2) / (2 * sq**2)
            - mpmath.mpf(1) / 2
        )


def _kl_std_normal(
    mu: ArrayLike, log_var: ArrayLike, dps: int = DIGITS
) -> mpmath.mpf:
    """``-1/2 sum(1 + log_var - mu^2 - exp(log_var))`` at ``dps`` digits."""
    with mpmath.workdps(dps):
        return (
            -mpmath.fsum(
                1 + _mp(lv) - _mp(m) ** 2 - mpmath.exp(_mp(lv))
                for m, lv in zip(np.ravel(mu), np.ravel(log_var), strict=True)
            )
            / 2
        )


def _kl_mvn(
    mu_p: ArrayLike,
    cov_p: ArrayLike,
    mu_q: ArrayLike,
    cov_q: ArrayLike,
    dps: int = DIGITS,
) -> mpmath.mpf:
    """The multivariate normal closed form, with exact-precision matrix algebra."""
    with mpmath.workdps(dps):
        cp = mpmath.matrix(np.asarray(cov_p, dtype=float).tolist())
        cq = mpmath.matrix(np.asarray(cov_q, dtype=float).tolist())
        diff = mpmath.matrix(
            np.asarray(mu_q, dtype=float).tolist()
        ) - mpmath.matrix(np.asarray(mu_p, dtype=float).tolist())
        cq_inv = mpmath.inverse(cq)
        d = cp.rows
        trace = mpmath.fsum((cq_inv * cp)[i, i] for i in range(d))
        maha = (diff.T * cq_inv * diff)[0, 0]
        return (
            trace
            + maha
            - d
            + mpmath.log(mpmath.det(cq))
            - mpmath.log(mpmath.det(cp))
        ) / 2


def _renyi(
    p: ArrayLike, q: ArrayLike, alpha: float, dps: int = DIGITS
) -> mpmath.mpf:
    """``log(sum p^a q^(1-a)) / (a - 1)`` over the support of p."""
    with mpmath.workdps(dps):
        a = _mp(alpha)
        total = mpmath.fsum(
            _mp(pi) ** a * _mp(qi) ** (1 - a)
            for pi, qi in zip(np.ravel(p), np.ravel(q), strict=True)
            if pi > 0
        )
        return mpmath.log(total) / (a - 1)


def _hellinger_sq(p: ArrayLike, q: ArrayLike, dps: int = DIGITS) -> mpmath.mpf:
    """``1 - sum sqrt(p q)``."""
    with mpmath.workdps(dps):
        return 1 - mpmath.fsum(
            mpmath.sqrt(_mp(pi) * _mp(qi))
            for pi, qi in zip(np.ravel(p), np.ravel(q), strict=True)
        )


def _chi2(p: ArrayLike, q: ArrayLike, dps: int = DIGITS) -> mpmath.mpf:
    """``sum p^2 / q - 1``."""
    with mpmath.workdps(dps):
        total = mpmath.mpf(0)
        for pi, qi in zip(np.ravel(p), np.ravel(q), strict=True):
            if qi == 0:
                if pi > 0:
                    return mpmath.inf
                continue
            total += _mp(pi) ** 2 / _mp(qi)
        return total - 1


def _js(p: ArrayLike, q: ArrayLike, dps: int = DIGITS) -> mpmath.mpf:
    """``(D(P||M) + D(Q||M)) / 2`` with ``M = (P + Q) / 2`` formed exactly."""
    with mpmath.workdps(dps):
        total = mpmath.mpf(0)
        for pi, qi in zip(np.ravel(p), np.ravel(q), strict=True):
            m = (_mp(pi) + _mp(qi)) / 2
            for x in (_mp(pi), _mp(qi)):
                if x > 0:
                    total += x * mpmath.log(x / m)
        return total / 2


def _kl_beta(
    ap: float, bp: float, aq: float, bq: float, dps: int = DIGITS
) -> mpmath.mpf:
    """The textbook Beta closed form with lnGamma and digamma."""
    with mpmath.workdps(dps):
        a1, b1, a2, b2 = (_mp(v) for v in (ap, bp, aq, bq))
        lg, dg = mpmath.loggamma, mpmath.digamma
        return (
            lg(a2)
            + lg(b2)
            - lg(a2 + b2)
            - lg(a1)
            - lg(b1)
            + lg(a1 + b1)
            + (a1 - a2) * dg(a1)
            + (b1 - b2) * dg(b1)
            + (a2 - a1 + b2 - b1) * dg(a1 + b1)
        )


def _stable(
    fn: Callable[..., mpmath.mpf], *args: Any, dps: int = DIGITS
) -> mpmath.mpf:
    """Evaluate ``fn(*args, dps=...)`` at increasing precision until two agree to ``dps`` digits.

    The textbook formulas cancel: a KL of 1e-137 from terms of order 1 needs more than
    137 digits.  Doubling the working precision until consecutive values agree makes
    the reference trustworthy whatever the size of the result.
    """
    work = dps
    value = fn(*args, dps=work)
    for _ in range(6):  # up to 64 * dps digits
        work *= 2
        better = fn(*args, dps=work)
        with mpmath.workdps(work):
            # a zero is only trusted once it survives every doubling (total cancellation)
            if better != 0 and abs(better - value) <= abs(better) * mpmath.mpf(
                10
            ) ** (-dps):
                return better
        value = better
    return value


#: mantissa bits per supported dtype (near_pair)
_MANTISSA = {np.dtype(np.float64): 53, np.dtype(np.float32): 24}


def near_pair(
    rng: np.random.Generator | int | None,
    n: int,
    ulps: int,
    *,
    dtype: DTypeLike = np.float64,
) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
    r"""Two exactly normalised vectors with full mantissas that differ by `ulps`.

    Entries of ``p`` are :math:`m_i 2^{-(b+3)}` with integers
    :math:`2^{b-1} \le m_i < 2^b` (``b`` = 53 for float64, 24 for float32), so
    every entry lies in ``[1/16, 1/8)``, has a random full-width mantissa, and the
    :math:`m_i` sum to exactly :math:`2^{b+3}`: ``p`` sums to 1 exactly. Then
    ``q`` has integers :math:`m_i + d_i \cdot` `ulps` with :math:`d_i` in
    ``-3..3`` for ``i < n`` and :math:`\sum_i d_i = 0`, so ``q`` sums to exactly 1
    too and :math:`q_i - p_i` is :math:`d_i` `ulps` units in the last place.

    Parameters
    ----------
    rng : numpy.random.Generator, int or None
        Source of randomness, normalised by ``numpy.random.default_rng``
        (a Generator is used as it is; an int seeds a new one).
    n : int
        Number of outcomes, 9 to 15 (``n`` entries of ``[1/16, 1/8)`` sum to 1
        only for ``8 < n < 16``).
    ulps : int
        Scale of the difference in units in the last place, ``1 <= ulps``, small
        enough that ``q`` keeps its entries in ``[1/16, 1/8)`` (at most
        ``2^(b-8)``).
    dtype : float64 or float32, keyword-only
        Floating-point type of the result.

    Returns
    -------
    p, q : ndarray
        The two vectors, of the requested dtype. Not equal: some :math:`d_i \ne 0`.
        Their exact sums are 1; a rounded floating-point sum such as
        ``np.sum(p)`` need not be (the partial sums need more bits than the
        mantissa has), which is what makes renormalising by it harmful.

    Raises
    ------
    ValueError
        If `n`, `ulps` or `dtype` is out of range.

    Examples
    --------
    >>> import math
    >>> import numpy as np
    >>> from klnotes.testing import near_pair
    >>> p, q = near_pair(np.random.default_rng(0), 12, 1)
    >>> math.fsum(p) == math.fsum(q) == 1.0, bool(np.any(p != q))  # exact sums
    (True, True)
    >>> int(np.max(np.abs(q - p) / np.spacing(p)))  # |d_i| ulps apart
    3
    """
    rng = check_rng(rng)
    dt = np.dtype(dtype)
    if dt not in _MANTISSA:
        raise ValueError(f"dtype must be float64 or float32; got {dt}")
    b = _MANTISSA[dt]
    if (
        isinstance(n, bool)
        or not isinstance(n, (int, np.integer))
        or not 9 <= n <= 15
    ):
        raise ValueError(f"n must be an integer from 9 to 15; got {n!r}")
    if (
        isinstance(ulps, bool)
        or not isinstance(ulps, (int, np.integer))
        or not 1 <= ulps <= 2 ** (b - 8)
    ):
        raise ValueError(
            f"ulps must be an integer from 1 to 2**{b - 8}; got {ulps!r}"
        )
    lo, hi, total = 2 ** (b - 1), 2**b, 2 ** (b + 3)
    top = min(hi, 2 * (total // n) - lo)  # uniform on [lo, top) has mean ~ 1/n
    ulps = int(ulps)
    while True:  # rejection: integers are exact in int64 (all sums < 2**57)
        m = rng.integers(lo, top, size=(256, n - 1), dtype=np.int64)
        last = total - m.sum(axis=1)
        ok = np.flatnonzero((last >= lo) & (last < hi))
        if ok.size == 0:
            continue
        mp = np.append(m[ok[0]], last[ok[0]])
        d = rng.integers(-3, 4, size=n).astype(np.int64)
        d[-1] -= d.sum()
        if not d.any():
            continue
        mq = mp + d * ulps
        if np.all((mq >= lo) & (mq < hi)):
            break
    scale = 2.0 ** -(b + 3)
    # m < 2**53 converts to float64 exactly; for float32, m < 2**24 does too
    return (mp.astype(np.float64) * scale).astype(dt), (
        mq.astype(np.float64) * scale
    ).astype(dt)


def exact_near_pair(
    rng: np.random.Generator | int | None, n: int, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Two exactly normalised probability vectors that differ by O(2^-k).

    ``p`` has entries ``m_i / 2^20`` with integers ``m_i >= 4`` (they sum to exactly 1
    in float64); ``q = p + d * 2^-k`` with integers ``|d_i| <= 6`` and ``sum(d) = 0``
    exactly, so ``q`` sums to exactly 1 too. Their true divergence, of order ``4^-k``
    (about 1e-30 at ``k = 54``), is therefore the mpmath value of the textbook
    formula for exactly these numbers: the test input for near-equal distributions.

    Parameters
    ----------
    rng : numpy.random.Generator, int or None
        Source of randomness (``numpy.random.default_rng(rng)``).
    n : int
        Number of outcomes, 2 to 4096.
    k : int
        Size of the perturbation, ``2^-k``; ``k >= 10`` keeps ``q`` positive.

    Raises
    ------
    ValueError
        If `n` or `k` is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.testing import exact_near_pair
    >>> p, q = exact_near_pair(np.random.default_rng(0), 8, 40)
    >>> float(p.sum()), float(q.sum()), bool(np.all(q > 0)), bool(np.any(p != q))
    (1.0, 1.0, True, True)
    """
    if not 2 <= n <= 4096:
        raise ValueError(f"n must be between 2 and 4096; got {n!r}")
    if k < 10:
        raise ValueError(
            f"k must be >= 10 so that q stays positive; got {k!r}"
        )
    rng = check_rng(rng)
    counts = rng.multinomial(2**20 - 4 * n, np.ones(n) / n) + 4
    p = counts / 2.0**20
    d = rng.integers(-3, 4, size=n).astype(float)
    d[-1] -= d.sum()
    return p, p + d * 2.0**-k


def rel_error(value: float, ref: mpmath.mpf) -> float:
    """``|value - ref| / |ref|`` (``0`` if both are 0, ``inf`` if only ``ref`` is).

    >>> import mpmath
    >>> from klnotes.testing import rel_error
    >>> rel_error(0.5, mpmath.mpf(0.5))
    0.0
    """
    if ref == 0:
        return 0.0 if value == 0 else float("inf")
    if mpmath.isinf(ref):
        return 0.0 if value == float(ref) else float("inf")
    with mpmath.workdps(DIGITS):
        return float(abs(_mp(value) - ref) / abs(ref))


def kl_discrete(
    p: Sequence[float], q: Sequence[float], dps: int = DIGITS
) -> mpmath.mpf:
    """``sum_i p_i log(p_i / q_i)`` with ``0 log(0/q) = 0``, correct to ``dps`` digits.

    >>> import mpmath
    >>> from klnotes.testing import kl_discrete
    >>> print(mpmath.nstr(kl_discrete([0.5, 0.5], [0.9, 0.1]), 15))
    0.510825623765991
    """
    return _stable(_kl_discrete, p, q, dps=dps)


def kl_logits(
    a: Sequence[float], b: Sequence[float], dps: int = DIGITS
) -> mpmath.mpf:
    """KL between ``softmax(a)`` and ``softmax(b)``, correct to ``dps`` digits."""
    return _stable(_kl_logits, a, b, dps=dps)


def kl_normal(
    mu_p: float,
    sigma_p: float,
    mu_q: float = 0.0,
    sigma_q: float = 1.0,
    dps: int = DIGITS,
) -> mpmath.mpf:
    """``log(sq/sp) + (sp^2 + (mp - mq)^2) / (2 sq^2) - 1/2``, correct to ``dps`` digits.

    >>> import mpmath
    >>> from klnotes.testing import kl_normal
    >>> print(mpmath.nstr(kl_normal(0.0, 1.0, 1.0, 2.0), 15))
    0.443147180559945
    >>> print(mpmath.nstr(kl_normal(0.0, 1.0, 1e-70, 1.0), 15))   # 1e-140 / 2: needs > 140 digits
    5.0e-141
    """
    return _stable(_kl_normal, mu_p, sigma_p, mu_q, sigma_q, dps=dps)


def kl_std_normal(
    mu: ArrayLike, log_var: ArrayLike, dps: int = DIGITS
) -> mpmath.mpf:
    """``-1/2 sum(1 + log_var - mu^2 - exp(log_var))``, correct to ``dps`` digits."""
    return _stable(_kl_std_normal, mu, log_var, dps=dps)


def kl_mvn(
    mu_p: ArrayLike,
    cov_p: ArrayLike,
    mu_q: ArrayLike,
    cov_q: ArrayLike,
    dps: int = DIGITS,
) -> mpmath.mpf:
    """The multivariate normal closed form with ``log det``, correct to ``dps`` digits."""
    return _stable(_kl_mvn, mu_p, cov_p, mu_q, cov_q, dps=dps)


def renyi_divergence(
    p: ArrayLike, q: ArrayLike, alpha: float, dps: int = DIGITS
) -> mpmath.mpf:
    """Rényi divergence of order ``alpha`` (not 0, 1 or inf), to ``dps`` digits.

    >>> import mpmath
    >>> from klnotes.testing import renyi_divergence
    >>> print(mpmath.nstr(renyi_divergence([0.2, 0.8], [0.5, 0.5], 2.0), 12))
    0.307484699748
    """
    return _stable(_renyi, p, q, alpha, dps=dps)


def hellinger_sq(p: ArrayLike, q: ArrayLike, dps: int = DIGITS) -> mpmath.mpf:
    """``1 - sum sqrt(p q)``, correct to ``dps`` digits."""
    return _stable(_hellinger_sq, p, q, dps=dps)


def chi2_divergence(
    p: ArrayLike, q: ArrayLike, dps: int = DIGITS
) -> mpmath.mpf:
    """``sum p^2 / q - 1``, correct to ``dps`` digits."""
    return _stable(_chi2, p, q, dps=dps)


def js_divergence(p: ArrayLike, q: ArrayLike, dps: int = DIGITS) -> mpmath.mpf:
    """Jensen-Shannon divergence in nats, correct to ``dps`` digits."""
    return _stable(_js, p, q, dps=dps)


def tv_distance(p: ArrayLike, q: ArrayLike) -> mpmath.mpf:
    """``sum |p - q| / 2``, exact (the differences of binary numbers are exact in mpmath)."""
    with mpmath.workdps(DIGITS):
        return (
            mpmath.fsum(
                abs(_mp(pi) - _mp(qi))
                for pi, qi in zip(np.ravel(p), np.ravel(q), strict=True)
            )
            / 2
        )


def mutual_information(joint: ArrayLike, dps: int = DIGITS) -> mpmath.mpf:
    """``D(P_XY || P_X P_Y)`` with the marginals summed exactly, to ``dps`` digits."""
    arr = np.asarray(joint, dtype=float)

    def mi(table: np.ndarray, dps: int) -> mpmath.mpf:
        with mpmath.workdps(dps):
            px = [mpmath.fsum(_mp(v) for v in row) for row in table]
            py = [mpmath.fsum(_mp(v) for v in col) for col in table.T]
            return mpmath.fsum(
                _mp(table[i, j])
                * mpmath.log(_mp(table[i, j]) / (px[i] * py[j]))
                for i in range(table.shape[0])
                for j in range(table.shape[1])
                if table[i, j] > 0
            )

    return _stable(mi, arr, dps=dps)


def kl_beta(
    a_p: float, b_p: float, a_q: float, b_q: float, dps: int = DIGITS
) -> mpmath.mpf:
    """``D(Beta(a_p, b_p) || Beta(a_q, b_q))`` from the closed form, to ``dps`` digits.

    >>> import mpmath
    >>> from klnotes.testing import kl_beta
    >>> print(mpmath.nstr(kl_beta(2.0, 3.0, 1.0, 1.0), 12))
    0.234906649788
    """
    return _stable(_kl_beta, a_p, b_p, a_q, b_q, dps=dps)


def _kl_dirichlet(
    alpha_p: ArrayLike, alpha_q: ArrayLike, dps: int = DIGITS
) -> mpmath.mpf:
    """The textbook Dirichlet closed form with lnGamma and digamma."""
    with mpmath.workdps(dps):
        a = [_mp(v) for v in np.ravel(alpha_p)]
        b = [_mp(v) for v in np.ravel(alpha_q)]
        a0, b0 = mpmath.fsum(a), mpmath.fsum(b)
        lg, dg = mpmath.loggamma, mpmath.digamma
        return (
            lg(a0)
            - mpmath.fsum(lg(x) for x in a)
            - lg(b0)
            + mpmath.fsum(lg(y) for y in b)
            + mpmath.fsum(
                (x - y) * (dg(x) - dg(a0)) for x, y in zip(a, b, strict=True)
            )
        )


def kl_dirichlet(
    alpha_p: ArrayLike, alpha_q: ArrayLike, dps: int = DIGITS
) -> mpmath.mpf:
    """Reference for :func:`klnotes.kl_dirichlet` (one pair)."""
    return _stable(_kl_dirichlet, alpha_p, alpha_q, dps=dps)
