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


# ------------------------------------------- supports, 0 log 0, divergence
def _gumbel_kl(m1, b1, m2, b2):
    """Closed form of D(Gumbel(m1, b1) || Gumbel(m2, b2)): E_P[log p] =
    -(log b1 + gamma + 1) and E_P[-log q] = log b2 + E[z] + E[e^-z] with
    z = (x - m2) / b2, E[z] = (m1 - m2 + gamma b1) / b2 and
    E[e^-z] = e^((m2 - m1) / b2) Gamma(1 + b1 / b2)."""
    g = np.euler_gamma
    return (
        math.log(b2 / b1)
        - g
        - 1.0
        + (m1 - m2 + g * b1) / b2
        + math.exp((m2 - m1) / b2) * math.gamma(1.0 + b1 / b2)
    )


def _plain(dist):
    """The log-density as a bare function: no support to read."""
    return lambda x: dist.logpdf(x)


@pytest.mark.parametrize(
    "wrap", [lambda d: d.logpdf, _plain], ids=["bound", "plain"]
)
def test_kl_quad_where_p_underflows_against_an_overflowing_log_q(wrap):
    # far left, Gumbel(-2, 1)'s logpdf overflows to -inf where P's density
    # has underflowed to 0: 0 log(0 / q) = 0, not NaN
    p, q = stats.gumbel_r(4, 2.5), stats.gumbel_r(-2, 1)
    val, _ = kl_quad(wrap(p), wrap(q))
    assert val == pytest.approx(_gumbel_kl(4, 2.5, -2, 1), rel=1e-9)
    assert val == pytest.approx(4.958, abs=1e-3)
    # Normal(-2, 1) || Gumbel(4, 2.5): -h(N) + log b + E[z] + E[e^-z]
    want = (
        -0.5 * math.log(2 * math.pi * math.e)
        + math.log(2.5)
        + (-2.0 - 4.0) / 2.5
        + math.exp(6.0 / 2.5 + 0.5 / 2.5**2)
    )
    val, _ = kl_quad(wrap(stats.norm(-2, 1)), wrap(stats.gumbel_r(4, 2.5)))
    assert val == pytest.approx(want, rel=1e-9)


BOUNDED = {
    "beta": stats.beta(2, 2),
    "chi2": stats.chi2(3),
    "expon": stats.expon(),
    "gamma": stats.gamma(2.0),
    "pareto": stats.pareto(1.5),
    "uniform": stats.uniform(0, 1),
}


@pytest.mark.parametrize(
    "wrap", [lambda d: d.logpdf, _plain], ids=["bound", "plain"]
)
@pytest.mark.parametrize("q", sorted(BOUNDED))
@pytest.mark.parametrize("p", ["norm", "gumbel"])
def test_kl_quad_is_inf_when_q_misses_mass_of_p(p, q, wrap):
    dist_p = stats.norm(0, 1) if p == "norm" else stats.gumbel_r(1, 2)
    res = kl_quad(wrap(dist_p), wrap(BOUNDED[q]))
    assert res.kl == np.inf and res.abserr == 0.0


@pytest.mark.parametrize("b", [0.5, 1.0, 3.0])
def test_kl_quad_integrates_over_the_support_of_p(b):
    # Uniform(6.5, 7.5) || Pareto(b): -log b + (b + 1) E[log x]
    lo, hi = 6.5, 7.5
    e_log = (hi * math.log(hi) - hi - lo * math.log(lo) + lo) / (hi - lo)
    want = -math.log(b) + (b + 1.0) * e_log
    for p in (stats.uniform(lo, 1.0), stats.uniform(lo, 1.0).logpdf):
        val, _ = kl_quad(p, stats.pareto(b).logpdf)
        assert val == pytest.approx(want, rel=1e-10)
    # a bare function says nothing about its support: quad misses it, and
    # kl_quad says so instead of returning 0.0
    with pytest.raises(ValueError, match=r"P's density integrates to 0\.0"):
        kl_quad(_plain(stats.uniform(lo, 1.0)), stats.pareto(b).logpdf)


def test_kl_quad_divergent_integral_is_an_error_not_a_number():
    # Pareto(1) has no mean; against an exponential, D = E_P[x] + ... = inf
    with pytest.raises(
        ValueError, match=r"did not converge.*D\(P\|\|Q\) = inf"
    ):
        kl_quad(stats.pareto(1.0).logpdf, stats.expon().logpdf)


def test_kl_quad_returns_a_named_pair():
    res = kl_quad(stats.norm(0, 1), stats.norm(1, 2))
    assert res.kl == res[0] and res.abserr == res[1]
    with pytest.raises(TypeError, match=r"logpdf_p must be a callable"):
        kl_quad(3.0, stats.norm().logpdf)
