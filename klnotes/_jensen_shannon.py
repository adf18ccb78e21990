"""The Jensen-Shannon family: the divergence of discrete distributions,
its square root (a metric), and the divergence between two univariate
normals, by quadrature."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate

from ._docs import fill
from ._f_divergences import _clip_disjoint
from ._psi import _blocked, _js_terms
from ._validation import (
    Result,
    as_float_array,
    check_finite,
    check_positive,
    in_base,
    log_base,
    pair,
    reduced,
    scalar_or_array,
    to_base,
)

__all__ = ["js_distance", "js_divergence", "js_normal"]

_LOG2 = math.log(2.0)


@fill
def js_divergence(
    p: ArrayLike,
    q: ArrayLike,
    *,
    axis: int = -1,
    base: float | None = None,
    keepdims: bool = False,
) -> Result:
    r"""Jensen-Shannon divergence :math:`\tfrac12 D(P \| M) + \tfrac12 D(Q \| M)`, :math:`M = \tfrac12(P + Q)`.

    Parameters
    ----------
    %(p_q)s
    %(axis)s
    %(base)s
    %(keepdims)s

    Returns
    -------
    js : numpy.float64 or ndarray
        Symmetric in `p` and `q`, :math:`0 \le JS \le \log 2` (1 bit), with
        :math:`\log 2` exactly when the supports are disjoint; finite always.

    Raises
    ------
    %(raises_pair)s

    See Also
    --------
    js_distance : its square root, a metric.
    js_normal : between two normals.
    kl_discrete : each half.

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
    return reduced(in_base(js, lb), axis, keepdims)


#: Largest ratio of the standard deviations accepted (and tested).
_MAX_RATIO = 1e8

#: Relative tolerances asked of quad, in turn: 1e-12, and 1e-10 where
#: rounding stops it short of that (standard deviations 1e5 apart and more).
_RTOLS = (1e-12, 1e-10)


def _psi_scalar(u: float) -> float:
    """psi(u) = e^u - 1 - u for a Python float (Taylor series near 0)."""
    if abs(u) < 0.25:
        # sum_{k>=2} u^k/k!; 14 terms reach 0.25^16/16! < 1e-22 relative
        term, total = u * u / 2.0, 0.0
        for k in range(3, 18):
            total += term
            term *= u / k
        return total
    return math.expm1(u) - u


def _half_term(lp: float, lo: float, d: float) -> float:
    """p * psi(log(m/p)) with m = (p + o)/2, from log p, log o and
    d = log o - log p (taken more exactly than ``lo - lp``).

    This is the integrand of D(P || M) written as p log(p/m) - p + m, a
    non-negative quantity that integrates to D(P || M) because m - p
    integrates to 0.
    """
    if lp == -math.inf:
        return 0.0
    if d < 700.0:
        v = math.log1p(0.5 * math.expm1(d))  # log(m/p), exact near d = 0
    else:
        v = d - _LOG2 + math.log1p(math.exp(-d))
    if v <= 1.0:
        return math.exp(lp) * _psi_scalar(v)
    # m/p = e^v > e: p psi(v) = m - p (1 + v), which loses at most a factor
    # e / (e - 2) < 4; m from the two densities, not from lp + v, whose
    # rounding is that of the large v
    p = math.exp(lp)
    return 0.5 * (p + math.exp(lo)) - p * (1.0 + v)


def _quad(
    integrand: Callable[[float], float],
    lower: float,
    upper: float,
    points: list[float],
    delta: float,
    rho: float,
) -> float:
    """quad at relative tolerance 1e-12, else 1e-10, else ValueError."""
    reason = ""
    for rtol in _RTOLS:
        with warnings.catch_warnings():
            warnings.simplefilter("error", integrate.IntegrationWarning)
            try:
                val, _ = integrate.quad(
                    integrand,
                    lower,
                    upper,
                    points=points,
                    limit=500,
                    epsabs=0.0,
                    epsrel=rtol,
                )
                return float(val)
            except integrate.IntegrationWarning as exc:
                reason = str(exc).split(".")[0].strip()
    raise ValueError(
        "js_normal: quadrature did not reach relative tolerance "
        f"{_RTOLS[-1]:g} for the standardised pair delta = {delta!r}, "
        f"rho = {rho!r} ({reason})"
    )


