"""The Kullback-Leibler family for discrete distributions: KL (from
probabilities and from logits), entropy, cross-entropy and mutual
information, each a sum of non-negative terms ``weight * psi(log ratio)``
computed from exact differences (see ``_psi``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from ._docs import fill
from ._psi import (
    _BLOCK,
    _blocked,
    _bregman_terms,
    _psi,
    _psi_in_place,
    _two_diff,
    _xmlog1p,
)
from ._validation import (
    Result,
    as_float_array,
    as_probabilities,
    check_finite,
    in_base,
    log_base,
    match_along_axis,
    normalize_axis,
    pair,
    reduced,
    scalar_or_array,
)

__all__ = [
    "cross_entropy",
    "entropy",
    "jeffreys_divergence",
    "kl_discrete",
    "kl_logits",
    "mutual_information",
]


#: amax, Z, m (each ``(rows, 1)``), S1, S2, and the rows listed for lo.
_SeriesSums = tuple[
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.intp],
]


def _dot_last(
    a: NDArray[np.float64], b: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``sum(a * b, axis=-1)`` without the temporary (einsum)."""
    return np.einsum("...i,...i->...", a, b)


@fill
def kl_discrete(
    p: ArrayLike,
    q: ArrayLike,
    *,
    axis: int = -1,
    base: float | None = None,
    keepdims: bool = False,
) -> Result:
    r"""Kullback-Leibler divergence :math:`D(P \| Q)` of discrete distributions.

    .. math:: D(P \| Q) = \sum_i p_i \log \frac{p_i}{q_i}

    Parameters
    ----------
    %(p_q)s
    %(axis)s
    %(base)s
    %(keepdims)s

    Returns
    -------
    kl : numpy.float64 or ndarray
        The divergence, with `axis` removed from the broadcast shape. Always
        :math:`\ge 0`; exactly ``0.0`` when `p` and `q` are equal; ``inf`` when some
        :math:`p_i > 0` has :math:`q_i = 0` (P is not absolutely continuous with
        respect to Q).

    Raises
    ------
    %(raises_pair)s

    See Also
    --------
    kl_logits : the same divergence from logits.
    jeffreys_divergence, js_divergence : symmetrisations.
    renyi_divergence : the family of orders; order 1 is this.

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
    return reduced(in_base(np.sum(terms, axis=-1), lb), axis, keepdims)


@fill
def jeffreys_divergence(
    p: ArrayLike,
    q: ArrayLike,
    *,
    axis: int = -1,
    base: float | None = None,
    keepdims: bool = False,
) -> Result:
    r"""Jeffreys' divergence :math:`D(P \| Q) + D(Q \| P) = \sum_i (p_i - q_i) \log(p_i / q_i)`.

    Parameters
    ----------
    %(p_q)s
    %(axis)s
    %(base)s
    %(keepdims)s

    Returns
    -------
    j : numpy.float64 or ndarray
        Symmetric, :math:`\ge 0`, exactly ``0.0`` for equal inputs;
        ``inf`` where one distribution has mass the other lacks.

    Raises
    ------
    %(raises_pair)s

    See Also
    --------
    kl_discrete : each of the two directions.
    js_divergence : the bounded symmetrisation, through the midpoint.

    Notes
    -----
    The sum of the two generalised KL terms of :func:`kl_discrete`,
    :math:`p_i \psi(\log(q_i/p_i)) + q_i \psi(\log(p_i/q_i))`, each
    non-negative and computed from the exact difference: full relative
    precision near equality, where it is :math:`\approx \chi^2`.
    Jeffreys [1]_ introduced it as an invariant for estimation.

    References
    ----------
    .. [1] H. Jeffreys, "An invariant form for the prior probability in
           estimation problems", Proc. R. Soc. Lond. A 186(1007), 1946.

    Examples
    --------
    >>> from klnotes import jeffreys_divergence, kl_discrete
    >>> p, q = [0.5, 0.5], [0.9, 0.1]
    >>> print(f"{jeffreys_divergence(p, q):.12f}")
    0.878889830934
    """
    lb = log_base(base)
    p_arr, q_arr = pair(p, q, axis)
    terms = _blocked(_bregman_terms, p_arr, q_arr)
    terms += _blocked(_bregman_terms, q_arr, p_arr)
    return reduced(in_base(np.sum(terms, axis=-1), lb), axis, keepdims)


@fill
def entropy(
    p: ArrayLike,
    *,
    axis: int = -1,
    base: float | None = None,
    keepdims: bool = False,
) -> Result:
    r"""Shannon entropy :math:`H(P) = -\sum_i p_i \log p_i`.

    Parameters
    ----------
    p : array_like
        Probability vector(s) along `axis` (finite, :math:`\ge 0`, summing to 1
        within ``1e-9``).
    %(axis)s
    %(base)s
    %(keepdims)s

    Returns
    -------
    h : numpy.float64 or ndarray
        :math:`0 \le H(P) \le \log n` for :math:`n` outcomes, with `axis` removed.

    Raises
    ------
    %(raises_pair)s

    See Also
    --------
    cross_entropy : H(P) + D(P || Q).
    kl_discrete : the divergence.

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
    return reduced(in_base(np.asarray(h), lb), axis, keepdims)


