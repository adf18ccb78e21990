"""f-divergences, the Rényi family, and the Beta-distribution KL (chapter 7)."""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from ._discrete import _pair, kl_discrete
from ._validation import as_float_array, check_finite, check_positive, log_base, scalar_or_array, to_base

__all__ = ["f_divergence", "renyi_divergence", "hellinger_sq", "chi2_divergence", "kl_beta"]


def f_divergence(
    p: ArrayLike,
    q: ArrayLike,
    f: Callable[[NDArray[np.float64]], ArrayLike],
    *,
    f_inf: float,
    axis: int = -1,
):
    r"""The f-divergence :math:`D_f(P\|Q) = \sum_i q_i\, f(p_i / q_i)`.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along `axis`, validated as in :func:`kl_discrete`.
    f : callable
        Convex on :math:`(0, \infty)` with :math:`f(1) = 0`, vectorised; it is evaluated
        at the ratios :math:`p_i/q_i` with :math:`q_i > 0` (including ratio 0).
    f_inf : float, keyword-only
        :math:`f'(\infty) = \lim_{t\to\infty} f(t)/t`, which may be ``inf``: the weight
        of outcomes with :math:`q_i = 0 < p_i`, which contribute :math:`p_i f'(\infty)`.
    axis : int, keyword-only
        Axis of the outcomes.

    Returns
    -------
    d : numpy.float64 or ndarray
        :math:`\ge 0` by Jensen's inequality (chapter 7).

    Raises
    ------
    ValueError
        As for :func:`kl_discrete`; also if `f_inf` is NaN or negative infinity, or
        `f` returns a non-finite value or the wrong shape.

    Notes
    -----
    Terms with :math:`q_i = 0` follow the convention
    :math:`0 \cdot f(p/0) = p \lim_{t\to\infty} f(t)/t`, which is what continuity in
    :math:`q_i \to 0` gives. This generic form is a plain sum and does not have the
    cancellation-free accuracy of :func:`kl_discrete`; use it for the family's
    properties, not for tiny divergences. `f` is evaluated at :math:`p_i/q_i`, which
    exceeds :math:`10^{300}` when :math:`q_i` is tiny; if `f` overflows there the term
    is ``inf`` (or a ``ValueError`` reports the NaN), even where the exact term
    :math:`q_i f(p_i/q_i)` is finite. The specialised functions
    (:func:`chi2_divergence`, :func:`js_divergence`, ...) do not have this limit.

    References
    ----------
    .. [1] I. Csiszár, "Information-type measures of difference of probability
           distributions and indirect observations", Studia Sci. Math. Hungarica 2, 1967.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes import f_divergence, kl_discrete
    >>> p, q = [0.2, 0.8], [0.5, 0.5]
    >>> kl = f_divergence(p, q, lambda t: np.where(t > 0, t * np.log(np.where(t > 0, t, 1.0)), 0.0), f_inf=np.inf)
    >>> print(f"{kl:.12f} {kl_discrete(p, q):.12f}")
    0.192744757022 0.192744757022
    """
    if isinstance(f_inf, bool) or not isinstance(f_inf, Real) or math.isnan(f_inf) or f_inf == -math.inf:
        raise ValueError(f"f_inf must be a number or +inf (the limit of f(t)/t); got {f_inf!r}")
    p_arr, q_arr = _pair(p, q, axis)
    pos = q_arr > 0
    ratio = np.divide(p_arr, q_arr, out=np.zeros_like(p_arr), where=pos)
    with np.errstate(over="ignore", invalid="ignore"):
        values = np.asarray(f(ratio), dtype=np.float64)
    if values.shape != ratio.shape:
        raise ValueError(f"f must return one value per ratio (shape {ratio.shape}); got shape {values.shape}")
    if np.isnan(values[pos]).any():
        bad = float(ratio[pos][np.isnan(values[pos])][0])
        raise ValueError(
            f"f returned NaN at the ratio p/q = {bad!r}; for very large ratios this is usually overflow "
            "inside f (see Notes)"
        )
    terms = np.where(pos, q_arr * values, 0.0)
    missing = (~pos) & (p_arr > 0)
    if missing.any():
        with np.errstate(invalid="ignore"):
            terms = terms + np.where(missing, p_arr * f_inf, 0.0)
    return scalar_or_array(np.sum(terms, axis=-1))