def _js_normal_scalar(
    mu_p: float, sigma_p: float, mu_q: float, sigma_q: float
) -> float:
    if mu_p == mu_q and sigma_p == sigma_q:
        return 0.0
    # canonical order, so that JS(P, Q) and JS(Q, P) run the same arithmetic:
    # the narrower first (quad is accurate with the wider one scaled up)
    if (sigma_q, mu_q) < (sigma_p, mu_p):
        mu_p, sigma_p, mu_q, sigma_q = mu_q, sigma_q, mu_p, sigma_p
    # JS is invariant under x -> (x - mu_p) / sigma_p: integrate JS(N(0, 1),
    # N(delta, rho^2)), whatever the location and scale of the pair. The
    # differences are taken before the division, exact when P is near Q.
    delta = (mu_q - mu_p) / sigma_p
    drho = (sigma_q - sigma_p) / sigma_p  # rho - 1
    rho = sigma_q / sigma_p
    if not 1.0 / _MAX_RATIO <= rho <= _MAX_RATIO:
        raise ValueError(
            f"sigma_p and sigma_q must be within a factor {_MAX_RATIO:g} of "
            f"each other (quadrature tested there); got sigma_p = "
            f"{sigma_p!r}, sigma_q = {sigma_q!r}"
        )
    if not math.isfinite(delta):
        raise ValueError(
            "js_normal: (mu_q - mu_p) / sigma_p overflows; got "
            f"mu_p = {mu_p!r}, sigma_p = {sigma_p!r}, mu_q = {mu_q!r}"
        )
    log_rho = math.log1p(drho)  # log(sigma_q / sigma_p)
    half_log_2pi = 0.5 * math.log(2.0 * math.pi)

    def integrand(x: float) -> float:
        zq = (x - delta) / rho
        lp = -0.5 * x * x - half_log_2pi
        lq = -0.5 * zq * zq - log_rho - half_log_2pi
        # x - zq from the parameter differences, exact when P is near Q
        dz = (x * drho + delta) / rho
        d = -log_rho + 0.5 * dz * (x + zq)  # log q - log p
        return 0.5 * (_half_term(lp, lq, d) + _half_term(lq, lp, -d))

    # Outside the windows mean +- 40 sd both densities are below exp(-800);
    # windows that overlap are merged, far-apart ones integrated apart.
    windows = sorted([(-40.0, 40.0), (delta - 40.0 * rho, delta + 40.0 * rho)])
    if windows[1][0] <= windows[0][1]:
        windows = [(windows[0][0], max(windows[0][1], windows[1][1]))]
    points = {0.5 * delta}
    for mu, sd in ((0.0, 1.0), (delta, rho)):
        for k in (-5.0, -1.0, 0.0, 1.0, 5.0):
            points.add(mu + k * sd)
    # scales in between, for standard deviations far apart
    step = 4.0
    while step < rho:
        points.update((-step, step, delta - step, delta + step))
        step *= 4.0
    val = 0.0
    for lower, upper in windows:
        inside = sorted(x for x in points if lower < x < upper)
        val += _quad(integrand, lower, upper, inside, delta, rho)
    if math.isnan(val):
        raise ValueError(
            f"js_normal: the quadrature gave NaN (delta = {delta!r}, "
            f"rho = {rho!r})"
        )
    return min(max(val, 0.0), _LOG2)


