"""Divergences between one-dimensional densities, by quadrature, and the
Gaussian-mixture log-density that chapter 3 integrates."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple, cast

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate, special

from ._validation import (
    ArgumentTypeError,
    Result,
    as_float_array,
    as_probabilities,
    check_finite,
    check_positive,
    log_base,
    scalar_or_array,
)

__all__ = ["QuadResult", "kl_quad", "mixture_logpdf"]


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

    See Also
    --------
    kl_quad : integrates it.

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


class QuadResult(NamedTuple):
    """What :func:`kl_quad` returns; unpacks as ``kl, abserr``."""

    #: The divergence (``inf`` when P has mass where Q has none).
    kl: np.float64
    #: ``scipy.integrate.quad``'s estimate of the absolute error (0 for inf).
    abserr: np.float64


def _support(density: object) -> tuple[float, float] | None:
    """``(lo, hi)`` of a frozen scipy distribution, of the one a bound
    ``logpdf`` method belongs to, or None when the argument does not say."""
    owner = getattr(density, "__self__", density)
    support = getattr(owner, "support", None)
    if not callable(support):
        return None
    try:
        lo, hi = (float(v) for v in support())
    except (TypeError, ValueError):
        return None
    return (lo, hi) if lo < hi else None


def _as_logpdf(density: object, name: str) -> Callable[[float], float]:
    """The log-density callable of ``density`` (a callable or an object
    with a ``logpdf`` method, such as a frozen scipy distribution)."""
    if callable(density):
        return cast(Callable[[float], float], density)
    logpdf = getattr(density, "logpdf", None)
    if callable(logpdf):
        return cast(Callable[[float], float], logpdf)
    raise ArgumentTypeError(
        f"{name} must be a callable log-density or an object with a logpdf "
        f"method (a frozen scipy.stats distribution); got {density!r:.80}"
    )


#: Largest |integral of p - 1| accepted over the integration range.
_MASS_TOL = 1e-6


def _density(f_p: Callable[[float], float], x: float) -> float:
    with np.errstate(all="ignore"):
        lp = float(f_p(x))
    return math.exp(lp) if lp < 710.0 else math.inf


class _NoMassInQ(Exception):
    """P has positive density at ``x`` where Q's is 0: D(P || Q) = inf."""


