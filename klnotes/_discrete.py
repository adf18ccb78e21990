"""Divergences and entropies of discrete (categorical) distributions.

KL (and from logits), entropy, cross-entropy, Jensen-Shannon, total
variation, mutual information, the generic f-divergence, Rényi, squared
Hellinger and chi-squared.  All but ``f_divergence`` and the two entropies
are sums of terms of one sign computed from exact differences, so they keep
full relative precision for nearly equal distributions.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from ._psi import (
    _blocked,
    _bregman_terms,
    _horner,
    _js_terms,
    _n_terms,
    _psi,
    _two_diff,
    _xmlog1p,
)
from ._validation import (
    ArgumentTypeError,
    Result,
    as_float_array,
    as_probabilities,
    check_finite,
    check_scalar,
    in_base,
    log_base,
    match_along_axis,
    normalize_axis,
    pair,
    scalar_or_array,
)

__all__ = [
    "chi2_divergence",
    "cross_entropy",
    "entropy",
    "f_divergence",
    "hellinger_sq",
    "js_divergence",
    "kl_discrete",
    "kl_logits",
    "mutual_information",
    "renyi_divergence",
    "tv_distance",
]


def _dot_last(
    a: NDArray[np.float64], b: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``sum(a * b, axis=-1)`` without the temporary (einsum)."""
    return np.einsum("...i,...i->...", a, b)


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


def kl_discrete(
    p: ArrayLike, q: ArrayLike, *, axis: int = -1, base: float | None = None
) -> Result:
    r"""Kullback-Leibler divergence :math:`D(P \| Q)` of discrete distributions.

    .. math:: D(P \| Q) = \sum_i p_i \log \frac{p_i}{q_i}

    Parameters
    ----------
    p, q : array_like
        Probability vectors along `axis`: finite, non-negative, each summing to 1
        within ``1e-9``. The other dimensions broadcast against each other, so a
        batch of pairs is evaluated in one call. Nothing is renormalised.
    axis : int, keyword-only
        The axis along which the outcomes lie. Default: the last (note that
        ``scipy.stats.entropy`` defaults to ``axis=0``).
    base : float or None, keyword-only
        Logarithm base of the result: ``None`` (default) for nats, ``2`` for bits.

    Returns
    -------
    kl : numpy.float64 or ndarray
        The divergence, with `axis` removed from the broadcast shape. Always
        :math:`\ge 0`; exactly ``0.0`` when `p` and `q` are equal; ``inf`` when some
        :math:`p_i > 0` has :math:`q_i = 0` (P is not absolutely continuous with
        respect to Q).

    Raises
    ------
    ValueError
        If `p` or `q` is a scalar, has a negative or non-finite entry or does not
        sum to 1; if their lengths along `axis` differ or the other dimensions do
        not broadcast; if `axis` is out of range; if `base` is not a positive number
        other than 1.

    Notes
    -----
    Each term is evaluated in the form

    .. math:: p_i \log\frac{p_i}{q_i} - p_i + q_i = p_i\,\psi\!\left(\log\frac{q_i}{p_i}\right),
              \qquad \psi(u) = e^u - 1 - u \ge 0,

    which adds :math:`\sum_i (q_i - p_i) = 0` to the textbook sum. Every term is
    then non-negative, so the sum cannot cancel: the result keeps full relative
    precision when :math:`P \approx Q` (true KL of :math:`10^{-30}` and below),
    where :math:`\sum p \log(p/q)` and ``scipy.stats.entropy`` lose every digit
    and can return negative numbers. :math:`\psi(\log(q_i/p_i))` is computed from
    the exact difference :math:`q_i - p_i` (see :func:`expm1mx`). Conventions:
    :math:`0 \log(0/q) = 0` and :math:`0 \log(0/0) = 0`.

    For vectors that sum to 1 only within the tolerance, the value returned is the
    generalised divergence :math:`\sum_i [p_i \log(p_i/q_i) - p_i + q_i]` (still
    :math:`\ge 0`), which differs from :math:`\sum_i p_i \log(p_i/q_i)` by
    :math:`\sum q_i - \sum p_i`, at most :math:`2 \times 10^{-9}`.

    Derived in chapter 1 (definition) and chapter 2 (Gibbs' inequality).

    References
    ----------
    .. [1] S. Kullback and R. A. Leibler, "On information and sufficiency",
           Ann. Math. Statist. 22(1), 1951, eq. (2.4).
    .. [2] T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed.,
           2006, eq. (2.26) and Theorem 2.6.3.

    Examples
    --------
    >>> from klnotes import kl_discrete
    >>> print(f"{kl_discrete([0.5, 0.5], [0.9, 0.1]):.12f}")
    0.510825623766
    >>> print(f"{kl_discrete([0.5, 0.5], [0.9, 0.1], base=2):.12f}")   # in bits
    0.736965594166
    >>> float(kl_discrete([0.5, 0.5], [1.0, 0.0]))             # q = 0 where p > 0
    inf
    >>> kl_discrete([[0.5, 0.5], [0.25, 0.75]], [0.5, 0.5])   # a batch against one q
    array([0.        , 0.13081204])
    """
    lb = log_base(base)
    p_arr, q_arr = pair(p, q, axis)
    terms = _blocked(_bregman_terms, p_arr, q_arr)
    return scalar_or_array(in_base(np.sum(terms, axis=-1), lb))


