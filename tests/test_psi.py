"""psi(u) = e^u - 1 - u and the private kernels, against 80-digit mpmath values."""

from __future__ import annotations

import os
import subprocess
import sys

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from klnotes import expm1mx
from klnotes import testing as ref
from klnotes._psi import _BLOCK, _blocked, _bregman_terms, _psi_rel, _xmlog1p


def ulp_error(got: float, want) -> float:
    return float(abs(ref._mp(got) - want) / np.spacing(abs(float(want))))


#: The SIMD feature groups NumPy dispatches to on this CPU; listing them in
#: NPY_DISABLE_CPU_FEATURES makes NumPy use its baseline loops (for expm1: the
#: C library's) instead, as on an older CPU.
_FEATURES_CMD = (
    "from numpy._core._multiarray_umath import __cpu_dispatch__ as d, "
    "__cpu_features__ as f; print(' '.join(x for x in d if f.get(x)))"
)

_POINTS_CMD = """
import sys, numpy as np
from klnotes import expm1mx
u = np.load(sys.argv[1])
np.save(sys.argv[2], np.stack([expm1mx(u), np.expm1(u)]))
"""


def expm1mx_points():
    rng = np.random.default_rng(1)
    mags = 10.0 ** rng.uniform(
        -150, np.log10(709), 1500
    )  # psi underflows below ~1.5e-154
    return np.concatenate(
        [
            mags,
            -mags,
            rng.uniform(-3, 3, 1500),
            [0.4999999, 0.5, -0.5, 1e-8, -1e-8],
        ]
    )


