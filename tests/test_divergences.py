"""f_divergence, renyi_divergence, hellinger_sq, chi2_divergence, kl_beta."""

from __future__ import annotations

import itertools
import math
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given
from scipy import integrate, special, stats
from strategies import exact_prob_pairs, prob_pairs

from klnotes import (
    chi2_divergence,
    f_divergence,
    hellinger_sq,
    js_divergence,
    kl_beta,
    kl_discrete,
    renyi_divergence,
    tv_distance,
)

#: Relative tolerance of the inequalities: rounding of the two sides only.
REL = 1e-13
EPS = 2.0**-53


def xlogx(t):
    return special.xlogy(t, t)


# (f, f'(inf), reference function, f') for the family members of chapter 7
FAMILY = {
    "kl": (xlogx, math.inf, kl_discrete, lambda t: np.log(t) + 1),
    "tv": (
        lambda t: 0.5 * np.abs(t - 1),
        0.5,
        tv_distance,
        lambda t: 0.5 + 0 * t,
    ),
    "hellinger^2": (
        lambda t: 0.5 * (np.sqrt(t) - 1) ** 2,
        0.5,
        hellinger_sq,
        lambda t: 0.5 * (1 - 1 / np.sqrt(t)),
    ),
    "chi^2": (
        lambda t: (t - 1) ** 2,
        math.inf,
        chi2_divergence,
        lambda t: 2 * (t - 1),
    ),
    "js": (
        lambda t: 0.5 * (xlogx(t) - (1 + t) * np.log((1 + t) / 2)),
        math.log(2) / 2,
        js_divergence,
        lambda t: 0.5 * np.log(2 * t / (1 + t)),
    ),
}


def f_bound(p, q, f, df):
    """The absolute error f_divergence's Notes state: f sees the rounded ratio
    t = p/q (error eps t |f'(t)| per unit of q) and rounds itself."""
    pos = (q > 0) & (p > 0)
    t = p[pos] / q[pos]
    parts = (1 + t) * (
        1 + np.abs(np.log(t))
    )  # bounds the size of f's own parts
    return 8 * EPS * float(np.sum(p[pos] * np.abs(df(t)) + q[pos] * parts))


@pytest.mark.parametrize("name", ["kl", "tv", "hellinger^2", "chi^2", "js"])
@given(pq=prob_pairs())
def test_generic_f_divergence_matches_each_member(name, pq):
    p, q = pq
    # the generic form evaluates f at p/q: keep the ratios where f cannot overflow (documented limit)
    with np.errstate(over="ignore"):  # a subnormal q overflows p/q
        assume(np.all(p[q > 0] / q[q > 0] < 1e150))
    f, f_inf, ref, df = FAMILY[name]
    got, want = f_divergence(p, q, f, f_inf=f_inf), ref(p, q)
    if np.isinf(want):
        assert got == np.inf
    else:
        assert abs(got - want) <= 1e-13 * want + f_bound(p, q, f, df)
        assert got >= 0.0


@given(pq=prob_pairs(allow_zeros=False))
def test_reverse_kl_member(pq):
    p, q = pq
    got = f_divergence(p, q, lambda t: -np.log(t), f_inf=0.0)
    want = kl_discrete(q, p)
    f, df = (lambda t: -np.log(t)), (lambda t: -1 / t)
    assert abs(got - want) <= 1e-13 * want + f_bound(p, q, f, df)


def test_f_divergence_support_convention():
    # p = (0.5, 0.5), q = (1, 0): TV = 0.5 from the q = 0 outcome via f'(inf) = 1/2
    assert f_divergence(
        [0.5, 0.5], [1.0, 0.0], lambda t: 0.5 * np.abs(t - 1), f_inf=0.5
    ) == pytest.approx(0.5)
    assert (
        f_divergence([0.5, 0.5], [1.0, 0.0], xlogx, f_inf=math.inf) == math.inf
    )


def test_f_divergence_never_evaluates_f_where_q_is_zero():
    # p = (.5, .5), q = (1, 0): the reverse KL is log 2, finite; f = -log
    # must not be called at a dummy ratio 0 for the outcome q misses
    seen = []

    def minus_log(t):
        seen.append(np.array(t, copy=True))
        return -np.log(t)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a divide-by-zero warning fails
        got = f_divergence([0.5, 0.5], [1.0, 0.0], minus_log, f_inf=0.0)
    assert got == pytest.approx(math.log(2), rel=1e-15)
    assert np.all(np.concatenate(seen) > 0)