@fill
def cross_entropy(
    p: ArrayLike,
    q: ArrayLike,
    *,
    axis: int = -1,
    base: float | None = None,
    keepdims: bool = False,
) -> Result:
    r"""Cross-entropy :math:`H_\times(P, Q) = -\sum_i p_i \log q_i`, equal to :math:`H(P) + D(P \| Q)`.

    Parameters
    ----------
    %(p_q)s
    %(axis)s
    %(base)s
    %(keepdims)s

    Returns
    -------
    h : numpy.float64 or ndarray
        :math:`H_\times(P, Q) \ge H(P)`; ``inf`` if some :math:`p_i > 0` has :math:`q_i = 0`.

    Raises
    ------
    %(raises_pair)s

    See Also
    --------
    entropy, kl_discrete : its two parts.

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
    return reduced(in_base(h, lb), axis, keepdims)


@fill
def kl_logits(
    logits_p: ArrayLike,
    logits_q: ArrayLike,
    *,
    axis: int = -1,
    base: float | None = None,
    keepdims: bool = False,
) -> Result:
    r"""KL divergence :math:`D(P \| Q)` of categorical distributions given by logits.

    :math:`P = \mathrm{softmax}(a)` and :math:`Q = \mathrm{softmax}(b)` for
    unnormalised log-probabilities `a` = `logits_p` and `b` = `logits_q`.

    Parameters
    ----------
    logits_p, logits_q : array_like
        Finite real numbers of any size (``±1e4`` is fine); only differences within
        a vector matter. Same length along `axis`; other dimensions broadcast.
    %(axis)s
    %(base)s
    %(keepdims)s

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

    See Also
    --------
    kl_discrete : from probabilities (allows exact zeros).

    Notes
    -----
    With :math:`\delta = b - a`, :math:`D(P\|Q) = \log E_P[e^{\delta}] - E_P[\delta]`.
    Centring :math:`c = \delta - m` at :math:`m \approx E_P[\delta]` and writing
    :math:`S_1 = E_P[c]` (what rounding leaves of it, of order
    :math:`\epsilon |m|`; where that is not below :math:`2^{-10} \sqrt{S_2}`,
    :math:`c` is centred a second time, which leaves
    :math:`\epsilon \cdot \mathrm{spread}(c)`) and
    :math:`S_2 = E_P[\psi(c)] \ge 0`,

    .. math:: D(P\|Q) = \log(1 + S_1 + S_2) - S_1 = S_2 - \big(x - \log(1+x)\big),\quad x = S_1 + S_2,

    so the divergence is a sum of non-negative terms up to a second-order
    correction. Where every :math:`|c| < 1/2` (nearly equal distributions) and
    the input is large (vectors of 128 outcomes or more, 8192 logits in
    all), :math:`S_2` is summed from the moments
    :math:`E_P[c^k]`, :math:`k \le 16`, of the series of :math:`\psi` (one
    pass over the data); otherwise :math:`\psi(c)` is evaluated term by term.
    :math:`\delta` is formed exactly, as a double-double (the rounding error of
    ``b - a`` is kept), wherever that error could change the result by more
    than :math:`2^{-51}` of it (a bound from the same moments, checked for
    each vector); so logits of any magnitude lose nothing. Terms with
    :math:`c > 700` are evaluated as :math:`\exp(\log p_i + c_i)`, and if
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
        if arr.shape[normalize_axis(axis, arr.ndim)] == 0:
            raise ValueError(
                f"{name} must have at least one outcome along axis={axis}; "
                f"got shape {arr.shape}"
            )
    inputs = ((a, "logits_p"), (b, "logits_q"))
    a, b = match_along_axis(
        a,
        b,
        normalize_axis(axis, a.ndim),
        normalize_axis(axis, b.ndim),
        ("logits_p", "logits_q"),
        axis,
    )
    d = _kl_logits_fused(a, b, lambda: _check_finite_logits(inputs))
    if d is None:  # some c > _EXP_SAFE: the general path
        d = _kl_logits_general(a, b)
    return reduced(in_base(d, lb), axis, keepdims)


