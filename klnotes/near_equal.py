"""Exactly normalised, nearly equal probability vectors with full mantissas.

Test inputs for the accuracy of a divergence when ``Q`` is close to ``P``: both
vectors sum to exactly 1 in floating point, their entries use every bit of the
mantissa (unlike entries ``m / 2^k`` with small integers ``m``, whose products
and sums are often exact), and ``q - p`` is a chosen number of units in the last
place. The true divergence of exactly these numbers is then a well-defined target
(computed, for example, by :mod:`klnotes.testing` in mpmath).

Derived in chapter 2.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike, NDArray

__all__ = ["near_pair"]

_MANTISSA = {np.dtype(np.float64): 53, np.dtype(np.float32): 24}


def near_pair(
    rng: np.random.Generator,
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
    rng : numpy.random.Generator
        Source of randomness.
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
    >>> from klnotes.near_equal import near_pair
    >>> p, q = near_pair(np.random.default_rng(0), 12, 1)
    >>> math.fsum(p) == math.fsum(q) == 1.0, bool(np.any(p != q))  # exact sums
    (True, True)
    >>> int(np.max(np.abs(q - p) / np.spacing(p)))  # |d_i| ulps apart
    3
    """
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