def entropy(
    p: ArrayLike, *, axis: int = -1, base: float | None = None
) -> Result:
    r"""Shannon entropy :math:`H(P) = -\sum_i p_i \log p_i`.

    Parameters
    ----------
    p : array_like
        Probability vector(s) along `axis` (finite, :math:`\ge 0`, summing to 1
        within ``1e-9``).
    axis : int, keyword-only
        The axis of the outcomes. Default: the last (``scipy.stats.entropy``:
        ``axis=0``).
    base : float or None, keyword-only
        ``None`` (default) for nats, ``2`` for bits.

    Returns
    -------
    h : numpy.float64 or ndarray
        :math:`0 \le H(P) \le \log n` for :math:`n` outcomes, with `axis` removed.

    Raises
    ------
    ValueError
        As for :func:`kl_discrete`.

    Notes
    -----
    Every term :math:`-p_i \log p_i` is :math:`\ge 0` for :math:`0 \le p_i \le 1`,
    so the plain sum is already accurate; :math:`0 \log 0 = 0`.

    Derived in chapter 1.

    References
    ----------
    .. [1] C. E. Shannon, "A mathematical theory of communication",
           Bell Syst. Tech. J. 27, 1948, Theorem 2.

    Examples
    --------
    >>> from klnotes import entropy
    >>> float(entropy([0.25, 0.25, 0.25, 0.25], base=2))
    2.0
    >>> float(entropy([1.0, 0.0]))
    0.0
    """
    lb = log_base(base)
    arr, ax = as_probabilities(p, "p", axis)
    h = np.sum(special.entr(arr), axis=ax)
    return scalar_or_array(in_base(np.asarray(h), lb))


def cross_entropy(
    p: ArrayLike, q: ArrayLike, *, axis: int = -1, base: float | None = None
) -> Result:
    r"""Cross-entropy :math:`H(P, Q) = -\sum_i p_i \log q_i`, equal to :math:`H(P) + D(P \| Q)`.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along `axis`, validated as in :func:`kl_discrete`.
    axis : int, keyword-only
        The axis of the outcomes. Default: the last (``scipy.stats.entropy``:
        ``axis=0``).
    base : float or None, keyword-only
        ``None`` (default) for nats, ``2`` for bits.

    Returns
    -------
    h : numpy.float64 or ndarray
        :math:`H(P, Q) \ge H(P)`; ``inf`` if some :math:`p_i > 0` has :math:`q_i = 0`.

    Raises
    ------
    ValueError
        As for :func:`kl_discrete`.

    Notes
    -----
    The expected code length, in nats (bits with ``base=2``), when outcomes drawn
    from P are encoded with a code that is optimal for Q. Each term
    :math:`-p_i \log q_i` is :math:`\ge 0`, so the plain sum is accurate;
    :math:`0 \log q = 0` even for :math:`q = 0`.

    Derived in chapter 1.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed.,
           2006, Theorem 5.4.3.

    Examples
    --------
    >>> from klnotes import cross_entropy, entropy, kl_discrete
    >>> p, q = [0.5, 0.25, 0.25], [0.25, 0.25, 0.5]
    >>> float(cross_entropy(p, q, base=2))
    1.75
    >>> float(entropy(p, base=2) + kl_discrete(p, q, base=2))
    1.75
    """
    lb = log_base(base)
    p_arr, q_arr = pair(p, q, axis)
    h = -np.sum(special.xlogy(p_arr, q_arr), axis=-1)
    return scalar_or_array(in_base(h, lb))


