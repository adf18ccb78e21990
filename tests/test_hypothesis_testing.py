"""klnotes.hypothesis_testing: exact Neyman-Pearson tests for Bernoulli pairs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from klnotes import kl_discrete
from klnotes.hypothesis_testing import bernoulli_lr_test


@pytest.mark.parametrize("p, q", [(0.6, 0.3), (0.3, 0.6), (0.5, 0.1)])
@pytest.mark.parametrize("n", [1, 7, 40])
def test_matches_brute_force_over_all_threshold_tests(p, q, n):
    # every test that accepts P on {K >= t} (p > q) or {K <= t} (p < q):
    # the returned one has the smallest beta among those with alpha_n <= 0.05
    k = np.arange(n + 1)
    fp, fq = stats.binom.pmf(k, n, p), stats.binom.pmf(k, n, q)
    best = (None, math.inf)
    for t in range(n + 2):
        acc = k >= t if p > q else k <= t - 1
        a, b = fp[~acc].sum(), fq[acc].sum()
        if a <= 0.05 + 1e-15 and b < best[1] - 1e-300:
            best = (t if p > q else t - 1, b)
    res = bernoulli_lr_test(p, q, n, alpha=0.05)
    assert res.alpha <= 0.05
    if best[1] == 0:
        assert res.log_beta == -math.inf
    else:
        assert res.log_beta == pytest.approx(math.log(best[1]), rel=1e-12)


def test_symmetric_under_relabelling():
    a = bernoulli_lr_test(0.7, 0.2, 60, alpha=0.1)
    b = bernoulli_lr_test(0.3, 0.8, 60, alpha=0.1)
    assert b.threshold == 60 - a.threshold
    assert b.alpha == pytest.approx(a.alpha, rel=1e-12)
    assert b.log_beta == pytest.approx(a.log_beta, rel=1e-12)


def test_stein_exponent_approaches_kl_without_underflow():
    d = kl_discrete([0.6, 0.4], [0.3, 0.7])
    res = bernoulli_lr_test(0.6, 0.3, 20000, alpha=0.05)
    assert math.isfinite(res.log_beta) and res.log_beta < -700  # beta < 1e-304
    rate = -res.log_beta / 20000
    assert d - 0.01 < rate < d


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (
            {"p": 0.0, "q": 0.5, "n": 3, "alpha": 0.1},
            ValueError,
            r"p must be a finite number > 0 and < 1; got 0\.0",
        ),
        (
            {"p": 0.5, "q": 1.5, "n": 3, "alpha": 0.1},
            ValueError,
            r"q must be a finite number > 0 and < 1; got 1\.5",
        ),
        (
            {"p": 0.5, "q": "x", "n": 3, "alpha": 0.1},
            TypeError,
            r"q must be a finite number > 0 and < 1; got 'x'",
        ),
        (
            {"p": 0.5, "q": 0.5, "n": 3, "alpha": 0.1},
            ValueError,
            "p and q must differ",
        ),
        (
            {"p": 0.5, "q": 0.4, "n": 0, "alpha": 0.1},
            ValueError,
            "n must be an integer >= 1; got 0",
        ),
        (
            {"p": 0.5, "q": 0.4, "n": 2.5, "alpha": 0.1},
            TypeError,
            r"n must be an integer; got 2\.5",
        ),
        (
            {"p": 0.5, "q": 0.4, "n": 3, "alpha": 1.0},
            ValueError,
            "alpha must be a finite number > 0 and < 1",
        ),
    ],
)
def test_errors_name_the_argument(kwargs, exc, match):
    alpha = kwargs.pop("alpha")
    with pytest.raises(exc, match=match):
        bernoulli_lr_test(**kwargs, alpha=alpha)
