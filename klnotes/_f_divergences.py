"""f-divergences of discrete distributions: the generic sum
``sum q f(p/q)``, and total variation, squared Hellinger and chi-squared,
each evaluated so that it keeps full relative precision near equality."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._docs import fill
from ._psi import _blocked
from ._validation import (
    ArgumentTypeError,
    Result,
    check_scalar,
    in_base,
    log_base,
    pair,
    reduced,
)

__all__ = ["chi2_divergence", "f_divergence", "hellinger_sq", "tv_distance"]


_LOG2 = math.log(2.0)


def _clip_disjoint(
    value: NDArray[np.float64],
    p: NDArray[np.float64],
    q: NDArray[np.float64],
    top: float,
) -> NDArray[np.float64]:
    """``value`` clipped to ``[0, top]``, and exactly ``top`` where the
    supports of ``p`` and ``q`` are disjoint (outcomes last).

    For exactly normalised inputs the exact value lies in ``[0, top]`` and
    equals ``top`` exactly for disjoint supports, so this only removes the
    few ulp that rounding (or a sum off 1 within the tolerance) adds.
    """
    disjoint = ~np.any((p > 0) & (q > 0), axis=-1)
    return np.where(disjoint, top, np.clip(value, 0.0, top))


@fill
def tv_distance(
    p: ArrayLike, q: ArrayLike, *, axis: int = -1, keepdims: bool = False
) -> Result:
    r"""Total variation distance :math:`\mathrm{TV}(P, Q) = \max_A |P(A) - Q(A)|`, equal to :math:`\tfrac12 \sum_i |p_i - q_i|`.

    Parameters
    ----------
    %(p_q)s
    %(axis)s
    %(keepdims)s

    Returns
    -------
    tv : numpy.float64 or ndarray
        In :math:`[0, 1]`; a metric on distributions.

    Raises
    ------
    %(raises_pair)s

    See Also
    --------
    hellinger_sq, kl_discrete : bound it (chapters 2 and 7).

    Notes
    -----
    The maximum over events :math:`A` is attained at :math:`A = \{i : p_i > q_i\}`.
    Pinsker's inequality bounds it by the KL divergence,
    :math:`\mathrm{TV} \le \sqrt{D(P\|Q)/2}`; chapter 2 proves this.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed.,
           2006, Lemma 11.6.1 (Pinsker's inequality, with the L1 distance).

    Examples
    --------
    >>> from klnotes import tv_distance
    >>> float(tv_distance([0.5, 0.5], [0.9, 0.1]))
    0.4
    """
    p_arr, q_arr = pair(p, q, axis)
    tv = 0.5 * np.sum(np.abs(p_arr - q_arr), axis=-1)
    return reduced(_clip_disjoint(tv, p_arr, q_arr, 1.0), axis, keepdims)


@fill
def f_divergence(
    p: ArrayLike,
    q: ArrayLike,
    f: Callable[[NDArray[np.float64]], ArrayLike],
    *,
    f_inf: float,
    axis: int = -1,
    base: float | None = None,
    keepdims: bool = False,
) -> Result:
    r"""The f-divergence :math:`D_f(P\|Q) = \sum_i q_i\, f(p_i / q_i)`.

    Parameters
    ----------
    %(p_q)s
    f : callable
        Convex on :math:`(0, \infty)` with :math:`f(1) = 0`, vectorised: it
        is called once, with a 1-D float64 array holding 1, 1/2, 2 and the
        ratios :math:`p_i/q_i` of the outcomes with :math:`q_i > 0` (ratio 0
        where :math:`p_i = 0`), and must return one value per entry. It is
        never evaluated where :math:`q_i = 0`.
    f_inf : float, keyword-only
        :math:`f'(\infty) = \lim_{t\to\infty} f(t)/t`, which may be ``inf``:
        the weight of outcomes with :math:`q_i = 0 < p_i`, which contribute
        :math:`p_i f'(\infty)`.
    %(axis)s
    %(base)s
    %(keepdims)s

    Returns
    -------
    d : numpy.float64 or ndarray
        :math:`\ge 0` by Jensen's inequality (chapter 7) for a convex `f`
        with :math:`f(1) = 0`; ``inf`` where a term is infinite.

    Raises
    ------
    %(raises_pair)s
    TypeError
        If `f` is not callable.
    ValueError
        If `f_inf` is NaN or :math:`-\infty`;
        if `f` returns NaN, :math:`-\infty` or the wrong shape; if
        :math:`f(1) \ne 0`; if the values of `f` at the evaluated ratios
        are not those of a convex function, or `f_inf` (where it is used)
        is below a chord slope of `f`; if the sum is negative beyond
        rounding (see Notes). (``+inf`` from `f` is a
        legitimate infinite term, e.g. :math:`f(0) = -\log 0` for the
        reverse KL.)

    See Also
    --------
    kl_discrete, chi2_divergence, hellinger_sq, tv_distance, js_divergence : members of the family with the relative-precision promise.

    Notes
    -----
    Terms with :math:`q_i = 0` follow the convention
    :math:`0 \cdot f(p/0) = p \lim_{t\to\infty} f(t)/t`, which is what
    continuity in :math:`q_i \to 0` gives.

    **What is checked about f.** `f` is called once, at 1, 1/2, 2 and the
    ratios. Its size and its slope at 1 are measured by

    .. math:: s &= 4\,(|f(1/2)| + |f(2)|), \\
              \sigma &= \max\big(|f(2) - f(1)|, \\
              &\qquad\quad 2|f(1) - f(1/2)|\big)

    (:math:`\sigma \ge |f'(1)|` for a convex `f`). Then:

    1. :math:`|f(1)| \le 2^{-40} s`.
    2. Convexity where `f` is evaluated: the distinct points, sorted, taken
       three consecutive at a time (:math:`a < b < c`, finite values), must
       satisfy :math:`f(b) \le \lambda f(a) + (1 - \lambda) f(c)`,
       :math:`\lambda = (c - b)/(c - a)`, up to :math:`2^{-40}` times the
       size of the values and :math:`s(1 + t)(1 + |\log t|)` (the size of
       the parts that usual generators add up).
    3. Where some :math:`q_i = 0 < p_i`: the last chord slope is at most
       `f_inf`, up to the same allowance.
    4. The sum itself. For a convex `f` with :math:`f(1) = 0` and the right
       `f_inf` it is :math:`\ge 0` in exact arithmetic for exactly
       normalised inputs (Jensen), and inputs are normalised only to
       :math:`10^{-9}`, which can move it by :math:`\sigma|\sum p - \sum
       q|`. A total below :math:`-R`, with

       .. math:: R &= 8\epsilon\sum_i q_i\big(|f(t_i)| \\
                 &\qquad + s(1 + t_i)(1 + |\log t_i|)\big) \\
                 &\quad + 8\epsilon\sum_i p_i\sigma
                 + 8\epsilon\!\!\sum_{q_i = 0}\! p_i|f_\infty| \\
                 &\quad + \sigma\,\big|{\textstyle\sum} p
                 - {\textstyle\sum} q\big|,

       raises; a total in :math:`[-R, 0)` is returned as ``0.0``.

    So a concave or otherwise invalid `f` is an error as soon as it shows
    in the evaluated points beyond :math:`2^{-40} s` or makes the sum
    negative beyond rounding, at any size of `f` (:math:`s` scales with
    it). These checks do not prove `f`
    convex: an `f` that is convex on the evaluated points and gives a sum
    :math:`\ge -R` passes, and so does a wrong `f_inf` that keeps the sum
    non-negative. The allowances scale with :math:`s`, so a generator that
    is small at 1/2 and 2 but adds up large parts near 1 can be rejected
    near :math:`P = Q`.

    **Accuracy.** This generic form is the plain sum; it is the one function
    here without the relative-precision promise. `f` sees only the rounded
    ratio :math:`t_i = p_i/q_i`, so each term carries an absolute error of
    about :math:`\epsilon\, q_i t_i |f'(t_i)|` (:math:`\epsilon = 2^{-53}`)
    plus `f`'s own rounding, :math:`\epsilon\, q_i` times the size of the
    parts `f` adds up: near :math:`P = Q`, where :math:`f(t_i)` is second
    order in :math:`t_i - 1`, no relative precision is left. The test suite
    checks the bound

    .. math:: &8\epsilon \sum_i [p_i |f'(t_i)| \\
              &\quad + q_i (1 + t_i)(1 + |\log t_i|)]

    for chi-squared and KL generators. Use the specialised functions
    (:func:`kl_discrete`, :func:`chi2_divergence`, :func:`hellinger_sq`,
    :func:`js_divergence`, :func:`tv_distance`) for small divergences. `f`
    is evaluated at :math:`p_i/q_i`, which exceeds :math:`10^{300}` when
    :math:`q_i` is tiny; if `f` overflows there the term is ``inf``, even
    where the exact term is finite.

    References
    ----------
    .. [1] I. Csiszár, "Information-type measures of difference of
           probability distributions and indirect observations", Studia Sci.
           Math. Hungarica 2, 1967.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.special import xlogy
    >>> from klnotes import f_divergence, kl_discrete
    >>> p, q = [0.2, 0.8], [0.5, 0.5]
    >>> kl = f_divergence(p, q, lambda t: xlogy(t, t), f_inf=np.inf)
    >>> print(f"{kl:.12f} {kl_discrete(p, q):.12f}")
    0.192744757022 0.192744757022

    A concave ``f`` is caught where it is evaluated:

    >>> f_divergence(p, q, np.log, f_inf=0.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: f is not convex: f(0.5) = -0.69... lies above the chord ...
    """
    if not callable(f):
        raise ArgumentTypeError(
            f"f must be callable (a convex function of the ratio p/q); "
            f"got {f!r:.80}"
        )
    f_inf = check_scalar(f_inf, "f_inf", allow_inf=True)
    lb = log_base(base)
    p_arr, q_arr = pair(p, q, axis)
    pos = q_arr > 0
    ratio = p_arr[pos] / q_arr[pos]  # only where q > 0: no dummy ratios
    # 1 for f(1) = 0; 1/2 and 2 measure the size of f and its slope at 1
    points = np.concatenate([[1.0, 0.5, 2.0], ratio])
    with np.errstate(over="ignore", invalid="ignore"):
        values = np.asarray(f(points), dtype=np.float64)
    if values.shape != points.shape:
        raise ValueError(
            f"f must return one value per ratio (it was called with shape "
            f"{points.shape}); got shape {values.shape}"
        )
    bad = np.isnan(values) | (values == -np.inf)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"f returned {float(values[i])!r} at the ratio p/q = "
            f"{float(points[i])!r}; f must be convex with f(1) = 0 (for "
            "very large ratios NaN is usually overflow inside f: see Notes)"
        )
    f1, f_half, f2 = (float(v) for v in values[:3])
    if not (math.isfinite(f_half) and math.isfinite(f2)):
        raise ValueError(
            f"f must be finite on (0, inf); got f(0.5) = {f_half!r}, "
            f"f(2) = {f2!r}"
        )
    # the size of f: 2 to 5 for the usual generators, and as small as f
    # is for a small f, so that a tiny concave f is not let through
    scale = 4.0 * (abs(f_half) + abs(f2))
    if not abs(f1) <= _F_TOL * scale:
        raise ValueError(
            f"f must satisfy f(1) = 0; got f(1) = {f1!r} "
            "(f(t) - f(1) defines the same divergence shifted by -f(1))"
        )
    missing = (~pos) & (p_arr > 0)
    _check_convex(points, values, f_inf if missing.any() else math.inf, scale)
    terms = np.zeros_like(p_arr)
    terms[pos] = q_arr[pos] * values[3:]
    if missing.any():
        terms[missing] = p_arr[missing] * f_inf
    total = np.sum(terms, axis=-1)
    # what rounding (and inputs normalised only to 1e-9) can make of an
    # exact value >= 0: see Notes
    slope = max(abs(f2 - f1), 2.0 * abs(f1 - f_half))  # >= |f'(1)|, convex f
    size = _part_size(ratio)
    mag = np.zeros_like(p_arr)
    mag[pos] = q_arr[pos] * (np.abs(values[3:]) + scale * size)
    mag[pos] += p_arr[pos] * slope
    if missing.any() and math.isfinite(f_inf):
        mag[missing] = p_arr[missing] * abs(f_inf)
    allowance = 8 * _EPS * np.sum(mag, axis=-1) + slope * np.abs(
        np.sum(p_arr, axis=-1) - np.sum(q_arr, axis=-1)
    )
    with np.errstate(invalid="ignore"):  # inf - inf: an infinite term
        short = total < -allowance
    if np.any(short):
        worst = float(np.min(np.where(short, total, np.inf)))
        raise ValueError(
            f"the sum is {worst!r}, negative beyond rounding: f is not "
            "convex, f(1) is not 0, or f_inf is below lim f(t)/t (the "
            "checks on f, see Notes, could not tell where it is evaluated)"
        )
    return reduced(in_base(np.maximum(total, 0.0), lb), axis, keepdims)


#: Relative allowance of the checks on f in f_divergence (see its Notes).
_F_TOL = 2.0**-40


_EPS = 2.0**-53


def _part_size(t: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(1 + t)(1 + |log t|)`` (1 at ``t = 0``): the size of the parts a
    usual generator adds up at the ratio ``t``, which sets its rounding."""
    with np.errstate(divide="ignore"):
        size = (1.0 + t) * (1.0 + np.abs(np.log(t)))
    size[t == 0] = 1.0
    return size


def _check_convex(
    t: NDArray[np.float64],
    y: NDArray[np.float64],
    f_inf: float,
    scale: float,
) -> None:
    """Raise unless the finite points ``(t, y)`` lie on a convex function
    whose slopes stay at most ``f_inf``, up to the allowance ``_F_TOL``
    relative to ``scale`` (the size of f)."""
    t, first = np.unique(t, return_index=True)
    y = y[first]
    keep = np.isfinite(y)  # f(0) = +inf is legitimate; overflow is an inf
    t, y = t[keep], y[keep]
    size = np.abs(y) + scale * _part_size(t)
    if t.size >= 3:
        a, b, c = t[:-2], t[1:-1], t[2:]
        wa, wc = (c - b) / (c - a), (b - a) / (c - a)  # wa + wc = 1
        chord = wa * y[:-2] + wc * y[2:]
        allow = _F_TOL * (wa * size[:-2] + size[1:-1] + wc * size[2:])
        above = y[1:-1] - chord > allow
        if above.any():
            i = int(np.argmax(above))
            raise ValueError(
                f"f is not convex: f({float(b[i])!r}) = {float(y[i + 1])!r} "
                f"lies above the chord from f({float(a[i])!r}) = "
                f"{float(y[i])!r} to f({float(c[i])!r}) = "
                f"{float(y[i + 2])!r}, whose value there is "
                f"{float(chord[i])!r}"
            )
    if f_inf < math.inf and t.size >= 2:
        over = (y[-1] - y[-2]) - f_inf * (t[-1] - t[-2])
        if over > _F_TOL * (size[-1] + size[-2] + abs(f_inf) * t[-1]):
            slope = (y[-1] - y[-2]) / (t[-1] - t[-2])
            raise ValueError(
                f"f_inf = {f_inf!r} is below the slope {float(slope)!r} of f "
                f"between the ratios {float(t[-2])!r} and {float(t[-1])!r}; "
                "f_inf must be lim f(t)/t, at least every chord slope of a "
                "convex f"
            )


@fill
def hellinger_sq(
    p: ArrayLike, q: ArrayLike, *, axis: int = -1, keepdims: bool = False
) -> Result:
    r"""Squared Hellinger distance :math:`\mathrm{Hel}^2(P, Q)`.

    .. math:: \mathrm{Hel}^2(P, Q) = \tfrac12\sum_i\big(\sqrt{p_i} - \sqrt{q_i}\big)^2
              = 1 - \sum_i\sqrt{p_i q_i}

    Parameters
    ----------
    %(p_q)s
    %(axis)s
    %(keepdims)s

    Returns
    -------
    h2 : numpy.float64 or ndarray
        In :math:`[0, 1]`, exactly ``0.0`` for equal inputs; :math:`\mathrm{Hel}` is a
        metric. The f-divergence of :math:`f(t) = \tfrac12(\sqrt t - 1)^2`.
        Dimensionless, so there is no `base`.

    Raises
    ------
    %(raises_pair)s

    See Also
    --------
    tv_distance : Hel^2 <= TV <= Hel sqrt(2 - Hel^2) (chapter 7).
    f_divergence : the generic family.

    Notes
    -----
    Each term is evaluated as
    :math:`\tfrac12\big((p_i - q_i)/(\sqrt{p_i} + \sqrt{q_i})\big)^2`: the
    difference :math:`p_i - q_i` is correctly rounded (exact when the two are
    within a factor 2, Sterbenz's lemma), so every term, and their
    non-negative sum, keeps full relative precision for nearly equal
    distributions, where :math:`\sqrt{p_i} - \sqrt{q_i}` and
    :math:`1 - \sum\sqrt{p_i q_i}` lose every digit.

    References
    ----------
    .. [1] E. Hellinger, "Neue Begründung der Theorie quadratischer Formen
           von unendlichvielen Veränderlichen", J. reine angew. Math. 136,
           1909.
    .. [2] A. B. Tsybakov, *Introduction to Nonparametric Estimation*,
           Springer, 2009, section 2.4 (defined there without the factor 1/2).

    Examples
    --------
    >>> from klnotes import hellinger_sq
    >>> float(hellinger_sq([1.0, 0.0], [0.0, 1.0]))
    1.0
    >>> print(f"{hellinger_sq([0.5, 0.5], [0.5 + 2**-40, 0.5 - 2**-40]):.6e}")
    4.135903e-25
    """
    p_arr, q_arr = pair(p, q, axis)
    terms = _blocked(_hellinger_terms, p_arr, q_arr)
    h2 = 0.5 * np.sum(terms, axis=-1)
    return reduced(_clip_disjoint(h2, p_arr, q_arr, 1.0), axis, keepdims)


def _hellinger_terms(
    p: NDArray[np.float64], q: NDArray[np.float64]
) -> NDArray[np.float64]:
    den = np.sqrt(p)
    den += np.sqrt(q)
    out = p - q
    np.divide(out, den, out=out, where=den > 0)
    out *= out
    return out


@fill
def chi2_divergence(
    p: ArrayLike, q: ArrayLike, *, axis: int = -1, keepdims: bool = False
) -> Result:
    r"""Pearson's :math:`\chi^2(P\|Q) = \sum_i (p_i - q_i)^2 / q_i`.

    Parameters
    ----------
    %(p_q)s
    %(axis)s
    %(keepdims)s

    Returns
    -------
    chi2 : numpy.float64 or ndarray
        :math:`\ge 0`, exactly ``0.0`` for equal inputs; ``inf`` if some
        :math:`q_i = 0 < p_i`. Bounds the KL divergence:
        :math:`D(P\|Q) \le \log(1 + \chi^2) \le \chi^2` (chapter 7). The
        f-divergence of :math:`f(t) = (t-1)^2`; dimensionless, so there is
        no `base`.

    Raises
    ------
    %(raises_pair)s

    See Also
    --------
    kl_discrete : bounded by log(1 + chi^2).
    renyi_divergence : order 2 is log(1 + chi^2).

    Notes
    -----
    The difference :math:`p_i - q_i` is correctly rounded (exact for nearly
    equal entries), so each term and the non-negative sum keep full relative
    precision as :math:`Q \to P`; :math:`\sum p_i^2/q_i - 1` would not.

    References
    ----------
    .. [1] K. Pearson, "On the criterion that a given system of deviations
           from the probable in the case of a correlated system of variables
           is such that it can be reasonably supposed to have arisen from
           random sampling", Phil. Mag. (5) 50(302), 1900, pp. 157-175.
    .. [2] A. B. Tsybakov, *Introduction to Nonparametric Estimation*,
           Springer, 2009, section 2.4 (definition and the bound on KL).

    Examples
    --------
    >>> from klnotes import chi2_divergence
    >>> print(f"{chi2_divergence([0.2, 0.8], [0.5, 0.5]):.6f}")
    0.360000
    """
    p_arr, q_arr = pair(p, q, axis)
    diff = p_arr - q_arr
    pos = q_arr > 0
    terms = np.where(p_arr > 0, np.inf, 0.0)
    d, qq = diff[pos], q_arr[pos]
    with np.errstate(over="ignore"):
        # (d / q) d: d * d would underflow before the division for d below
        # 1e-154 while the term itself is representable
        t = d / qq
        t *= d
    big = np.isinf(t)  # d / q overflowed (q subnormal): d * d / q then
    t[big] = d[big] * d[big] / qq[big]
    terms[pos] = t
    return reduced(np.sum(terms, axis=-1), axis, keepdims)
