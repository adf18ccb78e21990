"""One call per public name of klnotes, with arguments that exercise it:
the table the API contract test and the packaging test share (it needs
only numpy and klnotes, so it also runs in the packaging test's bare
environment). Keys must be exactly ``klnotes.__all__``."""

from __future__ import annotations

import math

import numpy as np

import klnotes

P32 = np.array([0.5, 0.25, 0.25], dtype=np.float32)
Q32 = np.array([0.25, 0.25, 0.5], dtype=np.float32)


def _log_n01(x):
    return -0.5 * x * x - 0.5 * math.log(2 * math.pi)


CALLS = {
    "chi2_divergence": lambda: klnotes.chi2_divergence(P32, Q32),
    "cross_entropy": lambda: klnotes.cross_entropy(P32, Q32, base=2),
    "entropy": lambda: klnotes.entropy(np.array([1, 1, 2]) / 4, base=2),
    "expm1mx": lambda: klnotes.expm1mx(np.float32(1e-3)),
    "f_divergence": lambda: klnotes.f_divergence(
        P32, Q32, lambda t: (t - 1) ** 2, f_inf=math.inf
    ),
    "hellinger_sq": lambda: klnotes.hellinger_sq(P32, Q32),
    "jeffreys_divergence": lambda: klnotes.jeffreys_divergence(P32, Q32),
    "js_distance": lambda: klnotes.js_distance(P32, Q32, base=2),
    "js_divergence": lambda: klnotes.js_divergence(P32, Q32, base=2),
    "js_normal": lambda: klnotes.js_normal(0, 1, np.array([1, 2]), 1),
    "kl_beta": lambda: klnotes.kl_beta(2, 3, 1, 1),
    "kl_dirichlet": lambda: klnotes.kl_dirichlet([2, 3, 4], [1, 1, 1]),
    "kl_discrete": lambda: klnotes.kl_discrete(P32, Q32, base=2),
    "kl_logits": lambda: klnotes.kl_logits(np.array([2, 0]), [0, 1]),
    "kl_mvn": lambda: klnotes.kl_mvn(
        np.zeros(2, np.float32),
        np.eye(2, dtype=np.float32),
        [1, 1],
        2 * np.eye(2),
    ),
    "kl_normal": lambda: klnotes.kl_normal(0, 1, 1, 2),
    "kl_quad": lambda: klnotes.kl_quad(_log_n01, lambda x: _log_n01(x - 1)),
    "kl_std_normal": lambda: klnotes.kl_std_normal([0, 1], [0, 0]),
    "mixture_logpdf": lambda: klnotes.mixture_logpdf(
        np.array([0, 1]), [0.5, 0.5], [-1, 1], [1, 1]
    ),
    "mutual_information": lambda: klnotes.mutual_information(
        np.array([[1, 0], [0, 1]]) / 2, base=2
    ),
    "QuadResult": lambda: klnotes.QuadResult(np.float64(1.0), np.float64(0.0)),
    "renyi_divergence": lambda: klnotes.renyi_divergence(P32, Q32, 2),
    "tv_distance": lambda: klnotes.tv_distance(P32, Q32),
}