def js_divergence(
    p: ArrayLike, q: ArrayLike, *, axis: int = -1, base: float | None = None
) -> Result:
    r"""Jensen-Shannon divergence :math:`\tfrac12 D(P \| M) + \tfrac12 D(Q \| M)`, :math:`M = \tfrac12(P + Q)`.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along `axis`, validated as in :func:`kl_discrete`.
    axis : int, keyword-only
        The axis of the outcomes. Default: the last (``scipy.stats.entropy``:
        ``axis=0``).
    base : float or None, keyword-only
        ``None`` (default) for nats, ``2`` for bits.

    Returns
    -------
    js : numpy.float64 or ndarray
        Symmetric in `p` and `q`, :math:`0 \le JS \le \log 2` (1 bit), with
        :math:`\log 2` exactly when the supports are disjoint; finite always.

    Raises
    ------
    ValueError
        As for :func:`kl_discrete`.

    Notes
    -----
    :math:`M` is never formed. With :math:`m_i / p_i = 1 + (q_i - p_i)/(2 p_i)`,
    each half is a sum of non-negative terms
    :math:`p_i\,\psi(\log(m_i/p_i))` computed from the exact difference
    :math:`(q_i - p_i)/2`, so the result keeps full relative precision for nearly
    equal P and Q, where rounding :math:`M` would already cost it.

    Derived in chapter 7.

    References
    ----------
    .. [1] J. Lin, "Divergence measures based on the Shannon entropy",
           IEEE Trans. Inf. Theory 37(1), 1991, eq. (4.1).

    Examples
    --------
    >>> from klnotes import js_divergence
    >>> float(js_divergence([1.0, 0.0], [0.0, 1.0], base=2))   # disjoint supports
    1.0
    >>> float(js_divergence([0.5, 0.5], [0.5, 0.5]))
    0.0
    """
    lb = log_base(base)
    p_arr, q_arr = pair(p, q, axis)
    terms = _blocked(_js_terms, p_arr, q_arr)
    js = 0.5 * np.sum(terms, axis=-1)
    js = _clip_disjoint(js, p_arr, q_arr, _LOG2)
    return scalar_or_array(in_base(js, lb))


def kl_logits(
    logits_p: ArrayLike,
    logits_q: ArrayLike,
    *,
    axis: int = -1,
    base: float | None = None,
) -> Result:
    r"""KL divergence :math:`D(P \| Q)` of categorical distributions given by logits.

    :math:`P = \mathrm{softmax}(a)` and :math:`Q = \mathrm{softmax}(b)` for
    unnormalised log-probabilities `a` = `logits_p` and `b` = `logits_q`.

    Parameters
    ----------
    logits_p, logits_q : array_like
        Finite real numbers of any size (``±1e4`` is fine); only differences within
        a vector matter. Same length along `axis`; other dimensions broadcast.
    axis : int, keyword-only
        The axis of the categories. Default: the last.
    base : float or None, keyword-only
        ``None`` (default) for nats, ``2`` for bits.

    Returns
    -------
    kl : numpy.float64 or ndarray
        :math:`\ge 0`, exactly ``0.0`` when the logits differ by a constant
        (the same distribution; the difference is taken exactly, so
        ``a + 7.0`` counts only where that sum is exact), with `axis`
        removed.

    Raises
    ------
    ValueError
        If a logit is NaN or infinite (use :func:`kl_discrete` for exact zeros), if
        the lengths along `axis` differ, or the other dimensions do not broadcast.

    Notes
    -----
    With :math:`\delta = b - a`, :math:`D(P\|Q) = \log E_P[e^{\delta}] - E_P[\delta]`.
    Centring :math:`c = \delta - m` at :math:`m \approx E_P[\delta]` (twice: the
    second pass removes the rounding residue of the first) and writing
    :math:`S_1 = E_P[c]` (what rounding leaves of it, of order
    :math:`\epsilon \cdot \mathrm{spread}(c)`) and
    :math:`S_2 = E_P[\psi(c)] \ge 0`,

    .. math:: D(P\|Q) = \log(1 + S_1 + S_2) - S_1 = S_2 - \big(x - \log(1+x)\big),\quad x = S_1 + S_2,

    so the divergence is a sum of non-negative terms up to a second-order
    correction. :math:`\delta` is formed exactly, as a double-double (the rounding
    error of ``b - a`` is kept), so logits of any magnitude lose nothing. Terms
    with :math:`c > 700` are evaluated as :math:`\exp(\log p_i + c_i)`, and if
    :math:`E_P[e^c]` overflows, :math:`\log E_P[e^c]` is taken by log-sum-exp.

    Derived in chapter 6 (policies given by logits).

    Examples
    --------
    >>> from klnotes import kl_logits, kl_discrete
    >>> import numpy as np
    >>> a, b = np.array([2.0, 0.0, -1.0]), np.array([0.0, 1.0, 0.0])
    >>> print(f"{kl_logits(a, b):.12f}")
    0.912982897820
    >>> float(kl_logits(a, a + 1e4))     # a constant shift: the same distribution
    0.0
    """
    lb = log_base(base)
    a = as_float_array(logits_p, "logits_p")
    b = as_float_array(logits_q, "logits_q")
    for arr, name in ((a, "logits_p"), (b, "logits_q")):
        if arr.ndim == 0:
            raise ValueError(
                f"{name} must be at least 1-D (one logit per category); "
                "got a scalar"
            )
        normalize_axis(axis, arr.ndim)
        check_finite(arr, name)
    a, b = match_along_axis(
        a,
        b,
        normalize_axis(axis, a.ndim),
        normalize_axis(axis, b.ndim),
        ("logits_p", "logits_q"),
        axis,
    )
    p, log_p = _softmax(a)
    hi, lo = _two_diff(b, a)  # delta = b - a = hi + lo exactly
    # delta constant along the axis (hi and lo both constant: the pair is
    # unique): the same distribution, exactly 0 whatever the rounding of m.
    same = np.all(hi == hi[..., :1], axis=-1) & np.all(
        lo == lo[..., :1], axis=-1
    )
    c = _centred(p, hi, lo)  # in hi's memory: no new array
    s1 = _dot_last(p, c)
    s2 = _mean_psi(p, log_p, c, work=lo)  # lo is spent: its memory
    d = _log1p_minus(s1, s2)
    if np.isinf(s2).any():  # E_P[e^c] overflowed: log E_P[e^c] by log-sum-exp
        lse = special.logsumexp(log_p + c, axis=-1)
        d = np.where(np.isinf(s2), lse - s1, d)
    d = np.where(same, 0.0, d)
    return scalar_or_array(in_base(d, lb))


