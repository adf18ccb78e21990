"""Exact error probabilities of likelihood-ratio tests (Chernoff-Stein lemma).

Testing ``H_P: X_1, ..., X_n ~ P`` i.i.d. against ``H_Q: X_1, ..., X_n ~ Q`` with
the type-I error (rejecting ``P`` when it is true) held at ``alpha``, the smallest
possible type-II error (accepting ``P`` when ``Q`` is true) decays like
``exp(-n D(P || Q))``: the Chernoff-Stein lemma. For Bernoulli distributions the
number of ones is a sufficient statistic and the likelihood-ratio test is a
threshold on it, so both error probabilities are exact binomial tails, computed
here in log space (no Monte Carlo, no underflow).

Derived in chapter 1.

References
----------
.. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed.,
       2006, Theorem 11.8.3 (Chernoff-Stein lemma).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import special, stats

from ._validation import check_int, check_scalar

__all__ = ["BernoulliTest", "bernoulli_lr_test"]


class BernoulliTest(NamedTuple):
    """Result of :func:`bernoulli_lr_test`."""

    threshold: int
    """Accept ``P`` iff the count of ones is ``>= threshold`` (``p > q``) or
    ``<= threshold`` (``p < q``)."""
    alpha: float
    """Exact type-I error ``P^n(reject P)``, at most the requested level."""
    log_beta: float
    """Natural log of the exact type-II error ``Q^n(accept P)``."""


def bernoulli_lr_test(
    p: float, q: float, n: int, *, alpha: float
) -> BernoulliTest:
    r"""Most powerful non-randomised test of Bernoulli(p) against Bernoulli(q).

    Among tests that accept ``P`` on a set of counts ``K = sum X_i`` and whose
    type-I error :math:`\alpha_n = P^n(\text{reject } P)` is at most `alpha`,
    returns the likelihood-ratio (threshold) test with the smallest type-II error
    :math:`\beta_n = Q^n(\text{accept } P)`.

    Parameters
    ----------
    p, q : float
        Success probabilities of ``P`` (the null) and ``Q`` (the alternative),
        in ``(0, 1)`` and different.
    n : int
        Number of i.i.d. observations, ``n >= 1``.
    alpha : float, keyword-only
        Largest type-I error allowed, in ``(0, 1)``.

    Returns
    -------
    BernoulliTest
        ``(threshold, alpha, log_beta)``: the threshold on the count, the exact
        type-I error (``<= alpha``) and :math:`\log \beta_n` in nats.

    Raises
    ------
    ValueError
        If `p`, `q` or `alpha` is not in ``(0, 1)``, if ``p == q``, or if `n`
        is not a positive integer.

    Notes
    -----
    The log-likelihood ratio of a sample with ``K = k`` ones is
    :math:`k \log\frac{p}{q} + (n-k)\log\frac{1-p}{1-q}`, monotone in ``k``, so
    every likelihood-ratio test is a threshold on ``K`` (Neyman-Pearson). For
    ``p > q`` the test accepts ``P`` iff ``K >= t`` with the largest ``t`` such
    that :math:`P(K < t) \le \alpha`; then

    .. math:: \beta_n &= Q(K \ge t) \\
              &= \sum_{k \ge t} \binom{n}{k} q^k (1-q)^{n-k},

    summed with ``logsumexp`` of ``binom.logpmf``. By the Chernoff-Stein lemma
    :math:`-\frac1n \log \beta_n \to D(P \| Q)`. Randomised tests, which can
    reach type-I error exactly `alpha`, have the same exponent.

    Derived in chapter 1.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
           2nd ed., 2006, Theorem 11.7.1 (Neyman-Pearson) and Theorem 11.8.3.

    Examples
    --------
    >>> from klnotes.hypothesis_testing import bernoulli_lr_test
    >>> t = bernoulli_lr_test(0.6, 0.3, 100, alpha=0.05)
    >>> t.threshold, round(t.alpha, 4), round(-t.log_beta / 100, 4)
    (52, 0.0423, 0.1255)
    """
    p, q, a = (
        check_scalar(
            v,
            name,
            low=0.0,
            low_inclusive=False,
            high=1.0,
            high_inclusive=False,
        )
        for v, name in ((p, "p"), (q, "q"), (alpha, "alpha"))
    )
    if p == q:
        raise ValueError(f"p and q must differ; got p = q = {p!r}")
    n = check_int(n, "n", low=1)
    flip = p < q  # count zeros instead of ones: then p > q
    if flip:
        p, q = 1.0 - p, 1.0 - q
    k = np.arange(n + 1)
    # P(K < t) for t = 0..n+1; the largest t with P(K < t) <= alpha
    cdf_below = np.concatenate(([0.0], np.cumsum(stats.binom.pmf(k, n, p))))
    t = int(np.flatnonzero(cdf_below <= a)[-1])
    alpha_n = float(cdf_below[t])
    if t > n:  # accept P never: beta = 0
        log_beta = -np.inf
    else:
        log_beta = float(special.logsumexp(stats.binom.logpmf(k[t:], n, q)))
    return BernoulliTest(n - t if flip else t, alpha_n, log_beta)
