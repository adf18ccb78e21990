"""klnotes.estimators (k1, k2, k3) and klnotes.models.ppo (adapt_beta, surrogate)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special

from klnotes import kl_discrete, kl_logits
from klnotes.estimators import k1, k2, k3
from klnotes.models.ppo import adapt_beta, surrogate

# ----------------------------------------------------------------- estimators


def exact_expectation(q, values):
    return float(np.sum(q * values))


@given(
    st.integers(2, 8).flatmap(
        lambda n: st.tuples(
            st.lists(st.floats(-4, 4), min_size=n, max_size=n),
            st.lists(st.floats(-4, 4), min_size=n, max_size=n),
        )
    )
)
def test_k1_and_k3_are_unbiased_exactly(ab):
    # Exact expectation under q (a sum over outcomes, no sampling): E_q[k] = D(q||p) for k1, k3.
    q, p = special.softmax(np.array(ab[0])), special.softmax(np.array(ab[1]))
    log_ratio = np.log(p) - np.log(q)
    want = kl_discrete(q / q.sum(), p / p.sum())
    assert exact_expectation(q, k1(log_ratio)) == pytest.approx(
        want, rel=1e-9, abs=1e-12
    )
    assert exact_expectation(q, k3(log_ratio)) == pytest.approx(
        want, rel=1e-9, abs=1e-12
    )
    assert np.all(k3(log_ratio) >= 0) and np.all(k2(log_ratio) >= 0)


def test_gaussian_case_moments_in_closed_form():
    # q = N(0,1), p = N(mu,1): log r = mu x - mu^2/2 ~ N(-mu^2/2, mu^2); D(q||p) = mu^2/2.
    # Exact by Gauss-Hermite (polynomial and exponential integrands of a normal).
    x, w = np.polynomial.hermite_e.hermegauss(80)
    w = w / w.sum()
    for mu in (0.1, 1.0):
        lr = mu * x - mu**2 / 2
        D = mu**2 / 2
        assert np.dot(w, k1(lr)) == pytest.approx(D, rel=1e-12)
        assert np.dot(w, k2(lr)) == pytest.approx(
            D + mu**4 / 8, rel=1e-12
        )  # bias mu^4/8
        assert np.dot(w, k3(lr)) == pytest.approx(D, rel=1e-12)
        var3 = np.dot(w, (k3(lr) - D) ** 2)
        assert var3 == pytest.approx(
            math.expm1(mu**2) - mu**2, rel=1e-10
        )  # psi(mu^2)


def test_k3_accuracy_and_special_values():
    assert k3(1e-9) == pytest.approx(5e-19, rel=1e-9)
    assert k3(0.0) == 0.0
    assert k3(-np.inf) == np.inf  # p(x) = 0 at a sample: r = 0
    assert k3(np.inf) == np.inf
    assert k1(np.array([[1.0]])).shape == (1, 1)


@pytest.mark.parametrize("fn", [k1, k2, k3])
def test_estimators_reject_nan(fn):
    with pytest.raises(
        ValueError,
        match=r"log_ratio must not contain NaN; found NaN at index 2",
    ):
        fn([0.0, 1.0, np.nan])
    with pytest.raises(
        ValueError, match=r"log_ratio must be an array of real numbers"
    ):
        fn(["x"])


# ----------------------------------------------------------------- adapt_beta


@pytest.mark.parametrize(
    "kl, expected",
    [
        (0.001, 0.5),
        (0.01 / 1.5 - 1e-12, 0.5),
        (0.01 / 1.5, 1.0),
        (0.01, 1.0),
        (0.015, 1.0),
        (0.015 + 1e-12, 2.0),
        (-0.001, 0.5),
    ],
)
def test_adapt_beta_rule_and_band_edges(kl, expected):
    assert adapt_beta(1.0, kl, 0.01) == expected


def test_adapt_beta_options():
    assert adapt_beta(3.0, 1.0, 0.1, tolerance=2.0, factor=10.0) == 30.0
    assert adapt_beta(
        3.0, 0.01, 0.1, tolerance=2.0, factor=10.0
    ) == pytest.approx(0.3)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            dict(beta=0.0, kl=0.1, kl_target=0.1),
            r"beta must be a finite number > 0; got 0\.0",
        ),
        (
            dict(beta=1.0, kl=float("nan"), kl_target=0.1),
            r"kl must be a finite number; got nan",
        ),
        (
            dict(beta=1.0, kl=0.1, kl_target=-1.0),
            r"kl_target must be a finite number > 0; got -1\.0",
        ),
        (
            dict(beta=1.0, kl=0.1, kl_target=0.1, tolerance=1.0),
            r"tolerance must be > 1; got 1\.0",
        ),
        (
            dict(beta=1.0, kl=0.1, kl_target=0.1, factor=0.5),
            r"factor must be > 1; got 0\.5",
        ),
        (
            dict(beta=True, kl=0.1, kl_target=0.1),
            r"beta must be a finite number > 0; got True",
        ),
    ],
)
def test_adapt_beta_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        adapt_beta(**kwargs)


# ----------------------------------------------------------------- surrogate


def random_problem(seed, S=4, A=3, N=40):
    rng = np.random.default_rng(seed)
    old = rng.normal(size=(S, A))
    theta = old + 0.6 * rng.normal(size=(S, A))
    return (
        theta,
        old,
        rng.integers(0, S, N),
        rng.integers(0, A, N),
        rng.normal(size=N),
    )


@pytest.mark.parametrize(
    "clip_eps, beta", [(None, 0.0), (0.2, 0.0), (None, 0.7), (0.1, 1.3)]
)
def test_surrogate_gradient_matches_finite_differences(clip_eps, beta):
    theta, old, s, a, adv = random_problem(1)
    value, grad = surrogate(
        theta, old, s, a, adv, clip_eps=clip_eps, beta=beta
    )
    h = 1e-6
    fd = np.zeros_like(theta)
    for idx in np.ndindex(theta.shape):
        e = np.zeros_like(theta)
        e[idx] = h
        fd[idx] = (
            surrogate(theta + e, old, s, a, adv, clip_eps=clip_eps, beta=beta)[
                0
            ]
            - surrogate(
                theta - e, old, s, a, adv, clip_eps=clip_eps, beta=beta
            )[0]
        ) / (2 * h)
    np.testing.assert_allclose(grad, fd, atol=1e-8)


def test_surrogate_value_definitions():
    theta, old, s, a, adv = random_problem(2)
    r = np.exp(
        special.log_softmax(theta, 1)[s, a] - special.log_softmax(old, 1)[s, a]
    )
    assert surrogate(theta, old, s, a, adv)[0] == pytest.approx(
        np.mean(r * adv), rel=1e-14
    )
    clipped = np.mean(np.minimum(r * adv, np.clip(r, 0.8, 1.2) * adv))
    assert surrogate(theta, old, s, a, adv, clip_eps=0.2)[0] == pytest.approx(
        clipped, rel=1e-14
    )
    pen = np.mean(kl_logits(old[s], theta[s]))
    assert surrogate(theta, old, s, a, adv, beta=2.0)[0] == pytest.approx(
        np.mean(r * adv) - 2.0 * pen, rel=1e-14
    )


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (
            (np.zeros(3), np.zeros(3), [0], [0], [1.0]),
            {},
            r"logits and logits_old must be 2-D of the same shape",
        ),
        (
            (np.zeros((2, 2)), np.zeros((2, 2)), [0, 1], [0], [1.0]),
            {},
            r"states, actions and advantages must be 1-D of the same",
        ),
        (
            (np.zeros((2, 2)), np.zeros((2, 2)), [2], [0], [1.0]),
            {},
            r"states must lie in \[0, 2\); found 2",
        ),
        (
            (np.zeros((2, 2)), np.zeros((2, 2)), [0], [-1], [1.0]),
            {},
            r"actions must lie in \[0, 2\); found -1",
        ),
        (
            (np.zeros((2, 2)), np.zeros((2, 2)), [0.5], [0], [1.0]),
            {},
            r"states must be integers",
        ),
        (
            (np.zeros((2, 2)), np.zeros((2, 2)), [0], [0], [np.inf]),
            {},
            r"advantages must be finite",
        ),
        (
            (np.full((2, 2), np.nan), np.zeros((2, 2)), [0], [0], [1.0]),
            {},
            r"logits must be finite",
        ),
        (
            (np.zeros((2, 2)), np.zeros((2, 2)), [0], [0], [1.0]),
            {"clip_eps": 0.0},
            r"clip_eps must be a finite number > 0",
        ),
        (
            (np.zeros((2, 2)), np.zeros((2, 2)), [0], [0], [1.0]),
            {"beta": -1.0},
            r"beta must be a finite number >= 0",
        ),
    ],
)
def test_surrogate_errors(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        surrogate(*args, **kwargs)
