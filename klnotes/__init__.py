r"""klnotes: the helper package of the executable textbook on the KL divergence.

The promise. Every divergence below except :func:`f_divergence` is evaluated as
a sum of terms of one sign computed from exact differences of its inputs (for
the KL family the terms ``weight * psi(log ratio)`` with
``psi(u) = exp(u) - 1 - u``, :func:`expm1mx`), so that on exactly normalised,
nearly equal inputs it keeps full relative precision (within 1e-13 of the true
value, true values down to 1e-30 and below; ``tests/test_near_equality_contract.py``
checks each one against mpmath), is never negative, and is exactly ``0.0`` for
equal inputs. The stated exceptions:

* :func:`f_divergence` is the plain generic sum ``sum q f(p/q)``: ``f`` sees
  only the rounded ratio, so its error is absolute (bound in its Notes);
* :func:`mutual_information` forms the marginals in floating point, so its
  error is about ``2 eps TV(P_XY, P_X P_Y)`` absolute;
* :func:`kl_mvn` is relative to within the condition number of ``cov_q``;
* :func:`kl_beta` keeps the promise near equality; for shapes far apart (a
  small shape paired with a large one) its relative error is within 1e-9
  when all four shapes lie in [0.03, 1e5], and larger outside that range
  (7e-7 measured for shapes from 1e-3 to 1e8; see its Notes);
* :func:`kl_quad` is as accurate as ``scipy.integrate.quad`` (it returns the
  error estimate);
* :func:`js_normal` integrates non-negative terms by ``scipy.integrate.quad``
  at relative tolerance 1e-12.

The API. Distributions come in the order P, Q (P the reference, the first
argument of :math:`D(P \| Q)`), named ``p, q`` or with suffixes ``_p, _q``.
Every function returning nats takes ``base=None`` (``2`` for bits). ``axis``
is the axis of the outcomes, default ``-1`` (the last); note that
``scipy.stats.entropy`` defaults to ``axis=0``. Results are NumPy scalars
for one pair and arrays for batches; bad input raises ``ValueError`` naming
the argument.

Discrete distributions
    :func:`kl_discrete`, :func:`kl_logits`, :func:`entropy`,
    :func:`cross_entropy`, :func:`js_divergence`, :func:`tv_distance`,
    :func:`mutual_information`, :func:`f_divergence`,
    :func:`renyi_divergence`, :func:`hellinger_sq`, :func:`chi2_divergence`,
    :func:`js_normal` (two normals, by quadrature)
Parametric families (closed forms)
    :func:`kl_normal`, :func:`kl_mvn`, :func:`kl_std_normal`, :func:`kl_beta`
One-dimensional densities
    :func:`kl_quad`, :func:`mixture_logpdf`
The numerical spine
    :func:`expm1mx`

Teaching models and helpers (public, stable for the book; not the core):
    :mod:`klnotes.estimators` (Schulman's k1, k2, k3),
    :mod:`klnotes.models.vae`, :mod:`klnotes.models.ppo`
Figures (needs matplotlib, extra ``plot``):
    :mod:`klnotes.plotting` (the book's style)
Test oracles (needs mpmath, extra ``testing``):
    :mod:`klnotes.testing` (high-precision references, exact test inputs)
"""

from ._f_divergences import (
    chi2_divergence,
    f_divergence,
    hellinger_sq,
    tv_distance,
)
from ._jensen_shannon import js_divergence, js_normal
from ._kl import (
    cross_entropy,
    entropy,
    kl_discrete,
    kl_logits,
    mutual_information,
)
from ._parametric import kl_beta, kl_mvn, kl_normal, kl_std_normal
from ._psi import expm1mx
from ._quadrature import kl_quad, mixture_logpdf
from ._renyi import renyi_divergence

__all__ = [
    "chi2_divergence",
    "cross_entropy",
    "entropy",
    "expm1mx",
    "f_divergence",
    "hellinger_sq",
    "js_divergence",
    "js_normal",
    "kl_beta",
    "kl_discrete",
    "kl_logits",
    "kl_mvn",
    "kl_normal",
    "kl_quad",
    "kl_std_normal",
    "mixture_logpdf",
    "mutual_information",
    "renyi_divergence",
    "tv_distance",
]

__version__ = "0.3.0"