def js_normal(
    mu_p: ArrayLike,
    sigma_p: ArrayLike,
    mu_q: ArrayLike,
    sigma_q: ArrayLike,
    *,
    base: float | None = None,
) -> Result:
    r"""Jensen-Shannon divergence between two univariate normals, by quadrature.

    :math:`\mathrm{JS}(P, Q) = \tfrac12 D(P \| M) + \tfrac12 D(Q \| M)` with
    :math:`P = \mathcal N(\mu_p, \sigma_p^2)`, :math:`Q = \mathcal N(\mu_q,
    \sigma_q^2)` and the mixture :math:`M = \tfrac12(P + Q)`, which has no
    closed form.

    Parameters
    ----------
    mu_p, sigma_p : array_like
        Mean and standard deviation (not variance) of P; `sigma_p` > 0.
    mu_q, sigma_q : array_like
        Mean and standard deviation of Q. All four arguments broadcast
        against each other.
    base : float or None, keyword-only
        ``None`` for nats (default), ``2`` for bits.

    Returns
    -------
    js : numpy.float64 or ndarray
        Symmetric in P and Q, in :math:`[0, \log 2]`, and exactly ``0.0``
        when the parameters are equal.

    Raises
    ------
    ValueError
        If a mean is not finite, a standard deviation is not finite and
        > 0, the standard deviations are more than a factor ``1e8`` apart,
        the arguments do not broadcast, or `base` is invalid; if the
        quadrature does not converge (not seen in the tests).

    See Also
    --------
    js_divergence : discrete distributions.
    kl_normal : the KL closed form.

    Notes
    -----
    The integrand is written as a sum of non-negative terms,

    .. math:: \tfrac12\bigl[p\,\psi(\log(m/p)) + q\,\psi(\log(m/q))\bigr],
              \qquad \psi(u) = e^u - 1 - u,

    which integrates to JS because :math:`\int (m - p) = \int (m - q) = 0`.
    The logarithm :math:`\log(m/p)`, which equals
    :math:`\log(1 + \tfrac12\operatorname{expm1}(\log q - \log p))`, is formed from the difference of the two log-densities, taken in
    closed form, so nothing cancels when P and Q are close.

    JS is invariant under the affine map :math:`x \mapsto (x - \mu)/\sigma`
    of the narrower distribution, so the integral is taken for
    :math:`\mathcal N(0, 1)` against :math:`\mathcal N(\delta, \rho^2)`,
    :math:`\delta = (\mu_q - \mu_p)/\sigma_p`, :math:`\rho =
    \sigma_q/\sigma_p` (or with the roles exchanged), whatever the location
    and scale of the pair. It runs over each mean :math:`\pm 40` standard
    deviations (the densities are below :math:`e^{-800}` outside; windows
    far apart are integrated apart) with ``scipy.integrate.quad`` at
    relative tolerance ``1e-12`` (``1e-10`` where rounding stops quad short
    of that, else ``ValueError``); the tests compare it with mpmath
    quadrature, standard deviations up to :math:`10^6` apart. The result is
    clipped to :math:`[0, \log 2]`, the range of JS.

    Derived in chapter 7.

    References
    ----------
    .. [1] J. Lin, "Divergence measures based on the Shannon entropy",
           IEEE Trans. Inf. Theory 37(1), 1991, eq. (4.1).

    Examples
    --------
    >>> from klnotes import js_normal
    >>> print(f"{js_normal(0.0, 1.0, 2.0, 1.0):.10f}")
    0.3368308203
    >>> float(js_normal(0.0, 1.0, 0.0, 1.0))
    0.0
    >>> print(f"{js_normal(0.0, 1.0, 40.0, 1.0, base=2):.6f}")  # far apart
    1.000000
    """
    log_base(base)
    arrays = []
    for value, name in (
        (mu_p, "mu_p"),
        (sigma_p, "sigma_p"),
        (mu_q, "mu_q"),
        (sigma_q, "sigma_q"),
    ):
        arr = as_float_array(value, name)
        check_finite(arr, name)
        if name.startswith("sigma"):
            check_positive(arr, name)
        arrays.append(arr)
    try:
        mp, sp, mq, sq = np.broadcast_arrays(*arrays)
    except ValueError as exc:
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise ValueError(
            "mu_p, sigma_p, mu_q and sigma_q must broadcast together; "
            f"got shapes {shapes}"
        ) from exc
    out = np.empty(mp.shape, dtype=np.float64)
    for idx in np.ndindex(mp.shape):
        out[idx] = _js_normal_scalar(
            float(mp[idx]), float(sp[idx]), float(mq[idx]), float(sq[idx])
        )
    return scalar_or_array(to_base(out, base))


@fill
def js_distance(
    p: ArrayLike,
    q: ArrayLike,
    *,
    axis: int = -1,
    base: float | None = None,
    keepdims: bool = False,
) -> Result:
    r"""Jensen-Shannon distance :math:`\sqrt{\mathrm{JS}(P, Q)}`, a metric.

    Parameters
    ----------
    %(p_q)s
    %(axis)s
    base : float or None, keyword-only
        Logarithm base of the divergence under the root: ``None`` (default)
        for nats, ``2`` for bits (then the distance is in :math:`[0, 1]`).
    %(keepdims)s

    Returns
    -------
    d : numpy.float64 or ndarray
        In :math:`[0, \sqrt{\log 2}]` (:math:`[0, 1]` with ``base=2``),
        symmetric, exactly ``0.0`` for equal inputs and exactly the upper
        end for disjoint supports; it satisfies the triangle inequality.

    Raises
    ------
    %(raises_pair)s

    See Also
    --------
    js_divergence : its square.

    Notes
    -----
    The square root of :func:`js_divergence`, which keeps full relative
    precision near equality, so the distance does too (the root halves the
    relative error). Endres and Schindelin [1]_ proved it a metric.
    ``scipy.spatial.distance.jensenshannon`` computes the same distance
    after renormalising its inputs; klnotes does not renormalise.

    References
    ----------
    .. [1] D. M. Endres and J. E. Schindelin, "A new metric for probability
           distributions", IEEE Trans. Inf. Theory 49(7), 2003.

    Examples
    --------
    >>> from klnotes import js_distance
    >>> float(js_distance([1.0, 0.0], [0.0, 1.0], base=2))
    1.0
    >>> print(f"{js_distance([0.5, 0.5], [0.9, 0.1], base=2):.12f}")
    0.383135879860
    """
    js = js_divergence(p, q, axis=axis, base=base, keepdims=keepdims)
    return scalar_or_array(np.sqrt(js))