@pytest.mark.parametrize(
    "f, f_inf, p, q, message",
    [
        # f(1) = 1: the sum would be D_f + 1 with no error
        (lambda t: t, 1.0, [0.2, 0.8], [0.5, 0.5], r"f\(1\) = 1\.0"),
        (
            lambda t: xlogx(t) + 1e-9,
            math.inf,
            [0.2, 0.8],
            [0.5, 0.5],
            r"f must satisfy f\(1\) = 0",
        ),
        # concave generators: the plain sum is negative (was clamped to 0.0)
        (np.log, 0.0, [0.2, 0.8], [0.5, 0.5], r"f is not convex: f\(0\.5\)"),
        (
            lambda t: -xlogx(t),
            0.0,
            [0.1, 0.3, 0.6],
            [0.3, 0.3, 0.4],
            r"f is not convex",
        ),
        # q misses an outcome and f_inf is too small for f: the slope check
        (xlogx, 0.0, [0.5, 0.5], [1.0, 0.0], r"f_inf = 0\.0 is below"),
        # one evaluated ratio besides 1/2, 1, 2 is enough for that check
        (
            lambda t: (t - 1) ** 2,
            -1.0,
            [1.0, 1e-12],
            [1.0, 0.0],
            r"f_inf = -1\.0 is below",
        ),
    ],
)
def test_f_divergence_rejects_what_is_not_a_generator(f, f_inf, p, q, message):
    with pytest.raises(ValueError, match=message):
        f_divergence(p, q, f, f_inf=f_inf)


@given(pq=prob_pairs())
def test_concave_generators_never_give_a_silent_zero(pq):
    # -D_f for a strictly convex f: negative unless P = Q; either an error
    # or (only where all ratios nearly coincide, so that concavity is below
    # rounding) a value within the stated absolute error of the true one
    p, q = pq
    with np.errstate(over="ignore"):  # a subnormal q overflows p/q
        assume(np.all(p[q > 0] / q[q > 0] < 1e150))
    kl = kl_discrete(p, q)
    try:
        got = f_divergence(p, q, lambda t: -xlogx(t), f_inf=-1e300)
    except ValueError:
        return
    bound = f_bound(p, q, None, lambda t: -(np.log(t) + 1.0))
    assert kl <= 1e-9 and abs(got - (-kl)) <= bound


def test_renyi_of_equal_inputs_is_plus_zero():
    p = np.array([0.2, 0.3, 0.5])
    for alpha in (0.0, 0.1, 0.5, 0.999, 1.0, 2.0, 10.0, math.inf):
        d = renyi_divergence(p, p, alpha)
        assert d == 0.0 and math.copysign(1.0, d) == 1.0, (alpha, d)


def renyi_mp(p, q, a):
    with mpmath.workdps(60):
        s = mpmath.fsum(
            mpmath.mpf(pi) ** a * mpmath.mpf(qi) ** (1 - a)
            for pi, qi in zip(p, q, strict=False)
            if pi > 0
        )
        return mpmath.log(s) / (a - 1)


@pytest.mark.parametrize("alpha", [0.1, 0.5, 0.999, 1.001, 2.0, 5.0, 40.0])
def test_renyi_against_mpmath(alpha):
    rng = np.random.default_rng(int(alpha * 1000))
    p, q = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(6))
    assert renyi_divergence(p, q, alpha) == pytest.approx(
        float(renyi_mp(p, q, alpha)), rel=1e-12
    )


def test_renyi_limits_and_special_orders():
    rng = np.random.default_rng(1)
    p, q = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
    kl = kl_discrete(p, q)
    for k in range(2, 13):
        assert renyi_divergence(p, q, 1 + 10.0**-k) == pytest.approx(
            kl, rel=10.0 ** -(k - 1) + 1e-12
        )
        assert renyi_divergence(p, q, 1 - 10.0**-k) == pytest.approx(
            kl, rel=10.0 ** -(k - 1) + 1e-12
        )
    assert renyi_divergence(p, q, 1.0) == kl
    assert renyi_divergence(p, q, math.inf) == pytest.approx(
        np.log(np.max(p / q)), rel=1e-14
    )
    assert renyi_divergence(
        [0.5, 0.5, 0.0], [0.25, 0.25, 0.5], 0.0
    ) == pytest.approx(math.log(2), rel=1e-15)
    assert renyi_divergence([0.5, 0.5], [1.0, 0.0], 2.0) == math.inf
    assert renyi_divergence([0.5, 0.5], [1.0, 0.0], 0.5) == pytest.approx(
        -2 * math.log(math.sqrt(0.5)), rel=1e-14
    )
    assert renyi_divergence(p, q, 2.0, base=2) == pytest.approx(
        renyi_divergence(p, q, 2.0) / math.log(2), rel=1e-14
    )