#: Above this centred log-ratio c, p * psi(c) is taken as exp(log p + c):
#: psi(c) = e^c (1 - (1 + c) e^-c) with (1 + c) e^-c < 1e-301 there, and
#: e^c itself would overflow from c = 709.78 on.
_EXP_SAFE = 700.0

#: x = S1 + S2 below which D = S2 - (x - log1p x) is used, above which
#: D = log1p(x) - S1.  Below 1, x - log1p x <= x^2 / 2 is at most half of
#: S2 ~ x, so nothing cancels; above 1 the second form subtracts the tiny S1
#: from log1p(x) >= log 2.  At x = 1 either loses at most 1 / log 2 = 1.44.
_LOG1P_SWITCH = 1.0


def _softmax(
    a: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``softmax(a)`` and ``log_softmax(a)`` along the last axis.

    Shifted by the maximum, so ``exp`` cannot overflow and the largest
    probability is computed from ``exp(0) = 1``.
    """
    shifted = a - np.max(a, axis=-1, keepdims=True)
    p = np.exp(shifted)
    z = np.sum(p, axis=-1, keepdims=True)
    p /= z
    shifted -= np.log(z)
    return p, shifted


def _centred(
    p: NDArray[np.float64], hi: NDArray[np.float64], lo: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``c = delta - m`` with ``m ~ E_P[delta]``, centred twice.

    The first pass (``m = E_P[hi]``) leaves a residual ``E_P[c]`` of order
    ``eps * |m|``; the second removes it down to ``eps * spread(c)``, so the
    second-order correction in :func:`_log1p_minus` stays far below the
    divergence.  Any centring constant is exact in the formula: ``S1 = E_P[c]``
    absorbs what is left.
    """
    c = np.subtract(hi, _dot_last(p, hi)[..., None], out=hi)
    c += lo
    c -= _dot_last(p, c)[..., None]
    return c


def _mean_psi(
    p: NDArray[np.float64],
    log_p: NDArray[np.float64],
    c: NDArray[np.float64],
    work: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """``S2 = E_P[psi(c)] >= 0``; terms with ``c > _EXP_SAFE`` in log space.
    ``work``, if given, is a contiguous array of c's shape to write
    ``psi(c)`` into (saves a fresh array)."""
    with np.errstate(over="ignore"):
        psi_c = _blocked(_psi, c, out=work)
    if not c.size or float(np.max(c)) <= _EXP_SAFE:
        return _dot_last(p, psi_c)
    big = c > _EXP_SAFE
    psi_c[big] = 0.0
    with np.errstate(over="ignore"):
        extra = np.sum(np.exp(np.where(big, log_p + c, -np.inf)), axis=-1)
    return _dot_last(p, psi_c) + extra


def _log1p_minus(
    s1: NDArray[np.float64], s2: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``log(1 + S1 + S2) - S1`` without cancellation (see _LOG1P_SWITCH)."""
    x = np.atleast_1d(s1 + s2)
    out = np.empty_like(x)
    small = x < _LOG1P_SWITCH
    out[small] = np.atleast_1d(s2)[small] - _xmlog1p(x[small])
    with np.errstate(over="ignore", invalid="ignore"):
        out[~small] = np.log1p(x[~small]) - np.atleast_1d(s1)[~small]
    return out.reshape(np.shape(s1 + s2))


def tv_distance(p: ArrayLike, q: ArrayLike, *, axis: int = -1) -> Result:
    r"""Total variation distance :math:`\mathrm{TV}(P, Q) = \max_A |P(A) - Q(A)|`, equal to :math:`\tfrac12 \sum_i |p_i - q_i|`.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along `axis`, validated as in :func:`kl_discrete`.
    axis : int, keyword-only
        The axis of the outcomes. Default: the last.

    Returns
    -------
    tv : numpy.float64 or ndarray
        In :math:`[0, 1]`; a metric on distributions.

    Raises
    ------
    ValueError
        As for :func:`kl_discrete`.

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
    return scalar_or_array(_clip_disjoint(tv, p_arr, q_arr, 1.0))


def mutual_information(
    joint: ArrayLike, *, base: float | None = None
) -> Result:
    r"""Mutual information :math:`I(X;Y) = D(P_{XY} \,\|\, P_X \otimes P_Y)` of a joint table.

    Parameters
    ----------
    joint : array_like, shape (n, m)
        Joint probabilities :math:`P(X = i, Y = j)`: finite, :math:`\ge 0`, summing
        to 1 within ``1e-9``.
    base : float or None, keyword-only
        ``None`` for nats (default), ``2`` for bits.

    Returns
    -------
    mi : numpy.float64
        :math:`\ge 0`, and 0 exactly when the table is the product of its marginals.

    Raises
    ------
    ValueError
        If `joint` is not 2-D, has a negative or non-finite entry or does not sum to 1;
        if `base` is not a positive number other than 1.

    Notes
    -----
    The divergence from the joint distribution to the product of its marginals;
    non-negative by Gibbs' inequality (chapter 2). Evaluated with
    :func:`kl_discrete`, in the non-negative form.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed.,
           2006, eq. (2.28) and Theorem 2.6.5 (Corollary).

    Examples
    --------
    >>> from klnotes import mutual_information
    >>> print(f"{mutual_information([[0.5, 0.0], [0.0, 0.5]], base=2):.12f}")   # Y = X, a fair bit
    1.000000000000
    >>> float(mutual_information([[0.25, 0.25], [0.25, 0.25]]))        # independent
    0.0
    """
    lb = log_base(base)
    arr = as_float_array(joint, "joint")
    if arr.ndim != 2:
        raise ValueError(
            f"joint must be a 2-D table of P(X=i, Y=j); got shape {arr.shape}"
        )
    flat, _ = as_probabilities(arr.ravel(), "joint", -1)
    px, py = arr.sum(axis=1), arr.sum(axis=0)
    product = np.outer(px, py).ravel()
    return scalar_or_array(
        in_base(
            np.asarray(np.sum(_blocked(_bregman_terms, flat, product))), lb
        )
    )


def f_divergence(
    p: ArrayLike,
    q: ArrayLike,
    f: Callable[[NDArray[np.float64]], ArrayLike],
    *,
    f_inf: float,
    axis: int = -1,
    base: float | None = None,
) -> Result:
    r"""The f-divergence :math:`D_f(P\|Q) = \sum_i q_i\, f(p_i / q_i)`.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along `axis`, validated as in :func:`kl_discrete`.
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
    axis : int, keyword-only
        The axis of the outcomes. Default: the last.
    base : float or None, keyword-only
        ``None`` (default) for nats, ``2`` for bits (meaningful when `f`
        is built from natural logarithms).

    Returns
    -------
    d : numpy.float64 or ndarray
        :math:`\ge 0` by Jensen's inequality (chapter 7) for a convex `f`
        with :math:`f(1) = 0`; ``inf`` where a term is infinite.

    Raises
    ------
    ValueError
        As for :func:`kl_discrete`; if `f_inf` is NaN or :math:`-\infty`;
        if `f` returns NaN, :math:`-\infty` or the wrong shape; if
        :math:`f(1) \ne 0`; if the values of `f` at the evaluated ratios
        are not those of a convex function, or `f_inf` (where it is used)
        is below a chord slope of `f`; if the sum is negative beyond
        rounding (see Notes). (``+inf`` from `f` is a
        legitimate infinite term, e.g. :math:`f(0) = -\log 0` for the
        reverse KL.)

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
    in the evaluated points or makes the sum negative beyond rounding; it
    is never silently returned as ``0.0``. These checks do not prove `f`
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
    return scalar_or_array(in_base(np.maximum(total, 0.0), lb))


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


def hellinger_sq(p: ArrayLike, q: ArrayLike, *, axis: int = -1) -> Result:
    r"""Squared Hellinger distance :math:`H^2(P, Q)`.

    .. math:: H^2(P, Q) = \tfrac12\sum_i\big(\sqrt{p_i} - \sqrt{q_i}\big)^2
              = 1 - \sum_i\sqrt{p_i q_i}

    Parameters
    ----------
    p, q : array_like
        Probability vectors along `axis`, validated as in :func:`kl_discrete`.
    axis : int, keyword-only
        The axis of the outcomes. Default: the last.

    Returns
    -------
    h2 : numpy.float64 or ndarray
        In :math:`[0, 1]`, exactly ``0.0`` for equal inputs; :math:`H` is a
        metric. The f-divergence of :math:`f(t) = \tfrac12(\sqrt t - 1)^2`.
        Dimensionless, so there is no `base`.

    Raises
    ------
    ValueError
        As for :func:`kl_discrete`.

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
    return scalar_or_array(_clip_disjoint(h2, p_arr, q_arr, 1.0))


def _hellinger_terms(
    p: NDArray[np.float64], q: NDArray[np.float64]
) -> NDArray[np.float64]:
    den = np.sqrt(p)
    den += np.sqrt(q)
    out = p - q
    np.divide(out, den, out=out, where=den > 0)
    out *= out
    return out


def chi2_divergence(p: ArrayLike, q: ArrayLike, *, axis: int = -1) -> Result:
    r"""Pearson's :math:`\chi^2(P\|Q) = \sum_i (p_i - q_i)^2 / q_i`.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along `axis`, validated as in :func:`kl_discrete`.
    axis : int, keyword-only
        The axis of the outcomes. Default: the last.

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
    ValueError
        As for :func:`kl_discrete`.

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
    return scalar_or_array(np.sum(terms, axis=-1))


def renyi_divergence(
    p: ArrayLike,
    q: ArrayLike,
    alpha: float,
    *,
    axis: int = -1,
    base: float | None = None,
) -> Result:
    r"""Rényi divergence of order :math:`\alpha`.

    .. math:: D_\alpha(P\|Q) = \frac{1}{\alpha - 1}
              \log\sum_i p_i^\alpha q_i^{1-\alpha}

    Parameters
    ----------
    p, q : array_like
        Probability vectors along `axis`, validated as in :func:`kl_discrete`.
    alpha : float
        Order, :math:`0 \le \alpha \le \infty`. ``1`` gives
        :func:`kl_discrete`; ``inf`` gives :math:`\log\max_i p_i/q_i`; ``0``
        gives :math:`-\log Q(\operatorname{supp} P)`.
    axis : int, keyword-only
        The axis of the outcomes. Default: the last.
    base : float or None, keyword-only
        ``None`` (default) for nats, ``2`` for bits.

    Returns
    -------
    d : numpy.float64 or ndarray
        :math:`\ge 0`, exactly ``0.0`` for equal inputs, non-decreasing in
        :math:`\alpha`; ``inf`` for :math:`\alpha > 1` when some
        :math:`q_i = 0 < p_i`.

    Raises
    ------
    ValueError
        As for :func:`kl_discrete`; also if `alpha` is negative or NaN.

    Notes
    -----
    With :math:`\beta = 1 - \alpha`, :math:`r_i = q_i/p_i` and
    :math:`L_i = \log r_i` on the support of :math:`P`, and
    :math:`Q(\cdot)` the mass of :math:`Q` off that support,

    .. math:: \sum_i p_i^\alpha q_i^{1-\alpha} - 1
              = \sum_i p_i\, g(L_i) - \beta\, Q(\cdot),\qquad
              g(L) = e^{\beta L} - 1 - \beta(e^L - 1),

    because :math:`\sum_i p_i (r_i - 1) = -Q(\cdot)`. :math:`g` has one sign
    (:math:`\le 0` for :math:`\alpha < 1`, :math:`\ge 0` for
    :math:`\alpha > 1`, by concavity or convexity of :math:`r^\beta`), so
    the sum cannot cancel, and :math:`D_\alpha = \operatorname{log1p}(A) /
    (\alpha - 1)`. Each :math:`g(L_i)` is computed without cancellation:
    :math:`L_i = \operatorname{log1p}((q_i - p_i)/p_i)` from the exact
    difference; for :math:`\max(1, |\beta|)\,|L| \le 1/2` by its Taylor
    series :math:`\sum_{k\ge2} \beta(\beta^{k-1} - 1) L^k/k!` (coefficients
    via ``expm1``); otherwise by whichever of
    :math:`\psi(\beta L) - \beta\psi(L)` and
    :math:`r\,[\psi(-\alpha L) - \alpha\psi(-L)]` has the smaller terms
    (this loses at most a factor 2.9). Where :math:`|A| > 1/2` or
    :math:`A` overflows, log-sum-exp of :math:`\log p_i + \beta L_i` is used
    (no cancellation there). The result keeps full relative precision for
    nearly equal :math:`P` and :math:`Q` (true values down to
    :math:`10^{-30}` and below), for every order.

    For vectors that sum to 1 only within the tolerance, the identity above
    defines what is returned (the generalisation that is exact for
    normalised inputs).

    References
    ----------
    .. [1] A. Rényi, "On measures of entropy and information", Proc. Fourth
           Berkeley Symp. Math. Statist. Prob., vol. 1, 1961, eq. (3.3).
    .. [2] T. van Erven and P. Harremoës, "Rényi divergence and
           Kullback-Leibler divergence", IEEE Trans. Inf. Theory 60(7), 2014.

    Examples
    --------
    >>> from klnotes import renyi_divergence, kl_discrete
    >>> p, q = [0.2, 0.8], [0.5, 0.5]
    >>> d = renyi_divergence(p, q, 1.0 + 1e-9)
    >>> print(f"{d:.9f} {kl_discrete(p, q):.9f}")
    0.192744757 0.192744757
    >>> print(f"{renyi_divergence(p, q, float('inf')):.6f}")  # log 1.6
    0.470004
    >>> eps = 2.0**-40                  # nearly equal: D ~ alpha eps^2 * 2
    >>> print(f"{renyi_divergence([0.5, 0.5], [0.5 + eps, 0.5 - eps], 0.5):.6e}")
    8.271806e-25
    """
    alpha = check_scalar(alpha, "alpha", low=0.0, allow_inf=True)
    lb = log_base(base)
    p_arr, q_arr = pair(p, q, axis)
    if alpha == 1.0:
        return kl_discrete(p_arr, q_arr, axis=-1, base=base)
    supp = p_arr > 0
    outside = np.sum(np.where(supp, 0.0, q_arr), axis=-1)  # Q off supp P
    if alpha == 0.0:
        with np.errstate(divide="ignore"):
            # + 0.0: -log1p(-0.0) is -0.0
            return scalar_or_array(in_base(-np.log1p(-outside), lb) + 0.0)
    log_r = _blocked(_log_ratio, p_arr, q_arr)  # log(q/p); 0 off supp P
    if alpha == math.inf:
        u = np.where(supp, -log_r, -np.inf)
        return scalar_or_array(in_base(np.max(u, axis=-1) + 0.0, lb))
    beta = 1.0 - alpha
    series = _RenyiSeries(alpha)
    g = _blocked(lambda lr: series.g(lr, alpha), log_r)
    g[~supp] = 0.0
    # A = -1 (disjoint supports) gives log1p(-1) = -inf, so D = +inf: right
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        big_a = _dot_last(p_arr, g) - beta * outside
        d = np.log1p(big_a) / (alpha - 1.0)
    far = ~(np.abs(big_a) <= 0.5)
    if far.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            log_terms = np.where(supp, np.log(p_arr) + beta * log_r, -np.inf)
            lse = special.logsumexp(log_terms, axis=-1) / (alpha - 1.0)
        d = np.where(far, lse, d)
    # + 0.0: for alpha < 1 and P = Q, log1p(0.0) / (alpha - 1) is -0.0
    return scalar_or_array(in_base(d, lb) + 0.0)


def _log_ratio(
    p: NDArray[np.float64], q: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``log(q / p)`` where ``p > 0`` (0 elsewhere), relatively accurate.

    ``log1p((q - p) / p)`` where ``q > p / 2`` (``q - p`` exact for
    ``q <= 2p``, correctly rounded otherwise); ``log(q / p)`` where the
    ratio is normal and below 1/2, so ``|log r| > log 2`` absorbs its
    rounding; ``log q - log p`` where the ratio underflows (then
    ``|log r| > 708``); ``-inf`` where ``q = 0``.
    """
    out = np.zeros_like(p)
    pos = p > 0
    pp, qq = p[pos], q[pos]
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        r = qq / pp
        lr = np.log1p((qq - pp) / pp)
        low = r < 0.5
        lr[low] = np.log(r[low])
        tiny = (r < _TINY_NORMAL) & (qq > 0)
        lr[tiny] = np.log(qq[tiny]) - np.log(pp[tiny])
    out[pos] = lr
    return out


_TINY_NORMAL = float(np.finfo(np.float64).tiny)


class _RenyiSeries:
    """``g(L) = e^(beta L) - 1 - beta (e^L - 1)`` for one order, no cancellation.

    Taylor coefficients ``c_k = beta (beta^(k-1) - 1) / k!`` (k >= 2) are
    formed with ``expm1`` so that they keep their digits for ``beta`` near
    1 or -1.  For ``x = max(1, |beta|) |L| <= 1/2``, ``|c_k L^k|`` is below
    ``2 (k-1) x^(k-2) / k!`` times ``|c_2 L^2|``, so the series has no
    significant cancellation (the terms after the first sum to at most 0.41
    of it) and its tail after ``n`` coefficients is below
    ``4 (n+1) x^n / (n+2)!`` of the value.
    """

    N_MAX = 24

    def __init__(self, alpha: float) -> None:
        beta = 1.0 - alpha  # rounded; used only where its digits suffice
        self.beta = beta
        # log |beta| from alpha itself: for small alpha, 1 - alpha would
        # round away the digits of alpha that beta^(k-1) - 1 ~ -(k-1) alpha
        # is made of
        log_abs = math.log1p(-alpha) if alpha < 1.0 else math.log(alpha - 1.0)
        self.scale = max(1.0, abs(beta))
        log_s = max(log_abs, 0.0)  # log of the scale
        sign = 1.0 if alpha < 1.0 else -1.0
        # d_k = c_k / s^k with c_k = beta (beta^(k-1) - 1) / k!, so that the
        # series runs in x = s L (|x| <= 1/2) and nothing overflows for huge
        # orders: d_k = sign (sign^(k-1) |beta|^(k-1) - 1) |beta| / s^k / k!
        coeffs = []
        for k in range(2, self.N_MAX + 2):
            if sign > 0 or (k - 1) % 2 == 0:
                # |beta|^(k-1) - 1, over s^(k-1), from expm1
                pw = math.expm1((k - 1) * (log_abs - log_s)) - math.expm1(
                    -(k - 1) * log_s
                )
            else:  # beta < 0, odd power: (-(|b|^(k-1)) - 1) / s^(k-1)
                pw = -(math.exp((k - 1) * (log_abs - log_s))) - math.exp(
                    -(k - 1) * log_s
                )
            factor = math.exp(log_abs - log_s)  # |beta| / s
            coeffs.append(sign * factor * pw / math.factorial(k))
        self.coeffs = tuple(coeffs)

    def g(self, lr: NDArray[np.float64], alpha: float) -> NDArray[np.float64]:
        beta = self.beta
        near = np.abs(lr) * self.scale <= 0.5
        out = np.empty_like(lr)
        if near.any():
            x = lr[near]
            m = float(np.max(np.abs(x))) * self.scale if x.size else 0.0
            n = _n_terms(
                m,
                lambda a, j: 4.0 * (j + 1) * a**j / math.factorial(j + 2),
                self.N_MAX,
            )
            xs = x * self.scale if self.scale != 1.0 else x
            val = _horner(xs, self.coeffs[:n])
            val *= xs
            val *= xs
            out[near] = val
        if not near.all():
            x = lr[~near]
            with np.errstate(over="ignore", invalid="ignore"):
                a1, b1 = _psi(beta * x), beta * _psi(x)
                r = np.exp(x)
                a2, b2 = r * _psi(-alpha * x), alpha * r * _psi(-x)
                form1 = a1 - b1
                form2 = a2 - b2
                use2 = (np.abs(a2) + np.abs(b2)) < (np.abs(a1) + np.abs(b1))
                val = np.where(use2, form2, form1)
                zero_q = x == -np.inf  # r = 0: g = -alpha (alpha < 1), inf
                val[zero_q] = -alpha if alpha < 1.0 else np.inf
            out[~near] = val
        return out