def hellinger_sq(p: ArrayLike, q: ArrayLike, *, axis: int = -1):
    r"""Squared Hellinger distance :math:`H^2(P, Q) = \tfrac12\sum_i(\sqrt{p_i} - \sqrt{q_i})^2 = 1 - \sum_i\sqrt{p_i q_i}`.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along `axis`, validated as in :func:`kl_discrete`.
    axis : int, keyword-only
        Axis of the outcomes.

    Returns
    -------
    h2 : numpy.float64 or ndarray
        In :math:`[0, 1]`; :math:`H = \sqrt{H^2}` is a metric. This is the f-divergence with
        :math:`f(t) = \tfrac12(\sqrt t - 1)^2`.

    Raises
    ------
    ValueError
        As for :func:`kl_discrete`.

    Examples
    --------
    >>> from klnotes import hellinger_sq
    >>> float(hellinger_sq([1.0, 0.0], [0.0, 1.0]))
    1.0
    """
    p_arr, q_arr = _pair(p, q, axis)
    d = np.sqrt(p_arr) - np.sqrt(q_arr)
    return scalar_or_array(0.5 * np.sum(d * d, axis=-1))


def chi2_divergence(p: ArrayLike, q: ArrayLike, *, axis: int = -1):
    r"""Pearson's :math:`\chi^2(P\|Q) = \sum_i (p_i - q_i)^2 / q_i`, the f-divergence of :math:`f(t) = (t-1)^2`.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along `axis`, validated as in :func:`kl_discrete`.
    axis : int, keyword-only
        Axis of the outcomes.

    Returns
    -------
    chi2 : numpy.float64 or ndarray
        :math:`\ge 0`; ``inf`` if some :math:`q_i = 0 < p_i`. Bounds the KL divergence:
        :math:`D(P\|Q) \le \log(1 + \chi^2) \le \chi^2` (chapter 7).

    Raises
    ------
    ValueError
        As for :func:`kl_discrete`.

    Examples
    --------
    >>> from klnotes import chi2_divergence
    >>> print(f"{chi2_divergence([0.2, 0.8], [0.5, 0.5]):.6f}")
    0.360000
    """
    p_arr, q_arr = _pair(p, q, axis)
    diff = p_arr - q_arr
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(q_arr > 0, diff * diff / np.where(q_arr > 0, q_arr, 1.0), np.where(p_arr > 0, np.inf, 0.0))
    return scalar_or_array(np.sum(terms, axis=-1))


def renyi_divergence(p: ArrayLike, q: ArrayLike, alpha: float, *, axis: int = -1, base: float | None = None):
    r"""Rényi divergence of order :math:`\alpha`, :math:`D_\alpha(P\|Q) = \frac{1}{\alpha - 1}\log\sum_i p_i^\alpha q_i^{1-\alpha}`.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along `axis`, validated as in :func:`kl_discrete`.
    alpha : float
        Order, :math:`0 \le \alpha \le \infty`. ``1`` gives :func:`kl_discrete`;
        ``inf`` gives :math:`\log\max_i p_i/q_i`; ``0`` gives :math:`-\log Q(\operatorname{supp} P)`.
    axis : int, keyword-only
        Axis of the outcomes.
    base : float or None, keyword-only
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    d : numpy.float64 or ndarray
        :math:`\ge 0`, non-decreasing in :math:`\alpha`; ``inf`` for :math:`\alpha \ge 1`
        when some :math:`q_i = 0 < p_i`.

    Raises
    ------
    ValueError
        As for :func:`kl_discrete`; also if `alpha` is negative or NaN.

    Notes
    -----
    With :math:`u_i = \log(p_i/q_i)` on the support of :math:`P`,
    :math:`\sum_i p_i^\alpha q_i^{1-\alpha} = \mathbb E_P[e^{(\alpha-1)u}]`. It is evaluated as
    :math:`\log\big(1 + \mathbb E_P[\operatorname{expm1}((\alpha-1)u)]\big) / (\alpha - 1)`,
    which has no 0/0 cancellation as :math:`\alpha \to 1`: the result tends smoothly to
    :math:`\mathbb E_P[u] = D(P\|Q)`. For large :math:`|\alpha - 1|\,|u|` it switches to
    log-sum-exp.

    References
    ----------
    .. [1] A. Rényi, "On measures of entropy and information", Proc. Fourth Berkeley
           Symp. Math. Statist. Prob., vol. 1, 1961, eq. (3.3).
    .. [2] T. van Erven and P. Harremoës, "Rényi divergence and Kullback-Leibler
           divergence", IEEE Trans. Inf. Theory 60(7), 2014.

    Examples
    --------
    >>> from klnotes import renyi_divergence, kl_discrete
    >>> p, q = [0.2, 0.8], [0.5, 0.5]
    >>> print(f"{renyi_divergence(p, q, 1.0 + 1e-9):.9f} {kl_discrete(p, q):.9f}")
    0.192744757 0.192744757
    >>> print(f"{renyi_divergence(p, q, float('inf')):.6f}")   # log max p/q = log 1.6
    0.470004
    """
    if isinstance(alpha, bool) or not isinstance(alpha, Real) or math.isnan(alpha) or alpha < 0:
        raise ValueError(f"alpha must be a number >= 0 (or inf); got {alpha!r}")
    log_base(base)
    p_arr, q_arr = _pair(p, q, axis)
    alpha = float(alpha)
    if alpha == 1.0:
        return kl_discrete(p_arr, q_arr, axis=-1, base=base)
    supp = p_arr > 0
    if alpha == 0.0:
        mass = np.sum(np.where(supp, q_arr, 0.0), axis=-1)
        with np.errstate(divide="ignore"):
            return scalar_or_array(to_base(-np.log(mass), base))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        u = np.where(supp, np.log(np.where(supp, p_arr, 1.0)) - np.log(q_arr), 0.0)  # +inf where q = 0 < p
        if alpha == math.inf:
            return scalar_or_array(to_base(np.max(np.where(supp, u, -np.inf), axis=-1), base))
        s = alpha - 1.0
        small = np.all(np.abs(s * np.where(np.isfinite(u), u, 0.0)) < 1.0, axis=-1) & np.all(np.isfinite(u) | ~supp, axis=-1)
        e = np.sum(np.where(supp, p_arr * np.expm1(s * u), 0.0), axis=-1)
        via_expm1 = np.log1p(e) / s
        log_terms = np.where(supp, np.log(np.where(supp, p_arr, 1.0)) + s * u, -np.inf)
        via_lse = special.logsumexp(log_terms, axis=-1) / s
        d = np.where(small, via_expm1, via_lse)
    return scalar_or_array(to_base(np.asarray(d), base))