@given(pq=exact_prob_pairs())
def test_renyi_is_nondecreasing_in_alpha(pq):
    p, q = pq
    alphas = [0.0, 0.2, 0.5, 0.9, 1.0, 1.5, 3.0, 10.0, math.inf]
    vals = [renyi_divergence(p, q, a) for a in alphas]
    for lo, hi in zip(vals, vals[1:], strict=False):
        assert lo <= hi * (1 + REL)


@given(pq=exact_prob_pairs())
def test_inequalities_between_divergences(pq):
    p, q = pq
    tv, h2, kl, chi2 = (
        tv_distance(p, q),
        hellinger_sq(p, q),
        kl_discrete(p, q),
        chi2_divergence(p, q),
    )
    assert h2 <= tv * (1 + REL)
    assert tv <= math.sqrt(h2 * (2 - h2)) * (1 + REL)
    assert tv <= math.sqrt(kl / 2) * (1 + REL)
    if np.isfinite(chi2):
        assert kl <= math.log1p(chi2) * (1 + REL)


@pytest.mark.parametrize(
    "params",
    [
        (2.0, 3.0, 1.0, 1.0),
        (0.5, 0.5, 2.0, 5.0),
        (10.0, 3.0, 9.0, 4.0),
        (3.0, 7.0, 3.0, 7.0),
    ],
)
def test_kl_beta_against_quadrature(params):
    a_p, b_p, a_q, b_q = params
    P, Q = stats.beta(a_p, b_p), stats.beta(a_q, b_q)
    val, _ = integrate.quad(
        lambda t: P.pdf(t) * (P.logpdf(t) - Q.logpdf(t)), 0, 1, limit=200
    )
    assert kl_beta(*params) == pytest.approx(val, rel=1e-8, abs=1e-13)


def _kl_beta_exact(a1, b1, a2, b2):
    a1, b1, a2, b2 = (mpmath.mpf(float(x)) for x in (a1, b1, a2, b2))

    def log_b(a, b):
        return mpmath.loggamma(a) + mpmath.loggamma(b) - mpmath.loggamma(a + b)

    return (
        log_b(a2, b2)
        - log_b(a1, b1)
        + (a1 - a2) * mpmath.digamma(a1)
        + (b1 - b2) * mpmath.digamma(b1)
        + (a2 - a1 + b2 - b1) * mpmath.digamma(a1 + b1)
    )


def _kl_beta_worst(shapes):
    got = kl_beta(*np.asarray(shapes).T)
    with mpmath.workdps(60):
        return max(
            float(
                abs(mpmath.mpf(float(g)) - _kl_beta_exact(*x))
                / _kl_beta_exact(*x)
            )
            for g, x in zip(got, shapes, strict=True)
        )


