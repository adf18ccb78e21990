r"""klnotes: the helper package of the executable textbook on the KL divergence.

The promise. Every divergence here except :func:`f_divergence` is evaluated
as a sum of terms of one sign computed from exact differences of its inputs
(for the KL family the terms ``weight * psi(log ratio)`` with
``psi(u) = exp(u) - 1 - u``, :func:`expm1mx`), so that on exactly
normalised, nearly equal inputs it keeps full relative precision (within
1e-13 of the true value, true values down to 1e-30 and below, Rényi orders
from 1e-12 to 1e30; ``tests/test_near_equality_contract.py`` checks each one
against mpmath, on dyadic and on full-mantissa inputs), is never negative,
and is exactly ``0.0`` for equal inputs. Bounded divergences stay in their
range: :func:`js_divergence` in :math:`[0, \log 2]`, :func:`tv_distance`
and :func:`hellinger_sq` in :math:`[0, 1]`, each exactly at the top for
disjoint supports. The stated exceptions:

* :func:`f_divergence` is the plain generic sum ``sum q f(p/q)``: ``f`` sees
  only the rounded ratio, so its error is absolute (bound in its Notes);
* :func:`mutual_information` forms the marginals in floating point, so its
  error is about ``2 eps TV(P_XY, P_X P_Y)`` absolute;
* :func:`kl_mvn` is relative to within the condition number of ``cov_q``;
* :func:`kl_beta` and :func:`kl_dirichlet` keep the promise near equality;
  for shapes far apart their relative error is within 1e-9 when all shapes
  lie in [0.03, 1e5], and within 1e-5 over the whole range they accept,
  [1e-3, 1e8] (see their Notes);
* :func:`kl_quad` is as accurate as ``scipy.integrate.quad`` (it returns the
  error estimate, and raises instead of returning an unconverged value);
* :func:`js_normal` integrates non-negative terms by ``scipy.integrate.quad``
  at relative tolerance 1e-12 (1e-10 for standard deviations 1e5 and more
  apart; it accepts ratios up to 1e8).
* :func:`kl_logits` adds its terms by dot products (NumPy's ``einsum``, and
  BLAS matrix products for long, nearly equal inputs), whose rounding error
  grows with the number of terms added in sequence where a few terms carry
  most of a sum and thousands of others add small ones: within 1e-12 there
  (measured 1.7e-13 on 16,384 logits of which two carry the mass, 1.4e-13
  on 8,000 equal logits of which one moves by 0.4999 and the others by
  -1e-4).

Inputs in float32, float16 or another narrower float type are accepted when
they sum to 1 within a tolerance scaled to their type and length; the
numbers as given are converted exactly to float64, and the promise holds
for them.

The API. Distributions come in the order P, Q (P the reference, the first
argument of :math:`D(P \| Q)`), named ``p, q`` or with suffixes ``_p, _q``.
Every function returning nats takes ``base=None`` (``2`` for bits). ``axis``
is the axis of the outcomes, default ``-1`` (the last); note that
``scipy.stats.entropy`` defaults to ``axis=0``. ``axis`` is taken *before*
broadcasting: each input's outcomes lie along its own ``axis``, and the
remaining dimensions broadcast (scipy broadcasts first, so a 1-D ``q``
against a 2-D ``p`` with ``axis=0`` means different things):

>>> import numpy as np
>>> from scipy import stats
>>> from klnotes import kl_discrete
>>> p = np.array([[0.5, 0.1], [0.5, 0.9]])   # two distributions, in columns
>>> q = [0.25, 0.75]                          # one distribution
>>> kl_discrete(p, q, axis=0)                 # each column of p against q
array([0.14384104, 0.07246033])
>>> stats.entropy(p, q, axis=0)   # q broadcast to rows first, renormalised
array([0.        , 0.36806421])

Reductions take ``keepdims``. Results are NumPy scalars for one pair and
arrays for batches (:func:`kl_quad`: a named pair, :class:`QuadResult`).
Bad input raises ``ValueError`` naming the argument; a wrong type raises
``TypeError`` and an axis out of range ``numpy.exceptions.AxisError``, as
in NumPy (both also ``ValueError``\ s).

Teaching models and helpers (public, stable for the book; not the core):
``klnotes.estimators`` (Schulman's k1, k2, k3),
``klnotes.hypothesis_testing``, ``klnotes.models.vae``,
``klnotes.models.ppo``, ``klnotes.models.bandit``. Figures (extra
``plot``): ``klnotes.plotting``. Test oracles (extra ``testing``):
``klnotes.testing``.
"""

from ._dirichlet import kl_dirichlet
from ._f_divergences import (
    chi2_divergence,
    f_divergence,
    hellinger_sq,
    tv_distance,
)
from ._jensen_shannon import js_distance, js_divergence, js_normal
from ._kl import (
    cross_entropy,
    entropy,
    jeffreys_divergence,
    kl_discrete,
    kl_logits,
    mutual_information,
)
from ._parametric import kl_beta, kl_mvn, kl_normal, kl_std_normal
from ._psi import expm1mx
from ._quadrature import QuadResult, kl_quad, mixture_logpdf
from ._renyi import renyi_divergence

#: The public API by family, in the order the API page (book/api.md) shows
#: it: the one table that ``__all__`` follows and that the API page and the
#: tests (``tests/public_calls.py``) are checked against.
FAMILIES: dict[str, tuple[str, ...]] = {
    "Discrete distributions": (
        "kl_discrete",
        "kl_logits",
        "entropy",
        "cross_entropy",
        "jeffreys_divergence",
        "js_divergence",
        "js_distance",
        "tv_distance",
        "mutual_information",
    ),
    "Parametric families (closed forms)": (
        "kl_normal",
        "kl_mvn",
        "kl_std_normal",
        "kl_beta",
        "kl_dirichlet",
    ),
    "Other divergences of discrete distributions": (
        "f_divergence",
        "renyi_divergence",
        "hellinger_sq",
        "chi2_divergence",
    ),
    "One-dimensional densities": (
        "mixture_logpdf",
        "kl_quad",
        "QuadResult",
        "js_normal",
    ),
    "The numerical spine": ("expm1mx",),
}

__all__ = [  # FAMILIES in order (the tests check it)
    "kl_discrete",
    "kl_logits",
    "entropy",
    "cross_entropy",
    "jeffreys_divergence",
    "js_divergence",
    "js_distance",
    "tv_distance",
    "mutual_information",
    "kl_normal",
    "kl_mvn",
    "kl_std_normal",
    "kl_beta",
    "kl_dirichlet",
    "f_divergence",
    "renyi_divergence",
    "hellinger_sq",
    "chi2_divergence",
    "mixture_logpdf",
    "kl_quad",
    "QuadResult",
    "js_normal",
    "expm1mx",
]

__version__ = "0.6.3"
