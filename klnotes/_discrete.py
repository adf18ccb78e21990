"""Where the discrete divergences lived up to 0.3, kept as an alias module
for imports of it (the models import ``kl_logits`` from here); new code
imports from ``klnotes``. The functions now live by family in ``_kl``,
``_jensen_shannon``, ``_f_divergences`` and ``_renyi``."""

from ._f_divergences import (
    chi2_divergence,
    f_divergence,
    hellinger_sq,
    tv_distance,
)
from ._jensen_shannon import js_divergence
from ._kl import (
    cross_entropy,
    entropy,
    kl_discrete,
    kl_logits,
    mutual_information,
)
from ._renyi import renyi_divergence

__all__ = [
    "chi2_divergence",
    "cross_entropy",
    "entropy",
    "f_divergence",
    "hellinger_sq",
    "js_divergence",
    "kl_discrete",
    "kl_logits",
    "mutual_information",
    "renyi_divergence",
    "tv_distance",
]