def test_kl_beta_far_apart_within_stated_bound():
    """The range the docstring states: all four shapes in [0.03, 1e5],
    relative error <= 1e-9 against mpmath, on 1000 log-uniform draws and on
    a grid that includes the corners, where the worst cases are."""
    rng = np.random.default_rng(2024)
    shapes = np.exp(rng.uniform(math.log(0.03), math.log(1e5), size=(1000, 4)))
    assert _kl_beta_worst(shapes) <= 1e-9
    grid = [0.03, 0.05, 1.0, 1e3, 1e5]
    corners = [
        x
        for x in itertools.product(grid, repeat=4)
        if (x[0], x[1]) != (x[2], x[3])
    ]
    # and the worst point found by a local search (5.3e-10)
    corners.append(
        (0.03444338336012309, 87082.88414318589, 0.03, 0.03462367773164162)
    )
    assert _kl_beta_worst(corners) <= 1e-9


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: renyi_divergence([1.0], [1.0], -0.5),
            r"alpha must be a number \(or \+inf\) >= 0; got -0\.5",
        ),
        (
            lambda: renyi_divergence([1.0], [1.0], float("nan")),
            r"alpha must be a number \(or \+inf\) >= 0; got nan",
        ),
        (
            lambda: renyi_divergence([1.0], [1.0], 2.0, base=1),
            r"base must be None",
        ),
        (
            lambda: f_divergence([1.0], [1.0], xlogx, f_inf=float("nan")),
            r"f_inf must be a number \(or \+inf\); got nan",
        ),
        (
            lambda: f_divergence(
                [0.5, 0.5], [0.5, 0.5], lambda t: 1.0, f_inf=1.0
            ),
            r"f must return one value per ratio",
        ),
        (
            lambda: f_divergence(
                [0.5, 0.5], [0.5, 0.5], lambda t: -np.inf * t, f_inf=1.0
            ),
            r"f returned -inf at the ratio",
        ),
        (
            lambda: f_divergence(
                [0.5, 0.5], [0.5, 0.5], lambda t: t * np.nan, f_inf=1.0
            ),
            r"f returned nan at the ratio p/q = 1\.0",
        ),
        (lambda: hellinger_sq([0.5, 0.5], [0.4, 0.4]), r"q must sum to 1"),
        (
            lambda: chi2_divergence([-0.5, 1.5], [0.5, 0.5]),
            r"p must contain probabilities >= 0",
        ),
        (lambda: kl_beta(0.0, 1.0, 1.0, 1.0), r"a_p must be > 0; found 0\.0"),
        (lambda: kl_beta(1.0, 1.0, np.inf, 1.0), r"a_q must be finite"),
        (
            lambda: kl_beta([1.0, 2.0], 1.0, [1.0, 2.0, 3.0], 1.0),
            r"a_p, b_p, a_q and b_q must broadcast against each other",
        ),
    ],
)
def test_every_error_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "p, q, f, f_inf",
    [
        # f_inf far below lim f(t)/t where only one ratio is evaluated
        ([1.0, 2.0**-126], [1.0, 0.0], lambda t: -xlogx(t), -1e300),
        # concave on many evenly spaced ratios (the three-point allowance
        # must not add up along them)
        (
            np.linspace(0.5, 1.5, 20_001)
            / np.sum(np.linspace(0.5, 1.5, 20_001)),
            np.full(20_001, 1 / 20_001),
            lambda t: -((t - 1) ** 2),
            0.0,
        ),
        # concave and tiny: the allowances are relative to the size of f
        ([0.2, 0.8], [0.5, 0.5], lambda t: -1e-11 * (t - 1) ** 2, 0.0),
        # f(1) slightly negative, below the f(1) = 0 check's allowance
        ([0.5, 0.5], [0.5, 0.5], lambda t: (t - 1) ** 2 - 2.0**-41, math.inf),
    ],
)
def test_f_divergence_never_clamps_an_invalid_generator_to_zero(
    p, q, f, f_inf
):
    with pytest.raises(ValueError, match="not convex|below|negative beyond"):
        f_divergence(p, q, f, f_inf=f_inf)


def test_f_divergence_allows_inputs_normalised_to_1e_9_and_scaled_generators():
    # equal ratios just below 1 from inputs normalised only to 1e-9: the plain
    # sum is about -1.6e-9, the divergence of the normalised inputs 0
    p, q = np.full(2, 0.5 - 4e-10), np.full(2, 0.5 + 4e-10)
    assert f_divergence(p, q, xlogx, f_inf=math.inf) == 0.0
    # convex generators with large parts are not rejected near P = Q
    rng = np.random.default_rng(0)
    for _ in range(50):
        q = rng.dirichlet(np.ones(20))
        p = q * (1 + 2.0 ** -int(rng.integers(10, 50)) * rng.normal(size=20))
        p /= p.sum()
        got = f_divergence(
            p, q, lambda t: 1e4 * (t - 2 * np.sqrt(t) + 1), f_inf=1e4
        )
        assert abs(got - 2e4 * hellinger_sq(p, q)) <= 1e4 * 1e-12
        got = f_divergence(
            p, q, lambda t: 1e6 * (xlogx(t) - t + 1), f_inf=math.inf
        )
        assert abs(got - 1e6 * kl_discrete(p, q)) <= 1e6 * 1e-12


def test_renyi_of_disjoint_supports_is_inf_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for alpha in (0.0, 0.3, 0.5, 1.0, 2.0, math.inf):
            assert renyi_divergence([0.0, 1.0], [1.0, 0.0], alpha) == math.inf


# ---------------------------------------------------- kl_beta's stated range
@pytest.mark.parametrize(
    "shapes, name",
    [
        ((1e16, 1.0, 1.0, 1.0), "a_p"),
        ((1.0, 1e20, 1.0, 1.0), "b_p"),
        ((1.0, 1.0, 1e-310, 1.0), "a_q"),
        ((1.0, 1.0, 1.0, 1e-4), "b_q"),
    ],
)
def test_kl_beta_outside_its_range_is_an_error_not_a_nan(shapes, name):
    with pytest.raises(
        ValueError, match=rf"{name} must lie in \[0\.001, 1e\+08\]"
    ):
        kl_beta(*shapes)