def _check_finite_logits(
    inputs: tuple[tuple[NDArray[np.float64], str], ...],
) -> None:
    """Raise the error of :func:`check_finite` for the first non-finite
    logit.  A sum is finite only if every term is (one pass, no
    temporary); check_finite then finds the culprit, or passes if the sum
    overflowed."""
    for arr, name in inputs:
        with np.errstate(over="ignore", invalid="ignore"):
            total = arr.sum()
        if not np.isfinite(total):
            check_finite(arr, name)


def _kl_logits_general(
    a: NDArray[np.float64], b: NDArray[np.float64]
) -> NDArray[np.float64]:
    """kl_logits on broadcast arrays (outcomes last), for any finite logits."""
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
    return np.where(same, 0.0, d)


def _kl_logits_fused(
    a: NDArray[np.float64],
    b: NDArray[np.float64],
    validate: Callable[[], None] = lambda: None,
) -> NDArray[np.float64] | None:
    """kl_logits block by block, without arrays of the input's size, or
    None if some ``c > _EXP_SAFE`` (then the general path runs).

    Rows of at least ``_SERIES_MIN_N`` logits (``_SERIES_MIN_SIZE`` in
    all) first try the moment route,
    :func:`_series_sums`: one pass over the data after the row maxima,
    while every ``|c| < 1/2``.  It lists the rows where leaving out
    ``lo`` could matter; they, and every row when the moment route does
    not apply (short rows, some ``|c| >= 1/2``), take the term-by-term
    route in three passes:

    1. the maximum of each row of ``a``;
    2. blocks: ``e = exp(a - max)``, ``hi = fl(b - a)``; the sums
       ``Z = sum(e)`` and ``sum(e * hi)``, so ``m = E_P[hi]``;
    3. blocks (:func:`_centred_sums`): ``e`` again, ``c = (hi - m) + lo``
       with ``lo`` the rounding error of ``hi``, ``S1 = E_P[c]`` and
       ``S2 = E_P[psi(c)]`` (sums weighted by ``e``, divided by ``Z``).

    Every intermediate lives in scratch blocks that stay in cache (fresh
    8 MB arrays cost more in page faults than the arithmetic on them, and
    computing ``exp`` twice costs less than keeping it); inputs of up to
    ``_KEEP_EXP`` elements keep ``e`` from step 2 for step 3.

    ``validate`` checks that the logits are finite; it is called before
    the term-by-term route.  The moment route needs no check: a NaN or
    infinite logit makes some block mean or ``c`` NaN or infinite, and it
    gives up (see :func:`_series_sums`); it returns only for finite
    logits.

    Where the residue ``S1`` of the one centring is not negligible
    (:func:`_needs_second_centring`), step 3 runs again with ``c`` centred
    a second time, as in :func:`_centred`, and a delta that is exactly
    constant gives 0.
    """
    n = a.shape[-1]
    fa, fb = a.reshape(-1, n), b.reshape(-1, n)
    scratch = np.empty((4, min(fa.size, _BLOCK)))
    e = None
    fast = (
        _series_sums(fa, fb)
        if n >= _SERIES_MIN_N and fa.size >= _SERIES_MIN_SIZE
        else None
    )
    if fast is None:  # short rows, or some |c| >= 1/2: psi term by term
        validate()
        e = np.empty(fa.shape) if fa.size <= _KEEP_EXP else None
        amax, z, m = _softmax_moments(fa, fb, scratch, e)
        sums = _centred_sums(fa, fb, amax, z, m, scratch, e=e)
        if sums is None:
            return None
        s1, s2 = sums
    else:
        amax, z, m, s1, s2, exact = fast
        if exact.size:  # rows where lo may matter: term by term, lo kept
            sums = _centred_sums(
                fa[exact], fb[exact], amax[exact], z[exact], m[exact], scratch
            )
            if sums is None:
                return None
            s1[exact], s2[exact] = sums
    again = np.flatnonzero(_needs_second_centring(s1, s2))
    if again.size:  # rare: |E_P[delta]| far above the spread, a tiny D
        fa, fb = fa[again], fb[again]
        sums = _centred_sums(
            fa,
            fb,
            amax[again],
            z[again],
            m[again],
            scratch,
            m2=s1[again, None],
            e=None if e is None else e[again],
        )
        if sums is None:
            return None
        hi, lo = _two_diff(fb, fa)
        same = np.all(hi == hi[:, :1], axis=-1) & np.all(
            lo == lo[:, :1], axis=-1
        )
        s1[again], s2[again] = sums
    d = _log1p_minus(s1, s2)
    if again.size:
        d[again[same]] = 0.0
    return d.reshape(a.shape[:-1])


