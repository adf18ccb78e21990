"""Sample-based estimators of a KL divergence from log-ratios (Schulman's k1, k2, k3).

All three take ``log_ratio = log p(x) - log q(x)`` evaluated at samples ``x ~ q`` and
return one value per sample; their average estimates :math:`D(Q \\| P)` (note the
direction: the expectation is under the sampling distribution ``q``). With
``r = p(x)/q(x)``:

* ``k1 = -log r``: unbiased, individual values often negative;
* ``k2 = (log r)^2 / 2``: biased (second-order accurate when ``p ≈ q``), never
  negative;
* ``k3 = (r - 1) - log r = psi(log r)``: unbiased when ``E_q[r] = 1`` (that is, when
  ``P`` is absolutely continuous with respect to ``Q``), never negative.

Their variances depend on how far apart ``P`` and ``Q`` are. When
``p = q (1 + kappa h)`` with ``h`` bounded and ``E_q[h] = 0``, ``Var(k1) = kappa^2
E_q[h^2] + O(kappa^3)`` while ``Var(k2)`` and ``Var(k3)`` are ``O(kappa^4)``: near
``Q``, k2 and k3 have far lower variance than k1. Far from ``Q`` they need not:
``Var(k3) - Var(k1) = chi^2(P||Q) - 2 (D(P||Q) + D(Q||P))``, which is positive for
``q = N(0, 1)``, ``p = N(mu, 1)`` once ``mu > 1.121``; ``Var(k3)`` is even infinite
for ``q = N(0, 1)``, ``p = N(0, sigma^2)`` with ``sigma^2 >= 2``. In the location
family, ``Var(k2) = mu^4/2 + mu^6/4`` exceeds ``Var(k1) = mu^2`` once
``mu > 1.112``.

Derived in chapter 6.

References
----------
.. [1] J. Schulman, "Approximating KL Divergence", 2020, http://joschu.net/blog/kl-approx.html
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._psi import psi_checked
from ._validation import Result, as_float_array, first_index, scalar_or_array

__all__ = ["k1", "k2", "k3"]


def _log_ratio(log_ratio: ArrayLike) -> NDArray[np.float64]:
    arr = as_float_array(log_ratio, "log_ratio")
    if np.isnan(arr).any():
        raise ValueError(
            "log_ratio must not contain NaN; found NaN at index "
            f"{first_index(np.isnan(arr))}"
        )
    return arr


def k1(log_ratio: ArrayLike) -> Result:
    r"""Per-sample estimator :math:`k_1 = -\log r`, unbiased for :math:`D(Q\|P)`.

    Parameters
    ----------
    log_ratio : array_like
        :math:`\log p(x) - \log q(x)` at samples :math:`x \sim q`; no NaN.

    Returns
    -------
    k1 : numpy.float64 or ndarray
        One value per sample. Individual values are negative wherever
        :math:`p(x) > q(x)`; only their mean estimates the divergence.

    Raises
    ------
    ValueError
        If `log_ratio` contains NaN or is not numeric.

    Notes
    -----
    :math:`\mathbb E_q[-\log r] = \mathbb E_q[\log q - \log p]`, which is :math:`D(Q\|P)`.

    Examples
    --------
    >>> from klnotes.estimators import k1
    >>> k1([0.5, -0.5])
    array([-0.5,  0.5])
    """
    return scalar_or_array(-_log_ratio(log_ratio))


def k2(log_ratio: ArrayLike) -> Result:
    r"""Per-sample estimator :math:`k_2 = \tfrac12 (\log r)^2`: biased, never negative.

    Parameters
    ----------
    log_ratio : array_like
        :math:`\log p(x) - \log q(x)` at samples :math:`x \sim q`; no NaN.

    Returns
    -------
    k2 : numpy.float64 or ndarray
        One non-negative value per sample.

    Raises
    ------
    ValueError
        If `log_ratio` contains NaN or is not numeric.

    Notes
    -----
    :math:`\mathbb E_q[k_2] = \mathbb E_q[f(r)]` with
    :math:`f(r) = \tfrac12(\log r)^2`, which has the form of an f-divergence but is
    not one in the strict sense (:math:`f` is convex only for :math:`r \le e`). It
    agrees with :math:`D(Q\|P)` to second order as :math:`P \to Q`; the bias is
    of third order. Its variance is of fourth order as :math:`P \to Q`, against
    second order for :math:`k_1`, but not small in general (see the module
    docstring). For :math:`q = \mathcal N(0,1)`, :math:`p = \mathcal N(\mu, 1)` it
    is exactly :math:`\mu^4/8` (chapter 6).

    Examples
    --------
    >>> from klnotes.estimators import k2
    >>> k2([0.5, -0.5])
    array([0.125, 0.125])
    """
    lr = _log_ratio(log_ratio)
    return scalar_or_array(0.5 * lr * lr)


def k3(log_ratio: ArrayLike) -> Result:
    r"""Per-sample estimator :math:`k_3 = (r - 1) - \log r = \psi(\log r)`: unbiased, never negative.

    Parameters
    ----------
    log_ratio : array_like
        :math:`\log p(x) - \log q(x)` at samples :math:`x \sim q`; no NaN.
        ``+inf`` gives ``inf``.

    Returns
    -------
    k3 : numpy.float64 or ndarray
        One value :math:`\ge 0` per sample, evaluated with :func:`klnotes.expm1mx`
        (accurate for small log-ratios, where :math:`r - 1 - \log r` cancels).

    Raises
    ------
    ValueError
        If `log_ratio` contains NaN or is not numeric.

    Notes
    -----
    :math:`\mathbb E_q[r] = \int_{q > 0} p = 1` when :math:`P \ll Q`, so

    .. math:: \mathbb E_q[k_3] &= \mathbb E_q[r] - 1 + \mathbb E_q[-\log r] \\
              &= D(Q\|P).

    It is :math:`k_1` plus the control variate :math:`r - 1`, which has mean zero.

    Examples
    --------
    >>> from klnotes.estimators import k3
    >>> k3([0.0, 1e-9])
    array([0.e+00, 5.e-19])
    """
    return psi_checked(as_float_array(log_ratio, "log_ratio"), "log_ratio")