def test_kl_beta_at_the_corners_of_its_range():
    """The stated bound for shapes far apart, 1e-5, at every corner of
    [1e-3, 1e8]^4 and at 1 (81 points less the 9 equal pairs)."""
    worst = 0.0
    for shapes in itertools.product((1e-3, 1.0, 1e8), repeat=4):
        if shapes[:2] == shapes[2:]:
            assert kl_beta(*shapes) == 0.0
            continue
        got = float(kl_beta(*shapes))
        want = _kl_beta_exact(*shapes)
        worst = max(worst, float(abs(mpmath.mpf(got) - want) / want))
    assert worst <= 1e-5


# --------------------------------------------------- f_divergence's checks
def test_f_divergence_rejects_a_tiny_concave_f_and_a_non_callable():
    with pytest.raises(ValueError, match=r"f is not convex"):
        f_divergence(
            [0.2, 0.8], [0.5, 0.5], lambda t: 1e-14 * np.log(t), f_inf=0.0
        )
    with pytest.raises(
        TypeError,
        match=r"f must be callable \(a convex function of the ratio p/q\); got 3\.0",
    ):
        f_divergence([0.2, 0.8], [0.5, 0.5], 3.0, f_inf=0.0)


# ------------------------------------------------ chi2 without underflow
def test_chi2_does_not_underflow_for_distinct_inputs():
    # (x - y)^2 / y with x = 2^-540, y = 2^-1022: the square of the
    # difference underflows, the term (2^-58) does not
    x, y = 2.0**-540, 2.0**-1022
    chunks = [1.0 / 32] * 19 + [13.0 / 32]
    p = np.array([*chunks, x, y])
    q = np.array([*chunks, y, x])
    with mpmath.workdps(60):
        want = sum(
            (mpmath.mpf(a) - mpmath.mpf(b)) ** 2 / mpmath.mpf(b)
            for a, b in zip(p, q, strict=True)
        )
    assert chi2_divergence(p, q) == pytest.approx(
        float(want), rel=1e-15, abs=0.0
    )
    # and a difference of 1e-160 over a q of 1e-290
    p2, q2 = np.array([0.5, 0.5, 1e-160]), np.array([0.5, 0.5, 1e-290])
    with mpmath.workdps(60):
        want2 = (mpmath.mpf(1e-160) - mpmath.mpf(1e-290)) ** 2 / mpmath.mpf(
            1e-290
        )
    assert chi2_divergence(p2, q2) == pytest.approx(
        float(want2), rel=1e-15, abs=0.0
    )


# ------------------------------------------------- Renyi at extreme orders
@pytest.mark.parametrize("alpha", [7e12, 1e20, 2.0**70, 1e300])
def test_renyi_huge_finite_orders_approach_the_max_log_ratio(alpha):
    # log(p_j r_j^(alpha-1)) / (alpha - 1) <= D_alpha <= D_inf = log r_j,
    # r = p / q largest at j: D_alpha is within |log p_j| / (alpha - 1) of
    # D_inf (and equal to it in float64 for alpha = 1e300), computed
    # without OverflowError
    for p, q in (
        ([0.5, 0.5], [0.625, 0.375]),
        ([0.25, 0.75], [5 / 16, 11 / 16]),
        ([0.5, 0.5], [0.5 + 2.0**-30, 0.5 - 2.0**-30]),
    ):
        got = float(renyi_divergence(p, q, alpha))
        d_inf = float(renyi_divergence(p, q, math.inf))
        j = int(np.argmax(np.divide(p, q)))
        gap = abs(math.log(p[j])) / (alpha - 1.0)
        assert d_inf - gap - 4e-16 * d_inf <= got <= d_inf * (1 + 4e-16)


@pytest.mark.parametrize("alpha", [1e-12, 1e-9, 1e-6])
def test_renyi_small_orders_keep_relative_precision(alpha):
    # D_alpha ~ alpha * (something): 1 - alpha, rounded, used to cost
    # eps / alpha of relative precision (2.8e-8 at alpha = 1e-9)
    for p, q in (
        ([0.5, 0.5], [0.625, 0.375]),
        ([0.25, 0.75], [5 / 16, 11 / 16]),
        ([0.5, 0.5], [0.5 + 2.0**-30, 0.5 - 2.0**-30]),
    ):
        with mpmath.workdps(60):
            a = mpmath.mpf(alpha)
            want = mpmath.log(
                sum(
                    mpmath.mpf(x) ** a * mpmath.mpf(y) ** (1 - a)
                    for x, y in zip(p, q, strict=True)
                )
            ) / (a - 1)
        got = renyi_divergence(p, q, alpha)
        assert abs(got - float(want)) <= 1e-14 * float(want)
