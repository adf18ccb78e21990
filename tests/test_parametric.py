"""kl_normal, kl_std_normal, kl_mvn: against mpmath, quadrature and each other."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, stats

from klnotes import kl_beta, kl_mvn, kl_normal, kl_std_normal
from klnotes import testing as ref

finite = st.floats(-50, 50)
positive = st.floats(1e-3, 1e3)


def test_normal_closed_form_value():
    # log 2 + (1 + 1)/8 - 1/2 = log 2 - 1/4
    assert kl_normal(0.0, 1.0, 1.0, 2.0) == pytest.approx(
        math.log(2) - 0.25, rel=1e-15
    )


@pytest.mark.parametrize(
    "params",
    [(0.0, 1.0, 1.0, 2.0), (-1.5, 0.3, 2.0, 1.7), (4.0, 3.0, 3.5, 0.5)],
)
def test_normal_against_quadrature(params):
    mp_, sp, mq, sq = params
    p, q = stats.norm(mp_, sp), stats.norm(mq, sq)
    val, err = integrate.quad(
        lambda x: p.pdf(x) * (p.logpdf(x) - q.logpdf(x)),
        mp_ - 40 * sp,
        mp_ + 40 * sp,
        limit=200,
    )
    assert kl_normal(*params) == pytest.approx(val, rel=1e-9)


@pytest.mark.parametrize("k", [10, 20, 30, 40, 50])
def test_normal_nearly_equal_keeps_precision(k):
    e = 2.0**-k
    for params in [
        (0.0, 1.0 + e, 0.0, 1.0),
        (3.0 + e, 2.0 - e, 3.0, 2.0),
        (0.0, 1.0, e, 1.0),
        (0.0, 1.0 - e, 0.0, 1.0),
    ]:
        assert (
            ref.rel_error(kl_normal(*params), ref.kl_normal(*params)) <= 1e-14
        )


@given(finite, positive, finite, positive)
def test_normal_against_mpmath_and_nonnegative(mp_, sp, mq, sq):
    got = kl_normal(mp_, sp, mq, sq)
    assert got >= 0.0
    assert (
        ref.rel_error(got, ref.kl_normal(mp_, sp, mq, sq)) <= 1e-14
        or got < 1e-300
    )
    assert kl_normal(mp_, sp, mp_, sp) == 0.0


def test_normal_broadcasts():
    got = kl_normal(np.zeros(3), np.array([1.0, 2.0, 0.5]))
    assert got.shape == (3,)
    assert got[0] == 0.0
    assert got[1] == pytest.approx(kl_normal(0.0, 2.0), rel=0)
    assert kl_normal(np.zeros((2, 1)), np.ones(4)).shape == (2, 4)


def test_std_normal_matches_kl_normal_per_dimension():
    rng = np.random.default_rng(7)
    mu, lv = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    per_dim = kl_normal(mu, np.exp(0.5 * lv))
    np.testing.assert_allclose(
        kl_std_normal(mu, lv, axis=()), per_dim, rtol=1e-14
    )
    np.testing.assert_allclose(
        kl_std_normal(mu, lv), per_dim.sum(axis=-1), rtol=1e-14
    )
    np.testing.assert_allclose(
        kl_std_normal(mu, lv, axis=0), per_dim.sum(axis=0), rtol=1e-14
    )


@pytest.mark.parametrize("k", [10, 25, 40])
def test_std_normal_near_prior_keeps_precision(k):
    rng = np.random.default_rng(k)
    mu, lv = 2.0**-k * rng.normal(size=8), 2.0**-k * rng.normal(size=8)
    assert (
        ref.rel_error(kl_std_normal(mu, lv), ref.kl_std_normal(mu, lv))
        <= 1e-14
    )
    assert kl_std_normal(np.zeros(4), np.zeros(4)) == 0.0


def random_spd(rng, d, cond=10.0):
    qmat, _ = np.linalg.qr(rng.normal(size=(d, d)))
    eig = np.geomspace(1.0, cond, d)
    a = (qmat * eig) @ qmat.T
    return 0.5 * (
        a + a.T
    )  # exactly symmetric: kl_mvn would otherwise symmetrise it


@pytest.mark.parametrize("d", [1, 2, 5, 8])
def test_mvn_against_mpmath(d):
    rng = np.random.default_rng(d)
    cp, cq = random_spd(rng, d), random_spd(rng, d, cond=50.0)
    mp_, mq = rng.normal(size=d), rng.normal(size=d)
    assert (
        ref.rel_error(kl_mvn(mp_, cp, mq, cq), ref.kl_mvn(mp_, cp, mq, cq))
        <= 1e-10
    )
    assert kl_mvn(mp_, cp, mp_, cp) == 0.0


@pytest.mark.parametrize("k", [20, 30, 40])
def test_mvn_nearly_equal_keeps_precision(k):
    rng = np.random.default_rng(k)
    cp = random_spd(rng, 4)
    pert = rng.normal(size=(4, 4))
    cq = cp + (pert + pert.T) * 2.0**-k
    mp_, mq = np.zeros(4), np.full(4, 2.0**-k)
    assert (
        ref.rel_error(kl_mvn(mp_, cp, mq, cq), ref.kl_mvn(mp_, cp, mq, cq))
        <= 1e-10
    )


def test_mvn_diagonal_is_a_sum_of_univariate():
    rng = np.random.default_rng(9)
    mp_, mq = rng.normal(size=4), rng.normal(size=4)
    sp, sq = rng.uniform(0.5, 2, 4), rng.uniform(0.5, 2, 4)
    got = kl_mvn(mp_, np.diag(sp**2), mq, np.diag(sq**2))
    assert got == pytest.approx(
        float(np.sum(kl_normal(mp_, sp, mq, sq))), rel=1e-13
    )


def test_mvn_ill_conditioned_relative_to_q_falls_back():
    # Sigma_p has an eigenvalue 1e-12 relative to Sigma_q: 1 + t loses its digits
    cp = np.diag([1.0, 1e-12])
    cq = np.eye(2)
    got = kl_mvn(np.zeros(2), cp, np.zeros(2), cq)
    assert (
        ref.rel_error(got, ref.kl_mvn(np.zeros(2), cp, np.zeros(2), cq))
        <= 1e-10
    )


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: kl_normal(0.0, 0.0),
            r"sigma_p must be > 0; found 0\.0 at index \(\)",
        ),
        (
            lambda: kl_normal(0.0, 1.0, 0.0, [1.0, -2.0]),
            r"sigma_q must be > 0; found -2\.0 at index 1",
        ),
        (lambda: kl_normal(np.nan, 1.0), r"mu_p must be finite; found nan"),
        (lambda: kl_normal(0.0, np.inf), r"sigma_p must be finite; found inf"),
        (
            lambda: kl_normal([0.0, 1.0], [1.0, 1.0, 1.0]),
            r"must broadcast against each other; got shapes \(2,\), \(3,\)",
        ),
        (
            lambda: kl_std_normal([0.0], [np.inf]),
            r"log_var must be finite; found inf at index 0",
        ),
        (
            lambda: kl_std_normal([0.0, 1.0], [0.0, 0.0, 0.0]),
            r"mu and log_var must broadcast",
        ),
        (
            lambda: kl_std_normal([0.0], [0.0], axis="last"),
            r"axis must be an int, a tuple of ints or None; got 'last'",
        ),
        (
            lambda: kl_std_normal([0.0], [0.0], axis=3),
            r"axis=3 is out of range",
        ),
        (
            lambda: kl_mvn(0.0, np.eye(1), [0.0], np.eye(1)),
            r"mu_p must be at least 1-D \(a mean vector\); got a scalar",
        ),
        (
            lambda: kl_mvn([0.0, 0.0], np.eye(2), [0.0], np.eye(2)),
            r"mu_q must have the length of mu_p, 2; got shape \(1,\)",
        ),
        (
            lambda: kl_mvn([0.0, 0.0], np.eye(3), [0.0, 0.0], np.eye(2)),
            r"cov_p must have shape \(\.\.\., 2, 2\) to match the mean; got \(3, 3\)",
        ),
        (
            lambda: kl_mvn(
                np.zeros((3, 2)), np.eye(2), np.zeros((4, 2)), np.eye(2)
            ),
            r"the batch shapes of mu_p, cov_p, mu_q and cov_q must broadcast",
        ),
        (
            lambda: kl_mvn(
                [0.0, 0.0],
                np.stack([np.eye(2), -np.eye(2)]),
                [0.0, 0.0],
                np.eye(2),
            ),
            r"cov_p must be positive definite; its smallest eigenvalue is -1\.0 \(matrix 1\)",
        ),
        (
            lambda: kl_mvn(
                [0.0, 0.0], np.eye(2), [0.0, 0.0], [[1.0, 0.5], [0.0, 1.0]]
            ),
            r"cov_q must be symmetric .*cov_q\[0, 1\]=0\.5 but cov_q\[1, 0\]=0\.0",
        ),
        (
            lambda: kl_mvn(
                [0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]], [0.0, 0.0], np.eye(2)
            ),
            r"cov_p must be positive definite; its smallest eigenvalue is -1\.0",
        ),
        (
            lambda: kl_mvn([0.0, np.nan], np.eye(2), [0.0, 0.0], np.eye(2)),
            r"mu_p must be finite",
        ),
        (
            lambda: kl_mvn(
                [0.0, 0.0], np.eye(2), [0.0, 0.0], np.full((2, 2), np.inf)
            ),
            r"cov_q must be finite",
        ),
    ],
)
def test_every_error_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_kl_mvn_batches_over_leading_dimensions():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(4, 3, 3))
    cov_p = a @ np.swapaxes(a, -1, -2) + 3 * np.eye(3)
    cov_q = np.eye(3) * 2.0
    mu_p = rng.normal(size=(2, 4, 3))  # batch (2, 4) against cov_p's (4,)
    got = kl_mvn(mu_p, cov_p, np.zeros(3), cov_q)
    assert got.shape == (2, 4)
    for i in range(2):
        for j in range(4):
            assert got[i, j] == pytest.approx(
                kl_mvn(mu_p[i, j], cov_p[j], np.zeros(3), cov_q), rel=1e-14
            )


def test_kl_std_normal_axis_follows_numpy():
    rng = np.random.default_rng(4)
    mu, lv = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4))
    terms = kl_std_normal(mu, lv, axis=())
    assert terms.shape == (2, 3, 4)
    np.testing.assert_allclose(
        kl_std_normal(mu, lv), terms.sum(-1), rtol=1e-14
    )
    np.testing.assert_allclose(
        kl_std_normal(mu, lv, axis=0), terms.sum(0), rtol=1e-14
    )
    np.testing.assert_allclose(
        kl_std_normal(mu, lv, axis=(0, 2)), terms.sum((0, 2)), rtol=1e-14
    )
    assert kl_std_normal(mu, lv, axis=None) == pytest.approx(
        terms.sum(), rel=1e-14
    )


@pytest.mark.parametrize(
    "fn, args",
    [
        (kl_normal, (0.0, 1.0, 1.0, 2.0)),
        (kl_std_normal, ([0.5, 1.0], [0.2, -0.3])),
        (kl_mvn, ([0.0, 0.0], np.eye(2), [1.0, 0.0], 2.0 * np.eye(2))),
        (kl_beta, (2.0, 3.0, 1.0, 1.0)),
    ],
)
def test_base_converts_nats(fn, args):
    nats = fn(*args)
    assert fn(*args, base=2) == pytest.approx(nats / math.log(2), rel=1e-15)
    assert fn(*args, base=math.e) == pytest.approx(nats, rel=1e-15)
    with pytest.raises(ValueError, match="base must be None"):
        fn(*args, base=1)
