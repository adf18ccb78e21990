"""kl_dirichlet against mpmath, against kl_beta, and its errors."""

from __future__ import annotations

import numpy as np
import pytest

from klnotes import kl_beta, kl_dirichlet
from klnotes import testing as ref

KS = (12, 20, 28, 36, 44, 54)


@pytest.mark.parametrize(
    "alpha",
    [
        (0.3, 0.7, 2.0),
        (1.0, 1.0, 1.0, 1.0),
        (2.5, 40.0, 15.5, 16.5, 1000.0),
        (1e6, 3.0, 0.5),
    ],
)
def test_near_equality_keeps_relative_precision(alpha):
    rng = np.random.default_rng(len(alpha))
    a = np.array(alpha)
    for k in KS:
        d = rng.integers(-3, 4, a.size)
        b = a * (1 + d * 2.0**-k)
        if np.array_equal(a, b):
            continue
        for x, y in ((a, b), (b, a)):
            got = float(kl_dirichlet(x, y))
            want = ref.kl_dirichlet(x, y, dps=30)
            assert got >= 0.0
            assert ref.rel_error(got, want) <= 1e-13, (k, got, float(want))
    assert kl_dirichlet(a, a) == 0.0


def test_far_apart_within_the_stated_bound():
    rng = np.random.default_rng(12)
    worst = 0.0
    for _ in range(60):
        k = int(rng.integers(2, 6))
        a, b = 10.0 ** rng.uniform(-1.5, 5, (2, k))
        worst = max(
            worst,
            ref.rel_error(float(kl_dirichlet(a, b)), ref.kl_dirichlet(a, b)),
        )
    assert worst <= 1e-9


def test_two_categories_are_kl_beta_and_batches_broadcast():
    rng = np.random.default_rng(3)
    shapes = 10.0 ** rng.uniform(-1, 4, (50, 4))
    got = kl_dirichlet(shapes[:, :2], shapes[:, 2:])
    want = kl_beta(*shapes.T)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0.0)
    # categories along axis 0, a batch of 3 against one alpha_q
    a = np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 2.0]])
    out = kl_dirichlet(a, [1.5, 2.5], axis=0, keepdims=True)
    assert out.shape == (1, 3)
    assert out[0, 1] == pytest.approx(kl_beta(2.0, 2.0, 1.5, 2.5), rel=1e-14)


@pytest.mark.parametrize(
    "call, exc, message",
    [
        (
            lambda: kl_dirichlet([1.0], [1.0]),
            ValueError,
            r"at least 2 categories",
        ),
        (
            lambda: kl_dirichlet(1.0, [1.0, 1.0]),
            ValueError,
            r"alpha_p must be at least 1-D",
        ),
        (
            lambda: kl_dirichlet([1.0, 0.0], [1.0, 1.0]),
            ValueError,
            r"alpha_p must be > 0",
        ),
        (
            lambda: kl_dirichlet([1.0, 1e9], [1.0, 1.0]),
            ValueError,
            r"alpha_p must lie in \[0\.001, 1e\+08\]",
        ),
        (
            lambda: kl_dirichlet([1.0, 2.0], [1.0, 1.0, 1.0]),
            ValueError,
            r"same number of outcomes",
        ),
        (
            lambda: kl_dirichlet([1.0, 2.0], [1.0, 1.0], axis=1),
            np.exceptions.AxisError,
            r"axis=1 is out of range",
        ),
    ],
)
def test_errors_name_the_argument(call, exc, message):
    with pytest.raises(exc, match=message):
        call()
