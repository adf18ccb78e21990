from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from scipy import stats

from klnotes import js_divergence, js_normal, kl_quad, mixture_logpdf

CASES = [
    (0.0, 1.0, 2.0, 1.0),
    (0.0, 1.0, 0.0, 3.0),
    (3.0, 2.0, -1.0, 0.5),
    (1.0, 0.01, 0.0, 1.0),
    (0.0, 1.0, 8.0, 1.0),
]


def _js_by_kl_quad(mu_p, sigma_p, mu_q, sigma_q):
    """Independent route: JS = (D(P||M) + D(Q||M))/2 with kl_quad."""
    w, mus, sds = [0.5, 0.5], [mu_p, mu_q], [sigma_p, sigma_q]

    def lm(x):
        return mixture_logpdf(x, w, mus, sds)

    lo = min(mu_p, mu_q) - 40 * max(sigma_p, sigma_q)
    hi = max(mu_p, mu_q) + 40 * max(sigma_p, sigma_q)
    pts = sorted({mu_p, mu_q, 0.5 * (mu_p + mu_q)})
    a, _ = kl_quad(
        stats.norm(mu_p, sigma_p).logpdf, lm, lower=lo, upper=hi, points=pts
    )
    b, _ = kl_quad(
        stats.norm(mu_q, sigma_q).logpdf, lm, lower=lo, upper=hi, points=pts
    )
    return 0.5 * (a + b)


def _js_mpmath(mu_p, sigma_p, mu_q, sigma_q, dps=40):
    with mpmath.workdps(dps):
        a, b, c, d = map(mpmath.mpf, (mu_p, sigma_p, mu_q, sigma_q))

        def f(x):
            p, q = mpmath.npdf(x, a, b), mpmath.npdf(x, c, d)
            m = (p + q) / 2
            return (p * mpmath.log(p / m) + q * mpmath.log(q / m)) / 2

        w = 40 * max(b, d)
        pts = sorted(
            {
                min(a, c) - w,
                a - 5 * b,
                a,
                a + 5 * b,
                c - 5 * d,
                c,
                c + 5 * d,
                max(a, c) + w,
            }
        )
        return float(mpmath.quad(f, pts))


@pytest.mark.parametrize("params", CASES)
def test_matches_kl_quad_of_the_mixture(params):
    assert js_normal(*params) == pytest.approx(
        _js_by_kl_quad(*params), rel=1e-9, abs=1e-15
    )


@pytest.mark.parametrize(
    "params",
    CASES[:3]
    + [
        (0.0, 1.0, 1e-6, 1.0),
        (0.0, 1.0, 0.0, 1.0 + 1e-7),
        (0.0, 1.0, 1e-3, 1.001),
    ],
)
def test_matches_mpmath_including_nearly_equal_normals(params):
    # near equality JS is ~1e-13..1e-15; full relative precision is kept
    assert js_normal(*params) == pytest.approx(_js_mpmath(*params), rel=1e-12)


def test_small_shift_is_mu_squared_over_8():
    # JS(N(0,1), N(mu,1)) = mu^2/8 + O(mu^4) (local chi^2 behaviour)
    mu = 1e-5
    assert js_normal(0.0, 1.0, mu, 1.0) == pytest.approx(mu**2 / 8, rel=1e-9)


def test_equal_inputs_give_exact_zero_and_result_is_symmetric():
    assert js_normal(0.3, 2.0, 0.3, 2.0) == 0.0
    for mp_, sp, mq, sq in CASES:
        assert js_normal(mp_, sp, mq, sq) == js_normal(mq, sq, mp_, sp)


def test_bounded_by_log2_and_reaches_it_far_apart():
    mus = np.array([0.0, 0.5, 2.0, 8.0, 20.0, 60.0])
    js = js_normal(0.0, 1.0, mus, 1.0)
    assert js.shape == mus.shape
    assert np.all(np.diff(js[:4]) > 0) and np.all(np.diff(js) >= 0)
    assert np.all((js >= 0) & (js <= math.log(2)))
    assert js[-1] == math.log(2)
    assert js_normal(0.0, 1.0, 60.0, 1.0, base=2) == 1.0


