"""What book/api.md promises of every public function: array arguments of
any real dtype (lists, ints, float32) are accepted, and every result is a
float64 NumPy scalar or array (``kl_quad``: a pair of them)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import klnotes

P32 = np.array([0.5, 0.25, 0.25], dtype=np.float32)
Q32 = np.array([0.25, 0.25, 0.5], dtype=np.float32)


def _log_n01(x):
    return -0.5 * x * x - 0.5 * math.log(2 * math.pi)


CALLS = {
    "chi2_divergence": lambda: klnotes.chi2_divergence(P32, Q32),
    "cross_entropy": lambda: klnotes.cross_entropy(P32, Q32),
    "entropy": lambda: klnotes.entropy(np.array([1, 1, 2]) / 4),
    "expm1mx": lambda: klnotes.expm1mx(np.float32(1e-3)),
    "f_divergence": lambda: klnotes.f_divergence(
        P32, Q32, lambda t: (t - 1) ** 2, f_inf=math.inf
    ),
    "hellinger_sq": lambda: klnotes.hellinger_sq(P32, Q32),
    "js_divergence": lambda: klnotes.js_divergence(P32, Q32),
    "js_normal": lambda: klnotes.js_normal(0, 1, np.array([1, 2]), 1),
    "kl_beta": lambda: klnotes.kl_beta(2, 3, 1, 1),
    "kl_discrete": lambda: klnotes.kl_discrete(P32, Q32),
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
        np.array([[1, 0], [0, 1]]) / 2
    ),
    "renyi_divergence": lambda: klnotes.renyi_divergence(P32, Q32, 2),
    "tv_distance": lambda: klnotes.tv_distance(P32, Q32),
}


def test_every_public_function_is_listed():
    assert sorted(CALLS) == sorted(klnotes.__all__)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_results_are_float64(name):
    result = CALLS[name]()
    parts = result if isinstance(result, tuple) else (result,)
    for part in parts:
        assert isinstance(part, np.float64 | np.ndarray), (name, type(part))
        assert part.dtype == np.float64, (name, part.dtype)