def _softmax_moments(
    fa: NDArray[np.float64],
    fb: NDArray[np.float64],
    scratch: NDArray[np.float64],
    keep: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Steps 1 and 2 of :func:`_kl_logits_fused` for ``(rows, n)`` logits:
    the row maxima of ``fa``, ``Z = sum(exp(a - max))`` and
    ``m = E_P[fl(b - a)]``, each of shape ``(rows, 1)``; ``exp(a - max)``
    is stored in ``keep`` if given."""
    rows, n = fa.shape
    amax = fa.max(axis=-1, keepdims=True)
    z, eh = np.zeros(rows), np.zeros(rows)
    for r, j in _row_blocks(rows, n):
        aa = fa[r, j]
        e, hi = (s[: aa.size].reshape(aa.shape) for s in scratch[:2])
        if keep is not None:
            e = keep[r, j]
        np.subtract(aa, amax[r], out=e)
        np.exp(e, out=e)
        np.subtract(fb[r, j], aa, out=hi)
        z[r] += e.sum(axis=-1)
        eh[r] += _dot_last(e, hi)
    return amax, z[:, None], (eh / z)[:, None]


def _needs_second_centring(
    s1: NDArray[np.float64], s2: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Rows whose centring residue ``S1`` is not negligible.

    ``D = S2 - (x - log1p x)`` with ``x = S1 + S2`` holds for any ``c``; in
    rounding, ``S1`` adds an error of about ``eps * |S1| / sqrt(S2)``
    relative to ``D ~ S2`` (the error ``eps * sqrt(S2)`` of ``S1`` times
    ``x``), so where ``|S1| <= 2^-10 sqrt(S2)`` a second centring cannot
    change a digit.  A row whose delta is exactly constant (``c = v``
    throughout) always fails the test: ``psi(v) < v^2`` for ``|v| < 1/2``,
    and ``|S1| < 1/4`` excludes larger ``v``; so the exact zero for
    identical distributions is decided on the second route.
    """
    s1_abs = np.abs(s1)
    return ~((s1_abs <= 2.0**-10 * np.sqrt(s2)) & (s1_abs < 0.25))


def _centred_sums(
    fa: NDArray[np.float64],
    fb: NDArray[np.float64],
    amax: NDArray[np.float64],
    z: NDArray[np.float64],
    m: NDArray[np.float64],
    scratch: NDArray[np.float64],
    m2: NDArray[np.float64] | None = None,
    e: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """``S1 = E_P[c]`` and ``S2 = E_P[psi(c)]`` for each row of ``(rows, n)``
    logits ``fa``, ``fb``, with ``p = exp(a - amax) / z`` and
    ``c = (hi - m) + lo`` (then ``- m2``, if given), block by block in the
    four rows of ``scratch``; None as soon as some ``c > _EXP_SAFE``.
    ``e``, if given, holds ``exp(a - amax)`` already.  The sums are taken
    with the weights ``exp(a - amax)`` and divided by ``z`` once, at the end.
    ``hi + lo = b - a`` exactly (TwoSum, as :func:`_two_diff_block`)."""
    rows, n = fa.shape
    s1, s2 = np.zeros(rows), np.zeros(rows)
    for r, j in _row_blocks(rows, n):
        bb, aa = fb[r, j], fa[r, j]
        w, c, b_virtual, lo = (s[: aa.size].reshape(aa.shape) for s in scratch)
        if e is None:
            np.subtract(aa, amax[r], out=w)
            np.exp(w, out=w)
        else:
            w = e[r, j]
        np.subtract(bb, aa, out=c)  # hi
        np.subtract(c, bb, out=b_virtual)  # the part of hi from -a
        np.subtract(c, b_virtual, out=lo)  # a_virtual: the part from b
        np.subtract(bb, lo, out=lo)
        b_virtual += aa
        lo -= b_virtual  # (b - a_virtual) - (b_virtual + a)
        c -= m[r]
        c += lo
        if m2 is not None:
            c -= m2[r]
        if not float(c.max()) <= _EXP_SAFE:  # also NaN, from overflow
            return None
        s1[r] += _dot_last(w, c)
        with np.errstate(over="ignore"):
            _psi_in_place(c)
        s2[r] += _dot_last(w, c)
    zz = z[:, 0]
    return s1 / zz, s2 / zz


def _series_sums(
    fa: NDArray[np.float64], fb: NDArray[np.float64]
) -> _SeriesSums | None:
    """kl_logits' sums for ``(rows, n)`` logits in one pass over the data,
    from moments, where every ``|c| < 1/2``; None as soon as a block has
    some ``|c| >= 1/2`` (or an overflow): then the caller takes the
    term-by-term route.  Returns ``amax``, ``Z``, ``m`` (each of shape
    ``(rows, 1)``), ``S1``, ``S2`` and the rows whose ``lo`` may matter.

    **One pass.**  After the row maxima, each block (a "cell": one row, or
    a piece of one) is read once: ``w = exp(a - max)``, ``hi = fl(b - a)``,
    the cell's weight ``W = sum(w)`` and mean ``m_b = sum(w hi) / W``,
    ``c_b = fl(hi - m_b)`` and the moments ``M_j = sum(w c_b^j)``,
    j = 1, ..., 16, as one matrix product
    ``[w, w c^4, w c^8, w c^12] @ [c, c^2, c^3, c^4]^T`` (cheaper than the
    twelve multiply-add passes of a Horner series per element).  At the
    end ``m = sum(W m_b) / Z`` and each cell's moments are moved to the
    common centre with ``delta_b = m_b - m`` by the binomial formula
    ``sum_j C(k, j) M_j delta_b^(k-j)`` (``M_0 = W``).  Its terms of degree
    2 are all ``>= 0`` but ``2 delta_b M_1``, which is a rounding residue
    (``M_1 ~ 0`` about the cell's own mean); so nothing cancels beyond a
    factor ``E_P[(|c_b| + |delta_b|)^2] / E_P[c^2] <= 2``, and in the usual
    case, ``delta_b`` well below the spread, not even that.

    **The series.**  With ``mu_k = E_P[c^k]`` about ``m``,
    ``S1 = mu_1`` and ``S2 = E_P[psi(c)] = sum_{k=2}^{16} mu_k / k!``, the
    series of ``psi`` summed over the outcomes first.  It needs every
    ``|c| <= |c_b| + |delta_b| < 1/2`` (checked); then the omitted terms
    are below ``2 (1/2)^15 / 17! < 2^-62`` of ``psi(c)`` (the bound of
    ``klnotes._psi``; 1.96e-19 at ``c = -1/2`` in mpmath, still below
    2^-62).  The rounding error of each ``mu_k`` is that of a dot product
    over a cell: ``eps`` times ``E_P[|c|^k]`` (with the factor above) times
    the number of terms BLAS adds in sequence, which for a cell of 2^14
    can reach thousands where a few outcomes carry the mass and thousands
    of others add small terms (the exception in the package docstring);
    with the mass spread it stays a few ``eps``.  ``S2``'s error is then
    as large, relative to ``E_P[psi(|c|)] <= 1.4 S2``
    (``psi(|c|) / psi(c) <= psi(1/2) / psi(-1/2)``), so at most about 2.8
    times that of the moments relative to ``S2``.

    **Leaving out lo.**  ``lo``, the rounding error of ``hi = fl(b - a)``
    (``|lo| <= eps |hi|``, ``eps = 2^-53``), is not formed here; that is
    the same as using ``delta - lo`` for ``delta = b - a``.  D is a smooth
    function of ``delta`` with gradient ``q - p`` and Hessian ``Cov_Q``,
    so by Taylor's theorem

        |D(delta - lo) - D(delta)| <= sum |q_i - p_i| |lo_i|
                                      + (1/2) max_t E_{Q_t}[lo^2].

    With ``q_i - p_i = p_i (psi'(c_i) - x) / (1 + x)``, ``x = S1 + S2``,
    and ``E_P[(psi'(c) - x)^2] = E_P[psi'(c)^2] - x^2`` (as
    ``E_P[psi'(c)] = x``), Cauchy-Schwarz bounds the first term by
    ``eps sqrt(E_P[psi'(c)^2] H) / (1 + x)`` with ``H >= E_P[hi^2]``.  The
    moments give ``E_P[psi'(c)^2] = E_P[psi(2c)] - 2 S2`` (as
    ``(e^c - 1)^2 = psi(2c) - 2 psi(c)``), and ``H`` is the sum over the
    cells of ``(sqrt(M_2) (1 + 2 eps) + |m_b| sqrt(W))^2 / Z``
    (``|hi| <= |c_b| (1 + 2 eps) + |m_b|``; Minkowski).  On the path from
    ``delta`` to ``delta - lo`` every ``|c_t| < 1/2 + eps max|hi| =: r``,
    so ``q_t / p <= e^(2 r)`` and the second term is below
    ``e^(2 r) eps^2 H / 2``.  A row whose bound is not below
    ``_LO_TOL * D`` is listed, and the caller computes it again with
    ``lo`` kept: a large common shift against a small spread of ``c``
    (``b = a + 7 + tiny``), an exactly constant ``hi`` whose ``lo`` alone
    varies.  With no common shift (``m^2 << E_P[c^2]``) the bound is about
    ``2 eps D``.
    """
    rows, n = fa.shape
    amax = fa.max(axis=-1, keepdims=True)
    size = min(fa.size, _SERIES_BLOCK)
    # rows of the buffer: w, w c^4, w c^8, w c^12 | c, c^2, c^3, c^4; a
    # stride that is not a power of two keeps them apart in the cache
    buf = np.empty((8, size + 8))
    ids: list[int] = []
    weights: list[NDArray[np.float64]] = []
    centres: list[NDArray[np.float64]] = []
    reach: list[NDArray[np.float64]] = []
    moments: list[NDArray[np.float64]] = []
    with np.errstate(over="ignore", invalid="ignore"):
        for r, j in _row_blocks(rows, n, _SERIES_BLOCK):
            aa = fa[r, j]
            k, length = aa.shape
            v = buf[:, : aa.size].reshape(8, k, length)
            w, c, c2, c4 = v[0], v[4], v[5], v[7]
            np.subtract(aa, amax[r], out=w)
            np.exp(w, out=w)
            np.subtract(fb[r, j], aa, out=c)  # hi
            weight = w.sum(axis=-1)
            centre = _dot_last(w, c) / weight  # any centre will do:
            # the moments are moved to the row's m at the end
            c -= centre[:, None]
            np.multiply(c, c, out=c2)
            c2_max = c2.max(axis=-1)
            # some |c_b| >= 1/2, or NaN: b - a overflowed, or every w = 0
            if not c2_max.max() < 0.25:
                return None
            np.multiply(c2, c, out=v[6])
            np.multiply(c2, c2, out=c4)
            np.multiply(w, c4, out=v[1])
            np.multiply(v[1], c4, out=v[2])
            np.multiply(v[2], c4, out=v[3])
            # [., i, j] = sum w c^(4i) c^(j+1) = M_(4i+j+1), for each row
            moment = np.matmul(
                v[:4].transpose(1, 0, 2), v[4:].transpose(1, 2, 0)
            )
            if not ids and np.all(
                centre**2 > _SHIFT_GIVE_UP * moment[:, 0, 1] / weight
            ):
                return None  # a common shift: the rows would all be listed
            ids.extend(range(r.start, r.start + k))
            weights.append(weight)
            centres.append(centre)
            reach.append(c2_max)
            moments.append(moment.reshape(k, 16))
    weight = np.concatenate(weights)
    return _combine_cells(
        amax,
        np.array(ids),
        weight,
        np.concatenate(centres),
        np.sqrt(np.concatenate(reach)),
        np.column_stack((weight, np.concatenate(moments))),
    )


def _combine_cells(
    amax: NDArray[np.float64],
    ids: NDArray[np.intp],
    weights: NDArray[np.float64],
    centres: NDArray[np.float64],
    reach: NDArray[np.float64],
    cells: NDArray[np.float64],
) -> _SeriesSums | None:
    """The end of :func:`_series_sums`: the cells' moments ``cells[:, j] =
    M_j`` (``M_0 = W``) about their centres ``m_b``, moved to each row's
    ``m``, then ``S1``, ``S2`` and the rows listed for lo.  ``ids`` is the
    row of each cell (the cells of a row are consecutive); ``reach`` its
    largest ``|c_b|``.  None if some ``|c_b| + |delta_b| >= 1/2``."""
    if ids.size == amax.shape[0]:  # one cell per row: its centre is m
        first, z, m, mu = ids, weights, centres, cells
    else:
        first = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        z = np.add.reduceat(weights, first)
        m = np.add.reduceat(weights * centres, first) / z
        delta = centres - m[ids]
        if not np.all(reach + np.abs(delta) < 0.5):
            return None
        # mu[:, k] = sum_j C(k, j) M_j delta^(k - j), about the row's m
        dpow = delta[:, None] ** np.arange(17)
        mu = np.einsum("ckj,kj,cj->ck", dpow[:, _K_MINUS_J], _BINOMIAL, cells)
        mu = np.add.reduceat(mu, first, axis=0)
    mom = mu / z[:, None]
    s1 = mom[:, 1]
    s2 = mom[:, 2:] @ _PSI_MOMENTS
    dpsi2 = np.maximum(mom[:, 2:] @ _DPSI2_MOMENTS, 0.0)
    eps = 2.0**-53
    hi_cells = np.sqrt(np.maximum(cells[:, 2], 0.0)) * (
        1.0 + 2 * eps
    ) + np.abs(centres) * np.sqrt(weights)
    h = np.add.reduceat(hi_cells**2, first) / z
    hi_max = np.maximum.reduceat(
        reach * (1.0 + 2 * eps) + np.abs(centres), first
    )
    x = s1 + s2
    with np.errstate(over="ignore", invalid="ignore"):
        bound = eps * np.sqrt(dpsi2 * h) / (1.0 + x) + np.exp(
            1.0 + 2 * eps * hi_max
        ) * (eps * eps * h / 2)
        d = _log1p_minus(s1, s2)
    exact = np.flatnonzero(~(bound <= _LO_TOL * d))
    return amax, z[:, None], m[:, None], s1, s2, exact


def _row_blocks(
    rows: int, n: int, block: int = _BLOCK
) -> Iterator[tuple[slice, slice]]:
    """Index pairs covering a ``(rows, n)`` array in blocks of about
    ``block`` elements: whole rows if they are short, else pieces of one."""
    if n >= block:
        for r in range(rows):
            for j in range(0, n, block):
                yield slice(r, r + 1), slice(j, j + block)
    else:
        k = block // max(n, 1)
        for r in range(0, rows, k):
            yield slice(r, r + k), slice(None)


#: Inputs of up to this many elements keep ``exp(a - max)`` from step 2 of
#: :func:`_kl_logits_fused` for step 3 (at most 1 MB, which costs less than a
#: second ``exp``); larger ones compute it again, block by block, rather than
#: create an array of the input's size.
_KEEP_EXP = 2**17


#: Elements per block of :func:`_series_sums` (eight rows of scratch, 1 MB,
#: within the second-level cache).  OpenBLAS (NumPy's wheels) runs large
#: enough matrix and dot products on several threads, and on a busy machine
#: waiting for them costs more than the product.  Measured on 10^6 logits:
#: with blocks of 2^15 (a 4 x 4 x 2^15 product per block, and the block
#: means by BLAS's dot) the pass took 5.8 ms with OPENBLAS_NUM_THREADS=1
#: and 16-143 ms without; with blocks of 2^14 and the means by einsum
#: 7.0-7.7 ms either way.  2^13 took 10 ms.
_SERIES_BLOCK = 2**14

#: The moment route is taken for rows of at least ``_SERIES_MIN_N`` and
#: inputs of at least ``_SERIES_MIN_SIZE`` logits.  Below, its fixed costs
#: (a matrix product per block, combining the cells, the bound) exceed
#: what it saves: 2^18 logits in rows of 64 took 3.4 ms either way, in
#: rows of 128 2.7 against 3.2 ms; 64 rows of 64 took 211 us against
#: 127 us term by term; one vector of 8000 155 us against 162 us, of 1000
#: 122 us against 103 us.
_SERIES_MIN_N = 128
_SERIES_MIN_SIZE = 2**13

#: If in the first block every row has m_b^2 > ``_SHIFT_GIVE_UP`` E[c_b^2]
#: (its mean log-ratio more than 8 times the spread of c),
#: :func:`_series_sums` gives up at once: the
#: bound on leaving out lo would be about 2 eps sqrt(1 + m_b^2 / E[c^2]),
#: several times ``_LO_TOL``, and every row would be listed and computed
#: again.  (Only a shortcut: the bound itself is checked at the end.)
_SHIFT_GIVE_UP = 64.0

#: ``1 / k!`` and ``(2^k - 2) / k!`` for k = 2, ..., 16: ``S2`` and
#: ``E_P[psi'(c)^2] = E_P[psi(2c)] - 2 S2`` from the moments ``M_2 ... M_16``.
_PSI_MOMENTS = np.array([1.0 / math.factorial(k) for k in range(2, 17)])
_DPSI2_MOMENTS = np.array(
    [(2.0**k - 2.0) / math.factorial(k) for k in range(2, 17)]
)
_BINOMIAL = np.array(
    [[math.comb(k, j) for j in range(17)] for k in range(17)], dtype=float
)
#: ``k - j`` where ``j <= k``, else 0 (where ``_BINOMIAL`` is 0).
_K_MINUS_J = np.maximum(np.subtract.outer(np.arange(17), np.arange(17)), 0)

#: Relative bound on what leaving out ``lo`` may change in D, below which
#: :func:`_series_sums` keeps its row: 2^-51, four units of 2^-53.
_LO_TOL = 2.0**-51


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
    total = s1 + s2
    x = np.atleast_1d(total)
    small = x < _LOG1P_SWITCH
    if small.all():  # the usual case: the same values, without the masks
        return (np.atleast_1d(s2) - _xmlog1p(x)).reshape(np.shape(total))
    out = np.empty_like(x)
    out[small] = np.atleast_1d(s2)[small] - _xmlog1p(x[small])
    with np.errstate(over="ignore", invalid="ignore"):
        out[~small] = np.log1p(x[~small]) - np.atleast_1d(s1)[~small]
    return out.reshape(np.shape(total))


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

    See Also
    --------
    kl_discrete : the divergence it evaluates.

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
