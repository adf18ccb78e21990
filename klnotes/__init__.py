"""klnotes: the helper package of the executable textbook on the Kullback-Leibler divergence.

Every divergence here is evaluated as a sum of non-negative terms
``weight * psi(log ratio)`` with ``psi(u) = exp(u) - 1 - u`` (:func:`expm1mx`), so
results keep full relative precision when the two distributions are nearly equal,
are never negative, and are exactly zero for equal distributions.

Discrete distributions
    :func:`kl_discrete`, :func:`kl_logits`, :func:`entropy`, :func:`cross_entropy`,
    :func:`js_divergence`, :func:`tv_distance`, :func:`mutual_information`
Gaussians
    :func:`kl_normal`, :func:`kl_mvn`, :func:`kl_std_normal`
Other divergences
    :func:`f_divergence`, :func:`renyi_divergence`, :func:`hellinger_sq`,
    :func:`chi2_divergence`, :func:`kl_beta`, :func:`js_normal`
One-dimensional densities
    :func:`kl_quad`, :func:`mixture_logpdf`
The numerical spine
    :func:`expm1mx`
Monte Carlo estimators
    :mod:`klnotes.estimators` (Schulman's k1, k2, k3)
Teaching models (not the numerical core)
    :mod:`klnotes.models.vae`, :mod:`klnotes.models.ppo`
Figures
    :mod:`klnotes.plotting` (the book's matplotlib style)
Test oracles (optional extra ``testing``: mpmath)
    :mod:`klnotes.testing` (high-precision references, exactly normalised test inputs)
"""

from ._continuous import kl_quad, mixture_logpdf
from ._discrete import (
    cross_entropy,
    entropy,
    js_divergence,
    kl_discrete,
    kl_logits,
    mutual_information,
    tv_distance,
)
from ._divergences import (
    chi2_divergence,
    f_divergence,
    hellinger_sq,
    kl_beta,
    renyi_divergence,
)
from ._gaussian import kl_mvn, kl_normal, kl_std_normal
from ._jensen_shannon import js_normal
from ._numerics import expm1mx

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

__version__ = "0.2.0"
