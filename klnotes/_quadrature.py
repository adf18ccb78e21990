"""Divergences between one-dimensional densities, by quadrature, and the
Gaussian-mixture log-density that chapter 3 integrates."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate, special

from ._validation import (
    Result,
    as_float_array,
    as_probabilities,
    check_finite,
    check_positive,
    log_base,
    scalar_or_array,
)

__all__ = ["mixture_logpdf", "kl_quad"]


def mixture_logpdf(
    x: ArrayLike, weights: ArrayLike, means: ArrayLike, sigmas: ArrayLike
) -> Result:
    r"""Log-density of a 1-D Gaussian mixture
    :math:`\sum_k w_k \mathcal N(\mu_k, \sigma_k^2)`.

    Parameters
    ----------
    x : array_like
        Points at which to evaluate.
    weights : array_like, shape (K,)
        Mixture weights: finite, :math:`\ge 0`, summing to 1 within ``1e-9``.
    means, sigmas : array_like, shape (K,)
        Component means (finite) and standard deviations (finite, > 0).

    Returns
    -------
    logpdf : numpy.float64 or ndarray
        :math:`\log p(x)`, with the shape of `x`; finite for all finite `x`
        (computed with log-sum-exp, so far tails do not underflow to ``-inf``).

    Raises
    ------
    ValueError
        If the weights are not a probability vector, a mean or a standard deviation
        is not finite, a standard deviation is not positive, or the three component
        arrays differ in length.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes import mixture_logpdf
    >>> float(np.exp(mixture_logpdf(0.0, [0.5, 0.5], [-1.0, 1.0], [1.0, 1.0])))  # = N(1; 0, 1)
    0.24197072451914337
    >>> float(mixture_logpdf(-60.0, [0.5, 0.5], [-1.0, 1.0], [1.0, 1.0]))  # no underflow
    -1742.1120857137646
    """
    w, _ = as_probabilities(weights, "weights", -1)
    mu = as_float_array(means, "means")
    sd = as_float_array(sigmas, "sigmas")
    if not (
        w.ndim == mu.ndim == sd.ndim == 1 and w.shape == mu.shape == sd.shape
    ):
        raise ValueError(
            "weights, means and sigmas must be 1-D of the same length; "
            f"got shapes {w.shape}, {mu.shape} and {sd.shape}"
        )
    check_finite(mu, "means")
    check_finite(sd, "sigmas")
    check_positive(sd, "sigmas")
    xa = as_float_array(x, "x")
    z = (xa[..., None] - mu) / sd
    with np.errstate(divide="ignore"):
        log_comp = (
            np.log(w) - np.log(sd) - 0.5 * np.log(2 * np.pi) - 0.5 * z * z
        )
    return scalar_or_array(np.asarray(special.logsumexp(log_comp, axis=-1)))


def kl_quad(
    logpdf_p: Callable[[float], float],
    logpdf_q: Callable[[float], float],
    *,
    lower: float = -np.inf,
    upper: float = np.inf,
    points: ArrayLike | None = None,
    base: float | None = None,
) -> tuple[np.float64, np.float64]:
    r""":math:`D(P \| Q) = \int p \,(\log p - \log q)` for 1-D densities, by adaptive quadrature.

    Parameters
    ----------
    logpdf_p, logpdf_q : callable
        Log-densities of P and Q, ``float -> float``.
    lower, upper : float, keyword-only
        Integration limits (may be infinite); P should have negligible mass outside.
    points : array_like, optional, keyword-only
        Break points inside a finite interval where the integrand changes quickly
        (for example the modes of a mixture); passed to ``scipy.integrate.quad``.
    base : float or None, keyword-only
        ``None`` (default) for nats, ``2`` for bits (both values converted).

    Returns
    -------
    kl, abserr : numpy.float64
        The divergence and quad's estimate of its absolute error.

    Raises
    ------
    ValueError
        If ``lower >= upper``, or `points` is given with an infinite limit.

    Notes
    -----
    The integrand is evaluated as :math:`e^{\log p}(\log p - \log q)` and set to 0
    where :math:`p` underflows to 0, the convention :math:`0 \log(0/q) = 0`.

    Examples
    --------
    >>> from scipy import stats
    >>> from klnotes import kl_quad, kl_normal
    >>> val, err = kl_quad(stats.norm(0, 1).logpdf, stats.norm(1, 2).logpdf)
    >>> print(f"{val:.12f} {kl_normal(0.0, 1.0, 1.0, 2.0):.12f}")
    0.443147180560 0.443147180560
    """
    lb = log_base(base)
    if not lower < upper:
        raise ValueError(
            f"lower must be < upper; got lower={lower!r}, upper={upper!r}"
        )
    if points is not None and not (np.isfinite(lower) and np.isfinite(upper)):
        raise ValueError(
            "points needs finite lower and upper limits (scipy.integrate.quad)"
        )

    def integrand(x: float) -> float:
        lp = float(logpdf_p(x))
        if lp == -np.inf:
            return 0.0
        return float(np.exp(lp) * (lp - float(logpdf_q(x))))

    brk = None if points is None else list(np.ravel(points))
    val, err = integrate.quad(integrand, lower, upper, limit=500, points=brk)
    scale = 1.0 if lb is None else lb
    return np.float64(val / scale), np.float64(err / scale)
