from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from klnotes import kl_normal, kl_quad, mixture_logpdf


def test_mixture_logpdf_matches_scipy_and_integrates_to_one():
    w, mu, sd = [0.2, 0.5, 0.3], [-2.0, 0.0, 3.0], [0.5, 1.0, 2.0]
    x = np.linspace(-5, 8, 41)
    want = np.log(
        sum(
            wk * stats.norm(m, s).pdf(x)
            for wk, m, s in zip(w, mu, sd, strict=False)
        )
    )
    np.testing.assert_allclose(mixture_logpdf(x, w, mu, sd), want, rtol=1e-13)
    total, _ = integrate.quad(
        lambda t: math.exp(mixture_logpdf(t, w, mu, sd)), -np.inf, np.inf
    )
    assert total == pytest.approx(1.0, abs=1e-10)


def test_mixture_logpdf_far_tail_is_finite():
    # exp underflows here; the log-density is still -(x-1)^2/2 - log(2 sqrt(2 pi)) to rounding
    got = mixture_logpdf(-60.0, [0.5, 0.5], [-1.0, 1.0], [1.0, 1.0])
    assert got == pytest.approx(
        -0.5 * 59.0**2 - math.log(2 * math.sqrt(2 * math.pi)), rel=1e-13
    )


@pytest.mark.parametrize(
    "params",
    [(0.0, 1.0, 1.0, 2.0), (-2.0, 0.5, 1.0, 3.0), (3.0, 2.0, 2.9, 2.1)],
)
def test_kl_quad_matches_closed_form(params):
    mp, sp, mq, sq = params
    val, err = kl_quad(stats.norm(mp, sp).logpdf, stats.norm(mq, sq).logpdf)
    assert val == pytest.approx(kl_normal(*params), rel=1e-9, abs=1e-12)
    assert err < 1e-8


def test_kl_quad_support_convention():
    # P uniform on [0, 1] (log p = -inf outside), Q standard normal: D = -E_P[log q]
    def logp(x):
        return 0.0 if 0.0 <= x <= 1.0 else -np.inf

    val, _ = kl_quad(
        logp, stats.norm().logpdf, lower=-1.0, upper=2.0, points=[0.0, 1.0]
    )
    want = 0.5 * math.log(2 * math.pi) + 1.0 / 6.0  # E[x^2]/2 for U(0, 1)
    assert val == pytest.approx(want, rel=1e-10)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: mixture_logpdf(0.0, [0.5, 0.6], [0.0, 1.0], [1.0, 1.0]),
            r"weights must sum to 1",
        ),
        (
            lambda: mixture_logpdf(0.0, [0.5, 0.5], [0.0, 1.0], [1.0, 0.0]),
            r"sigmas must be > 0; found 0\.0 at index 1",
        ),
        (
            lambda: mixture_logpdf(0.0, [0.5, 0.5], [0.0], [1.0, 1.0]),
            r"weights, means and sigmas must be 1-D of the same length",
        ),
        (
            lambda: mixture_logpdf(0.0, [1.0], [np.nan], [1.0]),
            r"means must be finite",
        ),
        (
            lambda: kl_quad(np.sin, np.cos, lower=1.0, upper=0.0),
            r"lower must be < upper; got lower=1\.0, upper=0\.0",
        ),
        (
            lambda: kl_quad(np.sin, np.cos, points=[0.0]),
            r"points needs finite lower and upper limits",
        ),
    ],
)
def test_every_error_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
