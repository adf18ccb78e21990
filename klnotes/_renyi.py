"""The Renyi divergence of discrete distributions, of every order
0 <= alpha <= inf, as a sum of terms of one sign (see its Notes)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from ._docs import fill
from ._kl import _dot_last, kl_discrete
from ._psi import _blocked, _horner, _n_terms, _psi
from ._validation import (
    Result,
    check_scalar,
    in_base,
    log_base,
    pair,
    reduced,
)

__all__ = ["renyi_divergence"]


@fill
def renyi_divergence(
    p: ArrayLike,
    q: ArrayLike,
    alpha: float,
    *,
    axis: int = -1,
    base: float | None = None,
    keepdims: bool = False,
) -> Result:
    r"""Rényi divergence of order :math:`\alpha`.

    .. math:: D_\alpha(P\|Q) = \frac{1}{\alpha - 1}
              \log\sum_i p_i^\alpha q_i^{1-\alpha}

    Parameters
    ----------
    %(p_q)s
    alpha : float
        Order, :math:`0 \le \alpha \le \infty`. ``1`` gives
        :func:`kl_discrete`; ``inf`` gives :math:`\log\max_i p_i/q_i`; ``0``
        gives :math:`-\log Q(\operatorname{supp} P)`.
    %(axis)s
    %(base)s
    %(keepdims)s

    Returns
    -------
    d : numpy.float64 or ndarray
        :math:`\ge 0`, exactly ``0.0`` for equal inputs, non-decreasing in
        :math:`\alpha`; ``inf`` for :math:`\alpha > 1` when some
        :math:`q_i = 0 < p_i`.

    Raises
    ------
    %(raises_pair)s
    ValueError
        If `alpha` is negative or NaN (``TypeError`` if it is not a real
        number).

    See Also
    --------
    kl_discrete : order 1.
    chi2_divergence : order 2 is log(1 + chi^2).

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
        kl = kl_discrete(p_arr, q_arr, axis=-1, base=base)
        return reduced(kl, axis, keepdims)
    supp = p_arr > 0
    outside = np.sum(np.where(supp, 0.0, q_arr), axis=-1)  # Q off supp P
    if alpha == 0.0:
        with np.errstate(divide="ignore"):
            # + 0.0: -log1p(-0.0) is -0.0
            d0 = in_base(-np.log1p(-outside), lb) + 0.0
            return reduced(d0, axis, keepdims)
    log_r = _blocked(_log_ratio, p_arr, q_arr)  # log(q/p); 0 off supp P
    if alpha == math.inf:
        u = np.where(supp, -log_r, -np.inf)
        d_inf = in_base(np.max(u, axis=-1) + 0.0, lb)
        return reduced(d_inf, axis, keepdims)
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
    return reduced(in_base(d, lb) + 0.0, axis, keepdims)


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
