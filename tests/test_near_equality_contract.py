"""The near-equality contract, for every public divergence in one place.

Every divergence is run on exactly representable, exactly normalised inputs
that approach each other (perturbations 2^-k, true values from ~1e-4 down to
~1e-30) and compared with the mpmath value of the textbook formula for
exactly those numbers (``klnotes.testing``).  Each must be

* within a RELATIVE tolerance of the reference (``REL``, 1e-13, unless a
  function's docstring states a weaker, derived bound, tested as stated);
* never negative;
* exactly 0.0 for equal inputs (and ``kl_logits`` for logits that differ by
  an exactly representable constant).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from scipy import special

import klnotes
from klnotes import testing as ref

#: The relative tolerance of the psi-form promise.
REL = 1e-13
#: Digits the oracles must agree to (they double their working precision until
#: two evaluations agree): far more than REL needs, and quick.
DPS = 30
EPS = 2.0**-53
KS = (12, 20, 28, 36, 44, 54)  # true divergences ~ 4^-k: 1e-7 ... 1e-32
SIZES = (2, 7, 64)


def pairs():
    for n in SIZES:
        for k in KS:
            rng = np.random.default_rng(1000 * n + k)
            yield n, k, ref.exact_near_pair(rng, n, k)


PAIRS = list(pairs())


def full_mantissa_pairs():
    """Exactly normalised pairs with random full-width mantissas
    (``near_pair``), q - p a few ulp times 1, 2^10 and 2^20."""
    for n in (9, 12, 15):
        for ulps in (1, 2**10, 2**20):
            rng = np.random.default_rng(7 * n + ulps)
            yield n, ulps, ref.near_pair(rng, n, ulps)


FULL = list(full_mantissa_pairs())


def check(got, want, rel=REL):
    got = float(got)
    assert got >= 0.0, got
    err = ref.rel_error(got, want)
    assert err <= rel, (got, float(want), err)
    return err


# ------------------------------------------------------------- discrete pairs
DISCRETE = {
    "kl_discrete": (klnotes.kl_discrete, ref.kl_discrete),
    "js_divergence": (klnotes.js_divergence, ref.js_divergence),
    "tv_distance": (
        klnotes.tv_distance,
        lambda p, q, dps: ref.tv_distance(p, q),
    ),
    "hellinger_sq": (klnotes.hellinger_sq, ref.hellinger_sq),
    "chi2_divergence": (klnotes.chi2_divergence, ref.chi2_divergence),
    "jeffreys_divergence": (
        klnotes.jeffreys_divergence,
        lambda p, q, dps: (
            ref.kl_discrete(p, q, dps=dps) + ref.kl_discrete(q, p, dps=dps)
        ),
    ),
    "js_distance": (
        klnotes.js_distance,
        lambda p, q, dps: mpmath.sqrt(ref.js_divergence(p, q, dps=dps)),
    ),
}


@pytest.mark.parametrize("inputs", ["dyadic", "full"])
@pytest.mark.parametrize("name", sorted(DISCRETE))
def test_discrete_divergences_near_equality(name, inputs):
    fn, oracle = DISCRETE[name]
    for _n, _k, (p, q) in PAIRS if inputs == "dyadic" else FULL:
        for a, b in ((p, q), (q, p)):
            check(fn(a, b), oracle(a, b, dps=DPS))
        assert fn(p, p) == 0.0


def test_chi2_tiny_values_do_not_underflow():
    """chi^2 from 2^-58 down to 2^-578: two entries x = 2^-k and
    y = 2^-1022 exchanged between p and q, so chi^2 ~ x^2 / y while the
    squared difference x^2 alone underflows (k > 537)."""
    y = 2.0**-1022
    for k in (540, 560, 600, 700, 800):
        x = 2.0**-k
        p = np.array([1.0 / 32] * 19 + [13.0 / 32, x, y])
        q = np.array([1.0 / 32] * 19 + [13.0 / 32, y, x])
        check(
            klnotes.chi2_divergence(p, q), ref.chi2_divergence(p, q, dps=DPS)
        )


ALPHAS = (0.01, 0.3, 0.5, 0.999, 1.001, 2.0, 10.0, 40.0)
#: Orders where 1 - alpha loses the digits of alpha, and finite orders so
#: large that |1 - alpha|^k overflows for k of the series degree.
SMALL_ALPHAS = (1e-12, 1e-9, 1e-6, 1e-4)
HUGE_ALPHAS = (1e6, 7e12, 1e14, 2.0**70, 1e30)


@pytest.mark.parametrize("alpha", ALPHAS + SMALL_ALPHAS + HUGE_ALPHAS)
def test_renyi_near_equality(alpha):
    for _n, _k, (p, q) in PAIRS + FULL[::3]:
        for a, b in ((p, q), (q, p)):
            check(
                klnotes.renyi_divergence(a, b, alpha),
                ref.renyi_divergence(a, b, alpha, dps=DPS),
            )
        assert klnotes.renyi_divergence(p, p, alpha) == 0.0


def test_renyi_limit_orders_near_equality():
    for _n, _k, (p, q) in PAIRS:
        # alpha = 0: -log Q(supp P) = 0 exactly for full supports
        assert klnotes.renyi_divergence(p, q, 0.0) == 0.0
        # alpha = inf: log max p/q, each log-ratio from the exact difference
        with mpmath.workdps(ref.DIGITS):
            want = max(
                mpmath.log(ref._mp(pi) / ref._mp(qi))
                for pi, qi in zip(p, q, strict=True)
            )
        check(klnotes.renyi_divergence(p, q, math.inf), want)
        assert klnotes.renyi_divergence(p, p, math.inf) == 0.0
        assert klnotes.renyi_divergence(p, p, 0.0) == 0.0


def test_f_divergence_meets_its_stated_absolute_bound():
    """f_divergence makes no relative promise (see its Notes): it is held to
    the absolute bound stated there: the rounded ratio costs
    ``eps q t |f'(t)|`` per term, and f's own rounding ``eps`` times the size
    of its parts, here at most ``(1 + t)(1 + |log t|)``; 8 eps covers both."""
    family = {
        "chi2": (
            lambda t: (t - 1.0) ** 2,
            lambda t: 2.0 * (t - 1.0),
            ref.chi2_divergence,
        ),
        "kl": (
            lambda t: special.xlogy(t, t) - t + 1.0,
            np.log,
            ref.kl_discrete,
        ),
    }
    for f, df, oracle in family.values():
        for _n, _k, (p, q) in PAIRS:
            got = float(klnotes.f_divergence(p, q, f, f_inf=math.inf))
            want = float(oracle(p, q, dps=DPS))
            t = p / q
            parts = (1 + t) * (1 + np.abs(np.log(t)))
            bound = 8 * EPS * float(np.sum(p * np.abs(df(t)) + q * parts))
            assert got >= 0.0
            assert abs(got - want) <= REL * want + bound, (got, want, bound)
            assert klnotes.f_divergence(p, p, f, f_inf=math.inf) == 0.0


def test_mutual_information_near_independence():
    """The marginals are rounded, so the promise is the stated absolute bound
    ``2 eps TV(P_XY, P_X P_Y) + 8 eps I`` (see the docstring)."""
    for k in KS:
        rng = np.random.default_rng(k)
        px = rng.integers(1, 16, 4) / 64.0
        px[-1] = 1.0 - px[:-1].sum()
        py = np.array([0.25, 0.5, 0.125, 0.125])
        base = np.outer(px, py)  # exact: few bits
        d = rng.integers(-3, 4, base.shape).astype(float)
        d[-1, -1] -= d.sum()
        joint = base + d * 2.0**-k
        got = float(klnotes.mutual_information(joint))
        want = ref.mutual_information(joint, dps=DPS)
        assert got >= 0.0
        tv = 0.5 * float(
            np.sum(np.abs(joint - np.outer(joint.sum(1), joint.sum(0))))
        )
        assert (
            abs(got - float(want))
            <= 2 * EPS * tv + 8 * EPS * float(want) + 1e-300
        )
        assert klnotes.mutual_information(base) == 0.0


# ------------------------------------------------------------------- logits
def test_kl_logits_near_equality_and_exact_shift():
    for n in SIZES:
        for k in KS:
            rng = np.random.default_rng(n * 7 + k)
            a = np.round(rng.normal(scale=3.0, size=n) * 2**20) / 2**20
            b = a + rng.integers(-3, 4, n) * 2.0**-k
            check(klnotes.kl_logits(a, b), ref.kl_logits(a, b, dps=DPS))
            check(klnotes.kl_logits(b, a), ref.kl_logits(b, a, dps=DPS))
            assert klnotes.kl_logits(a, a) == 0.0
            assert klnotes.kl_logits(a, a + 7.0) == 0.0  # a + 7 exact here
            assert klnotes.kl_logits(a + 1e4, a) == 0.0


# ---------------------------------------------------------------- Gaussians
def test_kl_normal_near_equality():
    for k in KS:
        for mu, sigma in (
            (0.0, 1.0),
            (3.0, 0.25),
            (-1e3, 1e3),
            (1e15, 1.0),  # extreme scales: a far location, tiny and huge sds
            (0.0, 2.0**-500),
            (-(2.0**400), 2.0**500),
        ):
            for dm, ds in ((1, 0), (0, 1), (1, -1), (3, 2)):
                mq, sq = mu + dm * 2.0**-k * sigma, sigma * (1 + ds * 2.0**-k)
                check(
                    klnotes.kl_normal(mu, sigma, mq, sq),
                    ref.kl_normal(mu, sigma, mq, sq, dps=DPS),
                )
                check(
                    klnotes.kl_normal(mq, sq, mu, sigma),
                    ref.kl_normal(mq, sq, mu, sigma, dps=DPS),
                )
            assert klnotes.kl_normal(mu, sigma, mu, sigma) == 0.0


def test_kl_std_normal_near_equality():
    rng = np.random.default_rng(3)
    for k in KS:
        mu = rng.integers(-3, 4, 5) * 2.0**-k
        lv = rng.integers(-3, 4, 5) * 2.0**-k
        check(
            klnotes.kl_std_normal(mu, lv), ref.kl_std_normal(mu, lv, dps=DPS)
        )
    assert klnotes.kl_std_normal(np.zeros(3), np.zeros(3)) == 0.0


def test_kl_mvn_near_equality():
    """Relative to the conditioning: the eigenvalues t_i come from solves with
    the Cholesky factor of cov_q, so the bound is ``REL * cond(cov_q)``; the
    matrices here have condition numbers below 10."""
    rng = np.random.default_rng(5)
    cov = np.array([[2.0, 0.5, 0.25], [0.5, 1.0, 0.125], [0.25, 0.125, 1.5]])
    cond = float(np.linalg.cond(cov))
    for k in KS:
        e = rng.integers(-3, 4, (3, 3)).astype(float)
        e = e + e.T
        cq = cov + e * 2.0**-k
        mu = np.array([0.5, -1.0, 2.0])
        mq = mu + rng.integers(-3, 4, 3) * 2.0**-k
        for args in ((mu, cov, mq, cq), (mq, cq, mu, cov), (mu, cov, mu, cq)):
            check(
                klnotes.kl_mvn(*args),
                ref.kl_mvn(*args, dps=DPS),
                rel=REL * cond,
            )
        assert klnotes.kl_mvn(mu, cov, mu, cov) == 0.0


# --------------------------------------------------------------------- Beta
BETA_SHAPES = (
    (0.3, 0.7),
    (1.0, 1.0),
    (2.5, 40.0),
    (15.5, 16.5),
    (1000.0, 3000.0),
    (1e6, 3.0),
)


@pytest.mark.parametrize("a, b", BETA_SHAPES)
def test_kl_beta_near_equality(a, b):
    for k in KS:
        for da, db in ((1, 0), (0, 1), (1, 1), (3, -2), (-1, 2)):
            aq, bq = a * (1 + da * 2.0**-k), b * (1 + db * 2.0**-k)
            if (aq, bq) == (a, b):  # the perturbation rounded away
                assert klnotes.kl_beta(a, b, aq, bq) == 0.0
                continue
            check(
                klnotes.kl_beta(a, b, aq, bq),
                ref.kl_beta(a, b, aq, bq, dps=DPS),
            )
            check(
                klnotes.kl_beta(aq, bq, a, b),
                ref.kl_beta(aq, bq, a, b, dps=DPS),
            )
        assert klnotes.kl_beta(a, b, a, b) == 0.0


#: kl_beta's stated accuracy for shapes far apart (its Notes): the shift of
#: small shapes adds terms that cancel by up to ~1e5 when the other shape of
#: the pair is large; the worst measured over these draws is 1.3e-11, over
#: the whole stated range 5.3e-10.
BETA_FAR_REL = 1e-9


def test_kl_beta_far_apart_against_mpmath():
    rng = np.random.default_rng(11)
    for _ in range(60):
        a_p, b_p, a_q, b_q = 10.0 ** rng.uniform(-1.5, 5, 4)
        check(
            klnotes.kl_beta(a_p, b_p, a_q, b_q),
            ref.kl_beta(a_p, b_p, a_q, b_q, dps=DPS),
            rel=BETA_FAR_REL,
        )