def kl_beta(a1: ArrayLike, b1: ArrayLike, a2: ArrayLike, b2: ArrayLike):
    r""":math:`D(\mathrm{Beta}(a_1, b_1) \| \mathrm{Beta}(a_2, b_2))`.

    Parameters
    ----------
    a1, b1, a2, b2 : array_like
        Shape parameters, finite and > 0; they broadcast.

    Returns
    -------
    kl : numpy.float64 or ndarray
        In nats, :math:`\ge 0`.

    Raises
    ------
    ValueError
        If a parameter is not finite and > 0, or the shapes do not broadcast.

    Notes
    -----
    With the digamma function :math:`\psi_0` and
    :math:`\mathbb E_{\mathrm{Beta}(a,b)}[\log\theta] = \psi_0(a) - \psi_0(a+b)`,

    .. math:: \log\frac{B(a_2,b_2)}{B(a_1,b_1)} + (a_1 - a_2)\psi_0(a_1) + (b_1 - b_2)\psi_0(b_1)
              + (a_2 - a_1 + b_2 - b_1)\psi_0(a_1 + b_1).

    Derived in chapter 7. This closed form cancels as the two distributions approach
    each other; it is accurate to about ``1e-15`` absolute.

    Examples
    --------
    >>> from klnotes import kl_beta
    >>> print(f"{kl_beta(2.0, 3.0, 1.0, 1.0):.12f}")   # against the uniform: minus the entropy
    0.234906649788
    """
    arrs = []
    for value, name in ((a1, "a1"), (b1, "b1"), (a2, "a2"), (b2, "b2")):
        arr = as_float_array(value, name)
        check_finite(arr, name)
        check_positive(arr, name)
        arrs.append(arr)
    try:
        a1_, b1_, a2_, b2_ = np.broadcast_arrays(*arrs)
    except ValueError as exc:
        raise ValueError(f"a1, b1, a2 and b2 must broadcast; got shapes {[a.shape for a in arrs]}") from exc
    dg = special.digamma
    kl = (
        special.betaln(a2_, b2_) - special.betaln(a1_, b1_)
        + (a1_ - a2_) * dg(a1_) + (b1_ - b2_) * dg(b1_)
        + (a2_ - a1_ + b2_ - b1_) * dg(a1_ + b1_)
    )
    return scalar_or_array(np.asarray(kl))