def kl_quad(
    logpdf_p: Callable[[float], float] | Any,
    logpdf_q: Callable[[float], float] | Any,
    *,
    lower: float = -np.inf,
    upper: float = np.inf,
    points: ArrayLike | None = None,
    base: float | None = None,
) -> QuadResult:
    r""":math:`D(P \| Q) = \int p \,(\log p - \log q)` for 1-D densities, by adaptive quadrature.

    Parameters
    ----------
    logpdf_p, logpdf_q : callable or frozen distribution
        Log-densities of P and Q, ``float -> float``, or objects with a
        ``logpdf`` method. If an argument is a frozen ``scipy.stats``
        distribution or its bound ``logpdf`` method, its ``support()`` is
        used (see Notes).
    lower, upper : float, keyword-only
        Integration limits (may be infinite); P should have negligible mass
        outside. Narrowed to P's support when P gives one.
    points : array_like, optional, keyword-only
        Break points inside a finite interval where the integrand changes quickly
        (for example the modes of a mixture); passed to ``scipy.integrate.quad``.
    base : float or None, keyword-only
        ``None`` (default) for nats, ``2`` for bits (both values converted).

    Returns
    -------
    result : QuadResult
        A named tuple ``(kl, abserr)`` of ``numpy.float64``: the divergence
        and quad's estimate of its absolute error. ``kl`` is ``inf`` (with
        ``abserr`` 0) when P puts mass where Q has none.

    Raises
    ------
    ValueError
        If ``lower >= upper`` (after narrowing to P's support), `points` is
        given with an infinite limit, P's density does not integrate to 1
        within ``1e-6`` over the range (its mass lies partly outside, or quad
        missed it: give the limits), or quad
        does not converge (the message says why; a divergent integral, that
        is :math:`D = \infty` from heavy tails, is one cause).
    TypeError
        If a density is neither callable nor has a ``logpdf`` method.

    See Also
    --------
    kl_normal, kl_beta : closed forms to check the quadrature against.
    js_normal : Jensen-Shannon between normals, by quadrature.

    Notes
    -----
    The integrand is evaluated as :math:`e^{\log p}(\log p - \log q)` and
    set to 0 wherever :math:`p` is 0 or underflows to 0 (the convention
    :math:`0 \log(0/q) = 0`, also when :math:`\log q` is ``-inf`` there).

    :math:`D(P \| Q) = \infty` when P puts mass where Q has none. It is
    found from the supports, when both densities give one (P's support not
    inside Q's), or from the densities: a point where :math:`p > 0` and
    :math:`\log q = -\infty` ends the integration with ``inf``. (A
    `logpdf_q` that returns ``-inf`` inside Q's support by overflow where
    :math:`p > 0` is an error, not an infinite divergence.)

    An integral that ``scipy.integrate.quad`` cannot bring to its tolerance
    raises ``ValueError`` with quad's reason, instead of a number and a
    warning; heavy-tailed P against light-tailed Q (Pareto against
    exponential) is the usual cause, and there :math:`D = \infty`.

    Examples
    --------
    >>> from scipy import stats
    >>> from klnotes import kl_quad, kl_normal
    >>> val, err = kl_quad(stats.norm(0, 1).logpdf, stats.norm(1, 2).logpdf)
    >>> print(f"{val:.12f} {kl_normal(0.0, 1.0, 1.0, 2.0):.12f}")
    0.443147180560 0.443147180560
    >>> kl_quad(stats.norm(0, 1), stats.beta(2, 2)).kl   # Q misses mass
    np.float64(inf)
    """
    lb = log_base(base)
    f_p = _as_logpdf(logpdf_p, "logpdf_p")
    f_q = _as_logpdf(logpdf_q, "logpdf_q")
    lower, upper = float(lower), float(upper)
    if not lower < upper:
        raise ValueError(
            f"lower must be < upper; got lower={lower!r}, upper={upper!r}"
        )
    supp_p, supp_q = _support(logpdf_p), _support(logpdf_q)
    if supp_p is not None:
        lower, upper = max(lower, supp_p[0]), min(upper, supp_p[1])
        if not lower < upper:
            raise ValueError(
                f"the limits leave no part of P's support {supp_p}; "
                f"got lower={lower!r}, upper={upper!r}"
            )
        if supp_q is not None and not (
            supp_q[0] <= lower and upper <= supp_q[1]
        ):
            # P has positive density on (lower, upper), Q none outside supp_q
            return QuadResult(np.float64(np.inf), np.float64(0.0))
    if points is not None and not (np.isfinite(lower) and np.isfinite(upper)):
        raise ValueError(
            "points needs finite lower and upper limits (scipy.integrate.quad)"
        )

    def integrand(x: float) -> float:
        with np.errstate(all="ignore"):  # the densities' own overflows
            lp = float(f_p(x))
            p = math.exp(lp) if lp < 710.0 else math.inf
            if p == 0.0:  # p = 0 or underflowed: 0 log(0 / q) = 0
                return 0.0
            lq = float(f_q(x))
        if lq == -math.inf:
            inside_q = supp_q is not None and supp_q[0] < x < supp_q[1]
            if inside_q:
                raise ValueError(
                    f"logpdf_q returned -inf at x = {x!r}, inside Q's "
                    f"support {supp_q}, where p = {p!r} > 0: log q "
                    "overflowed; give limits where it is finite"
                )
            raise _NoMassInQ(x)
        return p * (lp - lq)

    brk = None if points is None else list(np.ravel(points))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", integrate.IntegrationWarning)
            val, err = integrate.quad(
                integrand, lower, upper, limit=500, points=brk
            )
            mass, _ = integrate.quad(
                lambda x: _density(f_p, x), lower, upper, limit=500, points=brk
            )
    except _NoMassInQ:
        return QuadResult(np.float64(np.inf), np.float64(0.0))
    except integrate.IntegrationWarning as exc:
        raise ValueError(
            "kl_quad: scipy.integrate.quad did not converge on "
            f"[{lower!r}, {upper!r}] ({str(exc).split('.')[0].strip()}). "
            "If P has heavier tails than Q the integral diverges and "
            "D(P||Q) = inf; otherwise give finite limits or break points"
        ) from None
    if not abs(mass - 1.0) <= _MASS_TOL:
        raise ValueError(
            f"P's density integrates to {mass!r} over [{lower!r}, {upper!r}], "
            f"not 1 (tolerance {_MASS_TOL:g}): P's mass lies (partly) outside "
            "the limits, quad missed it (give lower and upper around it, or "
            "pass a frozen scipy.stats distribution), or logpdf_p is not "
            "normalised"
        )
    if not math.isfinite(val):
        raise ValueError(
            f"kl_quad: the integral is {val!r} (the integrand is not "
            "finite somewhere in the range)"
        )
    scale = 1.0 if lb is None else lb
    return QuadResult(np.float64(val / scale), np.float64(err / scale))