def test_agrees_with_discrete_js_on_a_fine_grid():
    # discretising both normals on a fine grid approaches the continuous JS
    x = np.linspace(-12, 14, 200001)
    p = stats.norm(0, 1).pdf(x)
    q = stats.norm(2, 1.5).pdf(x)
    val = js_divergence(p / p.sum(), q / q.sum())
    assert js_normal(0.0, 1.0, 2.0, 1.5) == pytest.approx(val, rel=1e-8)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: js_normal(0.0, 0.0, 1.0, 1.0),
            r"sigma_p must be > 0; found 0\.0 at index",
        ),
        (
            lambda: js_normal(0.0, 1.0, 1.0, -2.0),
            r"sigma_q must be > 0; found -2\.0",
        ),
        (lambda: js_normal(np.nan, 1.0, 1.0, 1.0), r"mu_p must be finite"),
        (lambda: js_normal(0.0, 1.0, np.inf, 1.0), r"mu_q must be finite"),
        (
            lambda: js_normal([0.0, 1.0], 1.0, [0.0, 1.0, 2.0], 1.0),
            r"must broadcast together; got shapes \(2,\), \(\), \(3,\), \(\)",
        ),
        (lambda: js_normal(0.0, 1.0, 1.0, 1.0, base=1), r"base must be None"),
        (
            lambda: js_normal("a", 1.0, 1.0, 1.0),
            r"mu_p must be an array of real numbers",
        ),
    ],
)
def test_every_error_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ------------------------------------------- location, scale, far-apart sds
@pytest.mark.parametrize(
    "shifted, standard",
    [
        ((1e15, 1.0, 1e15 + 1.0, 1.0), (0.0, 1.0, 1.0, 1.0)),
        ((0.0, 1e200, 0.0, 2e200), (0.0, 1.0, 0.0, 2.0)),
        ((0.0, 1e-170, 0.0, 2e-170), (0.0, 1.0, 0.0, 2.0)),
        ((-3e150, 1e150, 3e150, 2e150), (-3.0, 1.0, 3.0, 2.0)),
    ],
)
def test_js_normal_is_affine_invariant_at_every_scale(shifted, standard):
    # JS is invariant under x -> (x - m) / s: a pair far from the origin or
    # at an extreme scale has the value of its standardised copy
    want = _js_mpmath(*standard)
    assert js_normal(*shifted) == pytest.approx(want, rel=1e-12)
    assert js_normal(*standard) == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("ratio", [1e3, 1e6])
@pytest.mark.parametrize("shift", [0.0, 3.0])
def test_js_normal_standard_deviations_far_apart(ratio, shift):
    want = _js_mpmath_far(shift, ratio)
    for got in (
        js_normal(0.0, 1.0, shift, ratio),
        js_normal(shift, ratio, 0.0, 1.0),
    ):
        assert got == pytest.approx(want, rel=1e-10)


def test_js_normal_far_apart_means_reach_log2_within_the_tolerance():
    # the densities overlap by exp(-1e5): JS = log 2 to every digit; quad's
    # relative tolerance 1e-12 is what is promised
    for sd in (0.3, 1.0, 3.0):
        got = js_normal(0.0, 1.0, 1000.0, sd)
        assert 0.0 <= math.log(2) - got <= 1e-12 * math.log(2), (sd, got)


def test_js_normal_outside_its_range_is_an_error_not_a_nan():
    with pytest.raises(ValueError, match=r"within a factor 1e\+08"):
        js_normal(0.0, 1.0, 0.0, 1e9)
    with pytest.raises(ValueError, match=r"overflows"):
        js_normal(-1e308, 1e-300, 1e308, 1e-300)


def _js_mpmath_far(delta, rho, dps=30):
    """JS(N(0, 1), N(delta, rho^2)) by mpmath, with break points at every
    power of 4 between the two scales (one narrow peak, one wide)."""
    with mpmath.workdps(dps):
        d, r = mpmath.mpf(delta), mpmath.mpf(rho)

        def f(x):
            p, q = mpmath.npdf(x, 0, 1), mpmath.npdf(x, d, r)
            m = (p + q) / 2
            out = 0
            for y in (p, q):
                if y > 0:
                    out += y * mpmath.log(y / m)
            return out / 2

        pts = {-40 * r + d, 40 * r + d, -40, 40, 0, d}
        s = mpmath.mpf(1)
        while s < r:
            pts.update((-s, s, d - s, d + s))
            s *= 4
        return float(mpmath.quad(f, sorted(pts)))
