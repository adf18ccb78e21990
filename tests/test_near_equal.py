"""klnotes.testing.near_pair: exactly normalised full-mantissa near pairs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from klnotes.testing import near_pair


@pytest.mark.parametrize("dtype, b", [(np.float64, 53), (np.float32, 24)])
@pytest.mark.parametrize("n", [9, 12, 15])
@pytest.mark.parametrize("ulps", [1, 2**5])
def test_exact_sums_full_mantissas_and_ulp_offsets(dtype, b, n, ulps):
    rng = np.random.default_rng(n * ulps)
    for _ in range(20):
        p, q = near_pair(rng, n, ulps, dtype=dtype)
        assert p.dtype == q.dtype == np.dtype(dtype)
        assert math.fsum(p.astype(float)) == 1.0 == math.fsum(q.astype(float))
        assert np.all(
            (p >= 1 / 16) & (p < 1 / 8) & (q >= 1 / 16) & (q < 1 / 8)
        )
        d = (q - p) / (np.spacing(p) * ulps)  # exact: Sterbenz
        assert np.array_equal(d, np.round(d)) and np.any(d != 0)
        assert np.all(np.abs(d[:-1]) <= 3) and d.sum() == 0
    # full mantissas: the integers m_i are not all even (generic inputs)
    m = p.astype(float) * 2.0 ** (b + 3)
    assert np.any(m % 2 == 1)


def test_rounded_sum_is_often_not_one():
    # the point of these inputs: np.sum rounds, so renormalising moves p
    rng = np.random.default_rng(0)
    off = sum(np.sum(near_pair(rng, 12, 1)[0]) != 1.0 for _ in range(200))
    assert 10 < off < 190


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((8, 1), {}, "n must be an integer from 9 to 15"),
        ((16, 1), {}, "n must be an integer from 9 to 15"),
        ((12, 0), {}, "ulps must be an integer"),
        ((12, 2**17), {"dtype": np.float32}, "ulps must be an integer"),
        ((12, 1), {"dtype": np.float16}, "dtype must be float64 or float32"),
    ],
)
def test_errors_name_the_argument(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        near_pair(np.random.default_rng(0), *args, **kwargs)
