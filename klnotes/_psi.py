"""The numerical spine of the book: psi(u) = exp(u) - 1 - u >= 0.

Every divergence in klnotes is written as a sum of non-negative terms of the form
``weight * psi(log ratio)``.  Because nothing cancels between terms, sums keep full
relative precision even when the divergence is tiny, can never come out negative,
and are exactly zero when the two distributions are equal.

Kernels (all but ``expm1mx`` private, working on float64 arrays of ndim >= 1):

* ``expm1mx(u)``        psi(u) from the log-ratio ``u``;
* ``_xmlog1p(t)``       psi(log1p(t)) = t - log1p(t) from the *relative difference*
                        ``t = r - 1``, which a ratio of two nearly equal numbers gives
                        with a single rounding (``(y - x) / x``);
* ``_psi_rel(x, y, d)`` psi(log(y / x)), choosing the accurate coordinate for each
                        element (``d = y - x``, exact where it matters);
* ``_bregman_terms``    the generalised KL terms ``x * psi(log(y / x))``.

Series are truncated adaptively: the number of terms is chosen from the largest
argument actually present, with the truncation error bounded below 2^-56 of the
result, so nearly equal inputs (the common case in the book) cost two or three
terms instead of the worst-case fifteen.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import Result, first_index

__all__ = ["expm1mx"]

_TINY = np.finfo(np.float64).tiny
#: Truncation error allowed in a series, relative to its value.
_SERIES_TOL = 2.0**-56

# psi(u) = u^2 * sum_{k>=2} u^(k-2) / k!  for |u| < _PSI_SERIES_BOUND.  Relative to
# psi ~ u^2/2, the omitted tail after the u^(J+1) term is below 2 |u|^J / (J+2)!
# (for |u| <= 1/2; the tail's ratio of consecutive terms is below 1/2).  Outside the
# bound, expm1(u) - u loses at most a factor |expm1(u)| / psi(u) <= 4.4 to cancellation.
_PSI_SERIES_BOUND = 0.5
_PSI_COEFFS = tuple(1.0 / math.factorial(k) for k in range(2, 19))

# t - log1p(t) = s (t - 2 s^2 (1/3 + s^2/5 + s^4/7 + ...)),  s = t / (2 + t),
# from log1p(t) = 2 atanh(s).  Used for -0.2 < t < 0.25, where |s| < 0.112; relative
# to the value ~ 2 s^2 the tail after J terms is below 2 |s|^(2J+1) / (2J+3).
# Outside that range (r - 1) - log(r), r = 1 + t, loses at most a factor of about 13.
_XM_LOW, _XM_HIGH = -0.2, 0.25
_XM_COEFFS = tuple(1.0 / (2 * k + 3) for k in range(12))


def _n_terms(
    max_abs: float, tail: Callable[[float, int], float], n_max: int
) -> int:
    """Smallest number of series terms J whose truncation error tail(max_abs, J) is negligible."""
    for n in range(1, n_max):
        if tail(max_abs, n) < _SERIES_TOL:
            return n
    return n_max


def _horner(
    x: NDArray[np.float64], coeffs: tuple[float, ...]
) -> NDArray[np.float64]:
    """``coeffs[0] + coeffs[1] x + coeffs[2] x^2 + ...``, evaluated in place."""
    if len(coeffs) == 1:
        return np.full_like(x, coeffs[0])
    acc = x * coeffs[-1]  # the first step of the loop below, without a fill
    acc += coeffs[-2]
    for c in coeffs[-3::-1]:
        acc *= x
        acc += c
    return acc


def _psi_series(
    u: NDArray[np.float64], m: float | None = None
) -> NDArray[np.float64]:
    """The series of psi(u), its degree set by ``m = max |u|`` (computed if
    not given)."""
    if m is None:
        m = float(np.max(np.abs(u))) if u.size else 0.0
    out = _psi_series_inner(u, m)
    out *= u
    out *= u
    return out


def _psi_series_inner(u: NDArray[np.float64], m: float) -> NDArray[np.float64]:
    """``psi(u) / u**2`` by its series, the degree set by ``m = max |u|``."""
    n = _n_terms(
        m, lambda a, j: 2.0 * a**j / math.factorial(j + 2), len(_PSI_COEFFS)
    )
    return _horner(u, _PSI_COEFFS[:n])


def expm1mx(u: ArrayLike) -> Result:
    r"""Evaluate :math:`\psi(u) = e^u - 1 - u` accurately.

    :math:`\psi` is the function the whole book is built on: it is convex, has its
    minimum :math:`\psi(0) = 0`, and is therefore non-negative, which is Gibbs'
    inequality in pointwise form (:math:`\log x \le x - 1` with :math:`x = e^u`).

    Parameters
    ----------
    u : array_like
        Real numbers. Converted to float64.

    Returns
    -------
    psi : ndarray or numpy.float64
        :math:`e^u - 1 - u`, element-wise, with the shape of `u`; a NumPy scalar
        for scalar input. Never negative for finite `u`; ``inf`` where the result
        overflows (:math:`u > 709.78`) and for ``u = ±inf``.

    Raises
    ------
    ValueError
        If `u` contains NaN.

    See Also
    --------
    kl_discrete : built on it.

    Notes
    -----
    The obvious ``np.exp(u) - 1 - u`` returns ``0`` for every
    :math:`|u| < 10^{-8}` (the true value is :math:`u^2/2`), and
    ``np.expm1(u) - u`` still loses all digits as :math:`u \to 0`.

    Accuracy, on every CPU:

    * :math:`|u| < 1/2`: the Taylor series :math:`\sum_{k \ge 2} u^k / k!`
      (degree chosen so the truncation is below :math:`2^{-56}` of the value),
      evaluated with additions and multiplications only, so the result is
      bit-for-bit the same on every IEEE-754 machine, whatever SIMD code NumPy
      dispatches to; the error measured against 60-digit mpmath on 3000
      points is at most 2 units in the last place (ulp).
    * :math:`|u| \ge 1/2`: ``expm1(u) - u``. Its relative error is at most
      :math:`\kappa\,\delta\,(1 + 2^{-53}) + 2^{-53}`, where :math:`\delta` is the
      relative error of the platform's ``np.expm1`` at :math:`u` and
      :math:`\kappa = |e^u - 1| / \psi(u) \le 4.4` is the cancellation factor.
      With ``np.expm1`` within 1 ulp that is at most about 9 ulp of the
      result. Measured on the test points: 2.0 ulp with NumPy's AVX-512
      kernels (their expm1 within 0.50 ulp), 2.82 ulp with them disabled
      by ``NPY_DISABLE_CPU_FEATURES`` (glibc's expm1, within 0.73 ulp); the
      test suite checks the bound point by point in both modes.

    Derived in chapter 2 (Gibbs' inequality); used by every divergence in klnotes.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes import expm1mx
    >>> float(expm1mx(1e-10))          # u**2 / 2; np.exp(u) - 1 - u gives 0 or worse
    5.000000000166667e-21
    >>> expm1mx([-1.0, 0.0, 1.0])
    array([0.36787944, 0.        , 0.71828183])
    """
    return psi_checked(u, "u")


def psi_checked(u: ArrayLike, name: str) -> Result:
    """:func:`expm1mx` with the argument called ``name`` in error messages."""
    arr = np.asarray(u, dtype=np.float64)
    if np.isnan(arr).any():
        raise ValueError(
            f"{name} must not contain NaN; found NaN at index "
            f"{first_index(np.isnan(arr))}"
        )
    flat = np.atleast_1d(arr)
    with np.errstate(over="ignore", invalid="ignore"):
        out = _psi(flat)
    out[np.isinf(flat)] = np.inf  # +inf - inf would be NaN; psi(+-inf) = inf
    return out.reshape(arr.shape) if arr.ndim else np.float64(out[0])


def _psi(flat: NDArray[np.float64]) -> NDArray[np.float64]:
    """psi on a float64 array of ndim >= 1 (no validation; overflow gives inf)."""
    mag = np.abs(flat)
    m = float(np.max(mag)) if flat.size else 0.0
    if m < _PSI_SERIES_BOUND:  # all in the series range (NaN never is)
        return _psi_series(flat, m)
    near = mag < _PSI_SERIES_BOUND
    out = np.expm1(flat)
    out -= flat
    if near.any():
        out[near] = _psi_series(flat[near])
    return out


def _psi_in_place(u: NDArray[np.float64]) -> None:
    """``u[...] = psi(u)`` for a contiguous float64 block, the same values as
    :func:`_psi` (the series without the ``|u|`` temporary and the final
    copy, when every entry is in its range)."""
    if not u.size:
        return
    m = max(float(np.max(u)), -float(np.min(u)))  # max |u|
    if m < _PSI_SERIES_BOUND:
        acc = _psi_series_inner(u, m)
        acc *= u
        np.multiply(acc, u, out=u)
    else:
        u[...] = _psi(u)


def _xmlog1p(t: NDArray[np.float64]) -> NDArray[np.float64]:
    """``t - log1p(t)``, which is ``psi(log1p(t))``, for float64 ``t >= -1``.

    Accurate to a few ulp wherever ``t`` itself is accurate.  ``t = -1`` gives inf.
    """
    near = (t > _XM_LOW) & (t < _XM_HIGH)
    if near.all():
        return _xmlog1p_series(t)
    with np.errstate(divide="ignore"):
        out = t - np.log1p(t)
    if near.any():
        out[near] = _xmlog1p_series(t[near])
    return out


def _xmlog1p_series(
    t: NDArray[np.float64], where: NDArray[np.bool_] | None = None
) -> NDArray[np.float64]:
    """The series of ``t - log1p(t)``, its degree set by the largest
    ``|t / (2 + t)|`` (over the entries ``where`` is True, if given: the
    others get values to be overwritten)."""
    s = t / (2.0 + t)
    s2 = s * s
    if where is not None:
        m = math.sqrt(float(np.max(s2, where=where, initial=0.0)))
    else:
        m = math.sqrt(float(np.max(s2))) if s2.size else 0.0
    n = _n_terms(
        m, lambda a, j: 2.0 * a ** (2 * j + 1) / (2 * j + 3), len(_XM_COEFFS)
    )
    out = _horner(s2, _XM_COEFFS[:n])
    out *= s2
    out *= -2.0
    out += t
    out *= s
    return out


def _psi_rel(
    x: NDArray[np.float64], y: NDArray[np.float64], d: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``psi(log(y / x))`` for ``x > 0`` and ``y >= 0`` (1-D, same shapes), given ``d = y - x``.

    The same values as :func:`_psi_rel_general`, faster when most ratios
    lie in the series range (nearly equal inputs, the common case): the
    series runs over the whole contiguous block, at the degree the range
    needs, and only the few entries outside it are gathered for the general
    formula.
    """
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        t = d / x
    near = (t > _XM_LOW) & (t < _XM_HIGH)
    n_near = int(np.count_nonzero(near))
    if n_near == t.size:
        return _xmlog1p_series(t)
    if 2 * n_near < t.size:
        return _psi_rel_general(x, y, d)
    with np.errstate(over="ignore", invalid="ignore"):
        out = _xmlog1p_series(t, near)  # far entries overwritten below
    far = np.flatnonzero(~near)
    out[far] = _psi_rel_general(x[far], y[far], d[far])
    return out


def _psi_rel_general(
    x: NDArray[np.float64], y: NDArray[np.float64], d: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``psi(log(y / x))`` for ``x > 0`` and ``y >= 0`` (1-D, same shapes), given ``d = y - x``.

    Where ``y`` is close to ``x`` (``0.8 < y/x < 1.25``) the caller's difference ``d``
    is exact (Sterbenz's lemma for ``y - x``; a halving for the Jensen-Shannon
    midpoint), ``t = d / x`` carries one rounding, and ``t - log1p(t)`` is evaluated
    by its series.  Elsewhere ``(r - 1) - log(r)`` with ``r = y / x``, where ``r - 1``
    is exact for ``r`` in [1/2, 2], loses at most a factor of about 13 to
    cancellation (at the edges of the series range).  Where ``r`` underflows,
    ``log(r)`` is taken as ``log(y) - log(x)``.  ``y = 0`` gives inf, and so does a
    ratio that overflows.
    """
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        out = y / x
        mask = (out > 1.0 + _XM_LOW) & (out < 1.0 + _XM_HIGH)
        if mask.all():
            return _xmlog1p_series(d / x)
        near = np.flatnonzero(mask)
        overflow = float(np.max(out)) == np.inf
        if (
            float(np.min(out)) < _TINY
        ):  # r = 0 or subnormal: log(r) from log(y) - log(x)
            log_r = np.log(out)
            lost = (out < _TINY) & (y > 0)
            log_r[lost] = np.log(y[lost]) - np.log(x[lost])
        else:
            log_r = np.log(out)
        out -= 1.0
        out -= log_r
        if overflow:
            out[np.isnan(out)] = (
                np.inf
            )  # inf - inf where r overflowed; psi is inf there
    if near.size:
        out[near] = _xmlog1p_series(d[near] / x[near])
    return out


def _bregman_terms(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    d: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Generalised KL terms ``x log(x/y) - x + y = x * psi(log(y/x))``.

    ``x >= 0``, ``y >= 0``; ``d`` is ``y - x`` if the caller has it more exactly than
    ``y - x`` rounds (default: computed).  Every term is >= 0 and is exactly 0 where
    ``x == y``.  Conventions: ``x = 0`` gives ``y`` (the limit of ``x log x -> 0``);
    ``x > 0 = y`` gives inf.  A ratio ``y/x`` that overflows (only for subnormal
    ``x``) is handled in log space, so the term stays finite.
    """
    if d is None:
        d = y - x
    if x.size and float(np.min(x)) > 0:
        out = _psi_rel(x, y, d)
        out *= x
    else:
        pos = x > 0
        out = y.copy()
        out[pos] = x[pos] * _psi_rel(x[pos], y[pos], d[pos])
    if x.size and float(np.max(out)) == np.inf:
        overflow = np.isinf(out) & (x > 0) & (y > 0)
        if overflow.any():
            xo, yo = x[overflow], y[overflow]
            out[overflow] = (yo - xo) - xo * (np.log(yo) - np.log(xo))
    return out


def _js_terms(
    p: NDArray[np.float64], q: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``p psi(log(m/p)) + q psi(log(m/q))`` with ``m = (p + q)/2``; twice the JS terms.

    ``m - p = (q - p)/2`` is passed as the exact difference; ``m`` itself is only used
    where ``m < 0.8 p``, where its rounding does not matter.
    """
    m = 0.5 * (p + q)
    half = 0.5 * (q - p)
    out = _bregman_terms(p, m, half)
    out += _bregman_terms(q, m, -half)
    return out


#: Elements per block in ``_blocked``: small enough that a kernel's temporaries
#: stay in cache and are recycled by the allocator, large enough that the Python
#: overhead per block is negligible. ``python benchmarks/speed.py --blocks``
#: on 10^6 elements: 2**16 takes 5.2 ms (unrelated inputs) and 4.1 ms (nearly
#: equal ones), the whole arrays at once 20 and 21 ms, 2**12 16 and 11 ms.
_BLOCK = 2**16


def _two_diff(
    b: NDArray[np.float64], a: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``b - a`` exactly, as ``hi + lo`` with ``hi = fl(b - a)`` (TwoSum).

    Knuth's branch-free TwoSum (TAOCP vol. 2, 3rd ed., section 4.2.2,
    Theorem B; Shewchuk 1997, Theorem 7): exact in round-to-nearest binary
    floating point unless ``b - a`` overflows. Evaluated block by block
    (its five temporaries stay in cache); same shape ``a`` and ``b``.
    """
    shape = a.shape
    fa = np.ascontiguousarray(a).reshape(-1)
    fb = np.ascontiguousarray(b).reshape(-1)
    if fa.size <= _BLOCK:
        hi, lo = _two_diff_block(fb, fa)
        return hi.reshape(shape), lo.reshape(shape)
    hi, lo = np.empty(fa.size), np.empty(fa.size)
    for start in range(0, fa.size, _BLOCK):
        stop = start + _BLOCK
        hi[start:stop], lo[start:stop] = _two_diff_block(
            fb[start:stop], fa[start:stop]
        )
    return hi.reshape(shape), lo.reshape(shape)


def _two_diff_block(
    b: NDArray[np.float64], a: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    hi = b - a
    b_virtual = hi - b  # the part of hi that came from -a
    a_virtual = hi - b_virtual  # the part that came from b
    lo = (b - a_virtual) - (b_virtual + a)
    return hi, lo


#: Dekker's splitting constant 2**27 + 1 for float64 (53 = 27 + 26 bits).
_SPLIT = 134217729.0


def _two_prod(
    a: NDArray[np.float64], b: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``a * b`` exactly, as ``hi + lo`` (Dekker 1971, mul12).

    Exact unless a product or the splitting overflows (``|a|, |b| < 1e150``
    is safe) or underflows.
    """
    hi = a * b
    t = _SPLIT * a
    a_hi = t - (t - a)
    a_lo = a - a_hi
    t = _SPLIT * b
    b_hi = t - (t - b)
    b_lo = b - b_hi
    lo = ((a_hi * b_hi - hi) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return hi, lo


def _blocked(
    kernel: Callable[..., NDArray[np.float64]],
    *arrays: NDArray[np.float64],
    out: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Apply an element-wise ``kernel`` to equally shaped arrays, block by block.

    Returns an array of the common shape (written into ``out``, a
    contiguous array of that shape, if given).  Working in blocks of ``_BLOCK`` elements
    keeps every temporary of the kernel in cache; on arrays of 10^6 elements this
    is 2-4 times faster than applying the kernel to the whole arrays at once.
    """
    shape = arrays[0].shape
    flat = [np.ascontiguousarray(a).reshape(-1) for a in arrays]
    n = flat[0].size
    if n <= _BLOCK:
        return kernel(*flat).reshape(shape)
    dest = np.empty(n) if out is None else out.reshape(-1)
    for start in range(0, n, _BLOCK):
        stop = start + _BLOCK
        dest[start:stop] = kernel(*(a[start:stop] for a in flat))
    return dest.reshape(shape)
