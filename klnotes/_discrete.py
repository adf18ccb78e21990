"""Divergences and entropies of discrete (categorical) distributions."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from ._numerics import _blocked, _bregman_terms, _js_terms, _psi, _xmlog1p
from ._validation import (
    as_float_array,
    as_probabilities,
    check_finite,
    log_base,
    match_along_axis,
    normalize_axis,
    scalar_or_array,
    to_base,
)

__all__ = ["kl_discrete", "kl_logits", "entropy", "cross_entropy", "js_divergence", "tv_distance", "mutual_information"]


def _pair(p: ArrayLike, q: ArrayLike, axis: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Validate two probability arrays; return them broadcast with the outcome axis last."""
    p_arr, ax_p = as_probabilities(p, "p", axis)
    q_arr, ax_q = as_probabilities(q, "q", axis)
    p_arr, q_arr, _ = match_along_axis(p_arr, q_arr, ax_p, ax_q, ("p", "q"), axis)
    return p_arr, q_arr


def _dot_last(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """``sum(a * b, axis=-1)`` without the temporary (einsum)."""
    return np.einsum("...i,...i->...", a, b)


def kl_discrete(p: ArrayLike, q: ArrayLike, *, axis: int = -1, base: float | None = None):
    r"""Kullback-Leibler divergence :math:`D(P \| Q)` of discrete distributions.

    .. math:: D(P \| Q) = \sum_i p_i \log \frac{p_i}{q_i}

    Parameters
    ----------
    p, q : array_like
        Probability vectors along `axis`: finite, non-negative, each summing to 1
        within ``1e-9``. The other dimensions broadcast against each other, so a
        batch of pairs is evaluated in one call. Nothing is renormalised.
    axis : int, keyword-only
        The axis along which the outcomes lie. Default: the last.
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
    log_base(base)
    p_arr, q_arr = _pair(p, q, axis)
    terms = _blocked(_bregman_terms, p_arr, q_arr)
    return scalar_or_array(to_base(np.sum(terms, axis=-1), base))


def entropy(p: ArrayLike, *, axis: int = -1, base: float | None = None):
    r"""Shannon entropy :math:`H(P) = -\sum_i p_i \log p_i`.

    Parameters
    ----------
    p : array_like
        Probability vector(s) along `axis` (finite, :math:`\ge 0`, summing to 1
        within ``1e-9``).
    axis : int, keyword-only
        The axis of the outcomes. Default: the last.
    base : float or None, keyword-only
        ``None`` for nats (default), ``2`` for bits.

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
    log_base(base)
    arr, ax = as_probabilities(p, "p", axis)
    h = np.sum(special.entr(arr), axis=ax)
    return scalar_or_array(to_base(np.asarray(h), base))


def cross_entropy(p: ArrayLike, q: ArrayLike, *, axis: int = -1, base: float | None = None):
    r"""Cross-entropy :math:`H(P, Q) = -\sum_i p_i \log q_i = H(P) + D(P \| Q)`.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along `axis`, validated as in :func:`kl_discrete`.
    axis : int, keyword-only
        The axis of the outcomes. Default: the last.
    base : float or None, keyword-only
        ``None`` for nats (default), ``2`` for bits.

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
    log_base(base)
    p_arr, q_arr = _pair(p, q, axis)
    h = -np.sum(special.xlogy(p_arr, q_arr), axis=-1)
    return scalar_or_array(to_base(h, base))


def js_divergence(p: ArrayLike, q: ArrayLike, *, axis: int = -1, base: float | None = None):
    r"""Jensen-Shannon divergence :math:`\tfrac12 D(P \| M) + \tfrac12 D(Q \| M)`, :math:`M = \tfrac12(P + Q)`.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along `axis`, validated as in :func:`kl_discrete`.
    axis : int, keyword-only
        The axis of the outcomes. Default: the last.
    base : float or None, keyword-only
        ``None`` for nats (default), ``2`` for bits.

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
    log_base(base)
    p_arr, q_arr = _pair(p, q, axis)
    terms = _blocked(_js_terms, p_arr, q_arr)
    return scalar_or_array(to_base(0.5 * np.sum(terms, axis=-1), base))


def kl_logits(logits_p: ArrayLike, logits_q: ArrayLike, *, axis: int = -1):
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

    Returns
    -------
    kl : numpy.float64 or ndarray
        In nats, :math:`\ge 0`, exactly ``0.0`` when the logits differ by a
        constant (the same distribution), with `axis` removed.

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
    a = as_float_array(logits_p, "logits_p")
    b = as_float_array(logits_q, "logits_q")
    for arr, name in ((a, "logits_p"), (b, "logits_q")):
        if arr.ndim == 0:
            raise ValueError(f"{name} must be at least 1-D (one logit per category); got a scalar")
        normalize_axis(axis, arr.ndim)
        check_finite(arr, name)
    a, b, _ = match_along_axis(
        a, b, normalize_axis(axis, a.ndim), normalize_axis(axis, b.ndim), ("logits_p", "logits_q"), axis
    )
    # P = softmax(a), in place
    p = a - np.max(a, axis=-1, keepdims=True)
    np.exp(p, out=p)
    z = np.sum(p, axis=-1, keepdims=True)
    p /= z
    # delta = b - a exactly, as hi + lo (Knuth's TwoSum), then c = delta - m
    hi = b - a
    bb = hi - b
    lo = hi - bb
    np.subtract(b, lo, out=lo)
    bb += a
    lo -= bb
    m = _dot_last(p, hi)  # any centring constant works: S1 below absorbs its error
    hi -= m[..., None]
    hi += lo
    c = hi
    # One step of refinement: the residual E_P[c] of the first centring is of order
    # eps * |m|; removing it leaves a residual of order eps * spread(c), so that the
    # second-order correction below cannot reach the size of the divergence (and the
    # one-category case, c = const, gives exactly 0).
    c -= _dot_last(p, c)[..., None]
    s1 = _dot_last(p, c)
    with np.errstate(over="ignore"):
        psi_c = _blocked(_psi, c)
        big = c > 700.0
        if big.any():
            # p * psi(c) would overflow (or be 0 * inf where p underflowed): take these
            # terms as exp(log p + c), psi(c) ~ e^c there to within e^-700.
            log_p = (a - np.max(a, axis=-1, keepdims=True)) - np.log(z)
            extra = np.sum(np.exp(np.where(big, log_p + c, -np.inf)), axis=-1)
            psi_c[big] = 0.0
            s2 = _dot_last(p, psi_c) + extra
        else:
            s2 = _dot_last(p, psi_c)
    x = s1 + s2
    small = x < 1.0
    d = np.where(small, s2 - _xmlog1p(np.atleast_1d(np.where(small, x, 0.0))).reshape(np.shape(x)), np.log1p(x) - s1)
    if np.isinf(s2).any():
        log_p = (a - np.max(a, axis=-1, keepdims=True)) - np.log(z)
        lse = special.logsumexp(log_p + c, axis=-1)
        d = np.where(np.isinf(s2), lse - s1, d)
    return scalar_or_array(np.asarray(d))



def tv_distance(p: ArrayLike, q: ArrayLike, *, axis: int = -1):
    r"""Total variation distance :math:`\mathrm{TV}(P, Q) = \max_A |P(A) - Q(A)| = \tfrac12 \sum_i |p_i - q_i|`.

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
    p_arr, q_arr = _pair(p, q, axis)
    return scalar_or_array(0.5 * np.sum(np.abs(p_arr - q_arr), axis=-1))


def mutual_information(joint: ArrayLike, *, base: float | None = None):
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
    log_base(base)
    arr = as_float_array(joint, "joint")
    if arr.ndim != 2:
        raise ValueError(f"joint must be a 2-D table of P(X=i, Y=j); got shape {arr.shape}")
    flat, _ = as_probabilities(arr.ravel(), "joint", -1)
    px, py = arr.sum(axis=1), arr.sum(axis=0)
    product = np.outer(px, py).ravel()
    return scalar_or_array(to_base(np.asarray(np.sum(_blocked(_bregman_terms, flat, product))), base))