def evaluate_in_subprocess(u, tmp_path, disable_simd):
    env = dict(os.environ)
    if disable_simd:
        feats = subprocess.run(
            [sys.executable, "-c", _FEATURES_CMD],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        env["NPY_DISABLE_CPU_FEATURES"] = feats
    src, out = tmp_path / "u.npy", tmp_path / f"out{int(disable_simd)}.npy"
    np.save(src, u)
    subprocess.run(
        [sys.executable, "-c", _POINTS_CMD, str(src), str(out)],
        env=env,
        check=True,
    )
    return np.load(out)


@pytest.mark.parametrize(
    "disable_simd", [False, True], ids=["as-is", "no-simd"]
)
def test_expm1mx_error_bound_on_every_cpu(tmp_path, disable_simd):
    """The bound stated in expm1mx's Notes, checked with NumPy's SIMD loops and
    with them disabled (the C library's expm1, as on CPUs without them).

    |u| < 1/2: the series uses only + and *, so the bits are the same on every
    IEEE-754 machine (checked against this process); the error measured on
    these points is 1.97 ulp, asserted <= 2. |u| >= 1/2: psi = expm1(u) - u, whose relative error is at most
    kappa * delta * (1 + 2^-53) + 2^-53, with delta the relative error of the
    platform's expm1 at u (measured here point by point) and
    kappa = |expm1(u)| / psi(u) <= 4.4.
    """
    u = expm1mx_points()
    got, e = evaluate_in_subprocess(u, tmp_path, disable_simd)
    near = np.abs(u) < 0.5
    np.testing.assert_array_equal(got[near], expm1mx(u[near]))  # same bits
    worst_series = 0.0
    with mpmath.workdps(60):
        for g, ee, x, is_near in zip(got, e, u, near, strict=True):
            want = ref.expm1mx(x)
            if is_near:
                worst_series = max(worst_series, ulp_error(g, want))
                continue
            if not np.isfinite(g):
                assert float(want) > 1.7e308
                continue
            e_true = mpmath.expm1(ref._mp(x))
            delta = float(abs(ref._mp(ee) - e_true) / abs(e_true))
            kappa = float(abs(e_true) / want)
            assert kappa <= 4.4
            rel = float(abs(ref._mp(g) - want) / want)
            assert rel <= kappa * delta * (1 + 2.0**-53) + 2.0**-53, (
                x,
                rel,
                delta,
            )
    assert worst_series <= 2.0, worst_series


def test_expm1mx_small_argument_is_u_squared_over_two():
    # The naive formula gives exactly 0 here; the true value is u^2/2 (1 + u/3 + ...).
    u = 2.0**-40
    assert np.exp(u) - 1 - u == 0.0
    assert expm1mx(u) == pytest.approx(u * u / 2, rel=1e-12)


def test_expm1mx_special_values():
    assert expm1mx(0.0) == 0.0
    assert isinstance(expm1mx(0.5), np.float64)
    assert expm1mx(710.0) == np.inf
    assert expm1mx(np.inf) == np.inf
    assert expm1mx(-np.inf) == np.inf
    assert expm1mx(-1e300) == 1e300  # -1 - u, with the 1 below the last bit
    assert expm1mx(np.zeros((2, 3))).shape == (2, 3)


def test_expm1mx_rejects_nan_and_names_the_argument():
    with pytest.raises(
        ValueError, match=r"u must not contain NaN; found NaN at index 1"
    ):
        expm1mx([0.0, np.nan])


@given(st.floats(-700, 700))
def test_expm1mx_is_never_negative(u):
    assert expm1mx(u) >= 0.0


def test_xmlog1p_within_eight_ulp():
    rng = np.random.default_rng(2)
    t = np.concatenate(
        [
            rng.uniform(-1, 1, 1500),
            10.0 ** rng.uniform(-150, 0, 800),
            -(10.0 ** rng.uniform(-150, 0, 800)),
            10.0 ** rng.uniform(0, 300, 400),
            [-0.2, 0.25, -0.19999, 0.24999],
        ]
    )
    t = t[t > -1]
    worst = max(
        ulp_error(g, ref.xmlog1p(x))
        for g, x in zip(_xmlog1p(t), t, strict=False)
    )
    assert worst <= 8.0, worst


def test_psi_rel_handles_every_regime():
    x = np.array([1.0, 1.0, 0.25, 1e-300, 1.0, 0.5, 3e-310, 1.0])
    y = np.array([1.0 + 2.0**-30, 0.9, 1e-300, 3e-300, 0.0, 1e-320, 1.0, 1.5])
    got = _psi_rel(x, y, y - x)
    for g, a, b in zip(got, x, y, strict=False):
        if b == 0.0:
            assert g == np.inf
            continue
        with ref.mpmath.workdps(120):
            r = ref._mp(b) / ref._mp(a)
            want = r - 1 - ref.mpmath.log(r)
        if want > 1.7e308:
            assert g == np.inf
        else:
            assert ref.rel_error(g, want) < 1e-15, (a, b, g, want)


def test_bregman_terms_conventions():
    x = np.array([0.0, 0.0, 0.5, 0.5, 3e-320])
    y = np.array([0.0, 0.25, 0.0, 0.5, 1.0])
    got = _bregman_terms(x, y)
    assert got[0] == 0.0  # 0 log 0/0 - 0 + 0
    assert got[1] == 0.25  # x = 0 contributes y
    assert got[2] == np.inf  # x > 0 = y
    assert got[3] == 0.0  # equal
    # x subnormal: y/x overflows, the term is y - x - x log(y/x), finite
    assert got[4] == pytest.approx(1.0, rel=1e-15)


def test_blocked_matches_unblocked_across_block_edges():
    rng = np.random.default_rng(3)
    n = 2 * _BLOCK + 17
    x = rng.uniform(0.1, 1.0, n)
    y = x * np.exp(rng.normal(0, 0.3, n))
    assert np.array_equal(_blocked(_bregman_terms, x, y), _bregman_terms(x, y))


def test_two_diff_and_two_prod_are_exact():
    from fractions import Fraction

    from klnotes._psi import _two_diff, _two_prod

    rng = np.random.default_rng(7)
    a = rng.normal(size=500) * 10.0 ** rng.integers(-8, 9, 500)
    b = rng.normal(size=500) * 10.0 ** rng.integers(-8, 9, 500)
    hi, lo = _two_diff(b, a)
    assert all(
        Fraction(h) + Fraction(l_) == Fraction(y) - Fraction(x)
        for h, l_, x, y in zip(hi, lo, a, b, strict=True)
    )
    hi, lo = _two_prod(a, b)
    assert all(
        Fraction(h) + Fraction(l_) == Fraction(x) * Fraction(y)
        for h, l_, x, y in zip(hi, lo, a, b, strict=True)
    )
