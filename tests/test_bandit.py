"""klnotes.models.bandit: the sampler and the bandit training loop."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from klnotes.models.bandit import (
    ascend_surrogate,
    sample_actions,
    train_bandit,
)
from klnotes.models.ppo import surrogate

R = np.random.default_rng(0).normal(scale=0.3, size=(6, 4))


# ------------------------------------------------------------ sample_actions


def test_sample_actions_matches_probabilities():
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.0, 0.5]])
    rng = np.random.default_rng(5)
    n = 200_000
    for s in (0, 1):
        a = sample_actions(probs, np.full(n, s), rng)
        freq = np.bincount(a, minlength=3) / n
        se = np.sqrt(probs[s] * (1 - probs[s]) / n)
        assert np.all(np.abs(freq - probs[s]) <= 5 * se + 1e-12)
    # an action of probability 0 is never drawn
    assert not np.any(sample_actions(probs, np.ones(n, int), rng) == 1)


def test_sample_actions_never_out_of_range_when_cdf_rounds_low():
    # the cumulative sum of these rows is 1 - 2**-53 < 1 in float64
    row = np.full(10, 0.1)
    assert np.cumsum(row)[-1] < 1.0
    a = sample_actions(
        np.tile(row, (3, 1)), np.zeros(10**5, int), np.random.default_rng(0)
    )
    assert a.min() >= 0 and a.max() <= 9


def test_sample_actions_is_deterministic_given_a_seed():
    probs = special.softmax(R, axis=1)
    s = np.arange(6).repeat(5)
    a1 = sample_actions(probs, s, np.random.default_rng(3))
    a2 = sample_actions(probs, s, np.random.default_rng(3))
    assert np.array_equal(a1, a2)


@pytest.mark.parametrize(
    ("probs", "states", "match"),
    [
        (np.ones(3) / 3, [0], "probs must be 2-D"),
        ([[0.5, 0.6]], [0], "row 0 sums to"),
        ([[1.5, -0.5]], [0], "finite and >= 0"),
        ([[0.5, 0.5]], [1], r"states must lie in \[0, 1\); found 1"),
        ([[0.5, 0.5]], [0.0], "states must be a 1-D array of integers"),
        ([["a", "b"]], [0], "probs must be an array of real numbers"),
    ],
)
def test_sample_actions_rejects_bad_input(probs, states, match):
    with pytest.raises(ValueError, match=match):
        sample_actions(probs, states, np.random.default_rng(0))


def test_sample_actions_rejects_a_non_generator():
    with pytest.raises(
        ValueError, match="rng must be a numpy.random.Generator"
    ):
        sample_actions([[0.5, 0.5]], [0], 0)


# --------------------------------------------------------- the gradient


@pytest.mark.parametrize(
    ("beta", "clip_eps"), [(0.0, None), (0.7, None), (0.0, 0.1), (0.4, 0.1)]
)
def test_ascent_equals_stepping_with_the_per_sample_gradient(beta, clip_eps):
    # large steps, so that the clip binds for some samples on both sides
    rng = np.random.default_rng(1)
    old = rng.normal(size=(6, 4))
    s = rng.integers(0, 6, 40)
    a = sample_actions(special.softmax(old, axis=1), s, rng)
    adv = rng.normal(size=40)
    kw = {"beta": beta, "clip_eps": clip_eps}
    theta = old.copy()
    for _ in range(12):
        theta = theta + 3.0 * surrogate(theta, old, s, a, adv, **kw)[1]
    got, rec = ascend_surrogate(
        old, s, a, adv, epochs=12, step=3.0, checkpoints=(12,), **kw
    )
    np.testing.assert_allclose(got, theta, rtol=1e-10, atol=1e-12)
    assert np.array_equal(rec[0], got)
    if clip_eps is not None:
        ratio = special.softmax(got, 1)[s, a] / special.softmax(old, 1)[s, a]
        assert np.any((ratio > 1 + clip_eps) & (adv > 0))
        assert np.any((ratio < 1 - clip_eps) & (adv < 0))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"epochs": 0, "step": 1.0}, "epochs must be an integer >= 1"),
        ({"epochs": 3, "step": 0.0}, "step must be a finite number > 0"),
        ({"epochs": 3, "step": 1.0, "checkpoints": (4,)}, "checkpoints must"),
        ({"epochs": 3, "step": 1.0, "checkpoints": (1.5,)}, "integers"),
        ({"epochs": 3, "step": 1.0, "beta": -1.0}, "beta must be"),
        ({"epochs": 3, "step": 1.0, "clip_eps": 0.0}, "clip_eps must be"),
    ],
)
def test_ascend_surrogate_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ascend_surrogate(np.zeros((2, 2)), [0], [1], [1.0], **kwargs)


def test_ascend_surrogate_rejects_bad_samples():
    with pytest.raises(ValueError, match="actions must lie in"):
        ascend_surrogate(np.zeros((2, 2)), [0], [2], [1.0], epochs=1, step=1)


# ------------------------------------------------------------ train_bandit


def test_train_bandit_is_deterministic_given_a_seed():
    r1 = train_bandit(R, "adaptive", updates=5, seed=4)
    r2 = train_bandit(R, "adaptive", updates=5, seed=4)
    for x, y in zip(r1, r2, strict=True):
        assert np.array_equal(x, y)
    r3 = train_bandit(R, "adaptive", updates=5, seed=5)
    assert not np.array_equal(r1.kls, r3.kls)


def test_train_bandit_record_shapes_and_beta_path():
    run = train_bandit(R, "adaptive", updates=8, seed=2, kl_target=0.01)
    assert run.kls.shape == run.betas.shape == run.steps.shape == (8,)
    assert run.rewards.shape == (9,)
    assert np.all(run.kls >= 0)
    # beta only ever halves, doubles or stays, starting from 1
    log2 = np.log2(run.betas)
    assert run.betas[0] == 1.0 and np.allclose(log2, np.round(log2))
    assert np.all(np.abs(np.diff(log2)) <= 1)
    # expected reward is an average of the mean rewards under a policy
    assert np.all(run.rewards <= R.max(1).mean() + 1e-12)
    assert run.rewards[0] == pytest.approx(R.mean())
    for mode in ("none", "clip"):
        assert np.all(train_bandit(R, mode, updates=3).betas == 0)


def test_curvature_rule_bounds_step_times_penalty_curvature():
    # step = 2 N / (beta max_s n_s) when that is below the base step; since
    # max_s n_s >= N / S, step * beta <= 2 S
    run = train_bandit(R, "fixed", beta=50.0, updates=4, batch=30, seed=0)
    assert np.all(run.steps < 10.0)
    assert np.all(run.steps * run.betas <= 2 * R.shape[0] * (1 + 1e-12))
    # and 2 N / (step * beta) is a sample count: an integer in [N/S, N]
    n_max = 2 * 30 / (run.steps * run.betas)
    assert np.allclose(n_max, np.round(n_max)) and np.all(n_max >= 5)


def test_curvature_rule_keeps_large_beta_stable_where_constant_step_fails():
    # fixed beta = 64 with step 10 is past the stability limit; the
    # curvature rule keeps every update small, the constant step does not
    kw = {"beta": 64.0, "updates": 6, "seed": 0}
    stable = train_bandit(R, "fixed", **kw)
    unstable = train_bandit(R, "fixed", step_rule="constant", **kw)
    assert stable.kls.max() < 0.05
    assert unstable.kls.max() > 1.0


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((np.ones(3), "none"), {}, "mean_rewards must be 2-D"),
        (([[np.nan]], "none"), {}, "mean_rewards must be finite"),
        ((R, "clipped"), {}, "mode must be one of"),
        ((R, "clip"), {"clip_eps": -0.2}, "clip_eps must be a finite"),
        ((R, "none"), {"step_rule": "adam"}, "step_rule must be one of"),
        ((R, "none"), {"updates": 0}, "updates must be an integer >= 1"),
        ((R, "none"), {"epochs": 2.5}, "epochs must be an integer >= 1"),
        ((R, "none"), {"step": -1.0}, "step must be a finite number > 0"),
        ((R, "fixed"), {"beta": 0.0}, "beta must be a finite number > 0"),
        ((R, "none"), {"noise": np.inf}, "noise must be a finite number"),
    ],
)
def test_train_bandit_rejects_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_bandit(*args, **kwargs)
