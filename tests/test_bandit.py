"""klnotes.models.bandit: the sampler and the bandit training loop."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

import klnotes
from klnotes.models.bandit import (
    ascend_surrogate,
    curvature_bound,
    penalised_maximiser,
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


def test_sample_actions_normalises_rng_like_default_rng():
    # SPEC 7: an int seed and the Generator it seeds give the same draws
    probs = np.full((2, 5), 0.2)
    s = np.array([0, 1, 1, 0, 1] * 20)
    by_seed = sample_actions(probs, s, 7)
    by_gen = sample_actions(probs, s, np.random.default_rng(7))
    assert np.array_equal(by_seed, by_gen)
    assert len(set(by_seed.tolist())) > 1  # the draws are not all equal


@pytest.mark.parametrize("bad", ["seed", 1.5, True, -3])
def test_sample_actions_rejects_a_bad_rng(bad):
    with pytest.raises(ValueError, match="rng must be None, a seed or"):
        sample_actions([[0.5, 0.5]], [0], bad)


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
    r1 = train_bandit(R, "adaptive", updates=5, rng=4)
    r2 = train_bandit(R, "adaptive", updates=5, rng=4)
    for x, y in zip(r1, r2, strict=True):
        assert np.array_equal(x, y)
    r3 = train_bandit(R, "adaptive", updates=5, rng=5)
    assert not np.array_equal(r1.kls, r3.kls)


def test_train_bandit_accepts_a_generator_as_rng():
    by_seed = train_bandit(R, "fixed", updates=3, rng=9)
    by_gen = train_bandit(R, "fixed", updates=3, rng=np.random.default_rng(9))
    assert np.array_equal(by_seed.kls, by_gen.kls)


def test_skipping_the_maximiser_changes_nothing_else():
    full = train_bandit(R, "adaptive", updates=4, rng=6)
    fast = train_bandit(R, "adaptive", updates=4, rng=6, maximiser=False)
    for name in ("kls", "rewards", "betas", "steps", "state_kls"):
        assert np.array_equal(getattr(full, name), getattr(fast, name))
    assert np.all(np.isfinite(full.maximiser_kls))
    assert np.all(np.isnan(fast.maximiser_kls))


def test_curvature_rule_is_common_to_all_modes():
    # the unpenalised modes take the same per-state step 1/M_s (beta = 0)
    # as the penalised ones; with the constant rule every step is `step`
    for mode in ("none", "clip"):
        run = train_bandit(R, mode, updates=4, rng=3)
        assert np.all(run.steps <= 10.0) and np.any(run.steps < 10.0)
        const = train_bandit(R, mode, updates=4, rng=3, step_rule="constant")
        assert np.all(const.steps == 10.0)
    # the step of "none" is min(10, 1 / M_s) with M_s the beta = 0 bound;
    # replay the first update's batch to check it
    rng = np.random.default_rng(3)
    s = rng.integers(0, R.shape[0], 256)
    a = sample_actions(np.full(R.shape, 1 / R.shape[1]), s, rng)
    adv = R[s, a] + rng.normal(size=256) - R.mean(1)[s]
    bound = curvature_bound(np.zeros(R.shape), s, a, adv, beta=0.0)
    want = np.minimum(10.0, 1 / bound)
    run = train_bandit(R, "none", updates=1, rng=3)
    assert np.allclose(run.steps[0], want, rtol=1e-12)


def test_train_bandit_record_shapes_and_beta_path():
    run = train_bandit(R, "adaptive", updates=8, rng=2, kl_target=0.01)
    assert run.kls.shape == run.betas.shape == (8,)
    assert run.steps.shape == run.state_kls.shape == (8, R.shape[0])
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


def test_penalty_rule_bounds_step_times_penalty_curvature():
    # step = 2 N / (beta max_s n_s) when that is below the base step, the
    # same in every state; since max_s n_s >= N / S, step * beta <= 2 S
    run = train_bandit(
        R, "fixed", beta=50.0, updates=4, batch=30, rng=0, step_rule="penalty"
    )
    assert run.steps.shape == (4, R.shape[0])
    assert np.all(run.steps == run.steps[:, :1])
    step = run.steps[:, 0]
    assert np.all(step < 10.0)
    assert np.all(step * run.betas <= 2 * R.shape[0] * (1 + 1e-12))
    # and 2 N / (step * beta) is a sample count: an integer in [N/S, N]
    n_max = 2 * 30 / (step * run.betas)
    assert np.allclose(n_max, np.round(n_max)) and np.all(n_max >= 5)


# --------------------------------------- the curvature bound and its rule


def _confident_batch(seed, n_states=8, n_actions=5, n=60):
    """A batch from a confident old policy: some sampled actions have tiny
    old probabilities, so the weights A / (N pi_old) are large."""
    rng = np.random.default_rng(seed)
    old = 4.0 * rng.normal(size=(n_states, n_actions))
    s = rng.integers(0, n_states, n)
    a = rng.integers(0, n_actions, n)  # not from old: rare actions too
    adv = rng.normal(size=n)
    return old, s, a, adv


def _state_objectives(z, old, s, a, adv, beta):
    """f_s(z) for every state, straight from the samples (an oracle
    independent of the package's summed weights)."""
    n = s.size
    pi, pi_old = special.softmax(z, axis=1), special.softmax(old, axis=1)
    f = np.zeros(z.shape[0])
    np.add.at(f, s, pi[s, a] / pi_old[s, a] * adv / n)
    counts = np.bincount(s, minlength=z.shape[0]) / n
    return f - beta * counts * klnotes.kl_logits(old, z)


def _hessian_block(z, old, s, a, adv, beta, state, h=1e-5):
    """Hessian of the surrogate in the logits of one state, by central
    differences of the per-sample gradient of klnotes.models.ppo."""
    k = z.shape[1]
    cols = []
    for j in range(k):
        e = np.zeros_like(z)
        e[state, j] = h
        gp = surrogate(z + e, old, s, a, adv, beta=beta)[1][state]
        gm = surrogate(z - e, old, s, a, adv, beta=beta)[1][state]
        cols.append((gp - gm) / (2 * h))
    hess = np.array(cols).T
    return 0.5 * (hess + hess.T)


@pytest.mark.parametrize("beta", [0.0, 0.3, 5.0])
def test_curvature_bound_bounds_the_hessian_away_from_the_old_policy(beta):
    old, s, a, adv = _confident_batch(0)
    bound = curvature_bound(old, s, a, adv, beta=beta)
    rng = np.random.default_rng(1)
    used = 0.0
    for scale in (0.0, 1.0, 4.0):
        z = old + scale * rng.normal(size=old.shape)
        for state in np.unique(s):
            hess = _hessian_block(z, old, s, a, adv, beta, state)
            top = np.abs(np.linalg.eigvalsh(hess)).max()
            assert top <= bound[state] * (1 + 1e-6) + 1e-8
            used = max(used, top / bound[state])
    assert used > 0.2  # the bound is not vacuous


def test_curvature_bound_formula_on_a_hand_example():
    old = np.log([[0.5, 0.5], [0.9, 0.1]])
    # state 1: action 1 (advantage 2, pi_old 0.1) and action 0 (advantage
    # -1, pi_old 0.9), N = 3, so w = (-1/2.7, 2/0.3); state 0: one sample
    # with advantage 0
    got = curvature_bound(
        old, [1, 1, 0], [1, 0, 0], [2.0, -1.0, 0.0], beta=3.0
    )
    want = [0.5 * (0 + 3.0 / 3), 0.5 * (2 / 0.3 + 1 / 2.7 + 3.0 * 2 / 3)]
    np.testing.assert_allclose(got, want, rtol=1e-14)


@pytest.mark.parametrize(("seed", "beta"), [(0, 0.2), (2, 1.0), (3, 8.0)])
def test_curvature_step_raises_every_states_objective_every_epoch(seed, beta):
    old, s, a, adv = _confident_batch(seed)
    step = np.minimum(10.0, 1 / curvature_bound(old, s, a, adv, beta=beta))
    epochs = 60
    _, rec = ascend_surrogate(
        old,
        s,
        a,
        adv,
        epochs=epochs,
        step=step,
        beta=beta,
        checkpoints=tuple(range(1, epochs + 1)),
    )
    path = [old, *rec]
    f = np.array([_state_objectives(z, old, s, a, adv, beta) for z in path])
    # the descent lemma: each step gains at least (eta_s / 2) |grad f_s|^2
    for z, f0, f1 in zip(path[:-1], f[:-1], f[1:], strict=True):
        g = surrogate(z, old, s, a, adv, beta=beta)[1] * 1.0
        gain = 0.5 * step * np.sum(g**2, axis=1)
        assert np.all(f1 - f0 >= gain - 1e-12 * (1 + np.abs(f0)))
    # hence f_s never falls below its start, which bounds every divergence
    w = np.zeros_like(old)
    pi_old = special.softmax(old, axis=1)
    np.add.at(w, (s, a), adv / (s.size * pi_old[s, a]))
    counts = np.bincount(s, minlength=old.shape[0]) / s.size
    seen = counts > 0
    budget = (w.max(1) - np.sum(w * pi_old, 1))[seen] / (beta * counts[seen])
    for z in path:
        d = klnotes.kl_logits(old, z)[seen]
        assert np.all(d <= budget * (1 + 1e-9) + 1e-12)


def test_steps_that_ignore_the_surrogates_curvature_can_lower_it():
    # the same batches: the base step 10, and the step of the rule that
    # bounds only the penalty's curvature, make some state's objective fall
    for seed, beta in [(0, 1.0), (2, 1.0), (2, 8.0), (4, 8.0)]:
        old, s, a, adv = _confident_batch(seed)
        n_max = np.bincount(s).max()
        for step in (10.0, min(10.0, 2 * s.size / (beta * n_max))):
            _, rec = ascend_surrogate(
                old,
                s,
                a,
                adv,
                epochs=20,
                step=step,
                beta=beta,
                checkpoints=tuple(range(1, 21)),
            )
            f = np.array(
                [
                    _state_objectives(z, old, s, a, adv, beta)
                    for z in [old, *rec]
                ]
            )
            assert np.any(np.diff(f, axis=0) < -1e-6)


# ------------------------------------------------- the penalised maximiser


@pytest.mark.parametrize(("seed", "beta"), [(0, 0.2), (2, 1.0), (3, 8.0)])
def test_penalised_maximiser_is_the_stationary_point_and_the_maximum(
    seed, beta
):
    old, s, a, adv = _confident_batch(seed)
    star = penalised_maximiser(old, s, a, adv, beta=beta)
    # the gradient of the per-sample surrogate vanishes there, to rounding
    # relative to the weights A / (N pi_old) (up to 1e7 here)
    grad = surrogate(star, old, s, a, adv, beta=beta)[1]
    pi_old = special.softmax(old, axis=1)
    w_max = np.max(np.abs(adv / (s.size * pi_old[s, a])))
    assert np.abs(grad).max() < 1e-14 * (w_max + beta)
    # no nearby or random point does better, state by state
    f_star = _state_objectives(star, old, s, a, adv, beta)
    rng = np.random.default_rng(seed)
    for scale in (1e-3, 0.1, 3.0):
        for _ in range(20):
            z = star + scale * rng.normal(size=old.shape)
            f = _state_objectives(z, old, s, a, adv, beta)
            assert np.all(f <= f_star + 1e-13)
    # states without samples keep the old logits
    some = s < 4
    star = penalised_maximiser(old, s[some], a[some], adv[some], beta=beta)
    assert np.array_equal(star[4:], old[4:])
    assert not np.array_equal(star[:4], old[:4])


def test_penalised_maximiser_with_old_probabilities_that_underflow():
    # exp(-1000) is 0 in float64: the maximiser must stay finite and keep
    # the unsampled, underflowing action at its old log-probability scale
    old = np.array([[0.0, -1000.0, 1.0], [0.0, 0.0, -800.0]])
    s, a, adv = [0, 0, 1], [0, 2, 1], [-1.0, 0.5, 2.0]
    star = penalised_maximiser(old, s, a, adv, beta=1.0)
    assert np.all(np.isfinite(star))
    assert np.abs(surrogate(star, old, s, a, adv, beta=1.0)[1]).max() < 1e-14
    # log pi*(a) = log(c pi_old(a)) - log(lambda - w_a), w_a = 0 there
    assert -1002 < special.log_softmax(star, axis=1)[0, 1] < -998


def test_curvature_step_ascent_converges_to_the_maximiser():
    rng = np.random.default_rng(5)
    old = rng.normal(size=(3, 5))
    s, a = rng.integers(0, 3, 30), rng.integers(0, 5, 30)
    adv, beta = rng.normal(size=30), 2.0
    step = np.minimum(10.0, 1 / curvature_bound(old, s, a, adv, beta=beta))
    z, _ = ascend_surrogate(old, s, a, adv, epochs=1000, step=step, beta=beta)
    star = penalised_maximiser(old, s, a, adv, beta=beta)
    np.testing.assert_allclose(
        special.softmax(z, 1), special.softmax(star, 1), atol=1e-12
    )


def test_train_bandit_maximiser_record_and_overshoot():
    # the chapter's bandit: the penalty-only rule throws a state far past
    # its maximiser; the curvature rule, on these seeds, never ends an
    # update more than 0.01 nats beyond it (observed, not guaranteed)
    big = np.random.default_rng(0).normal(scale=0.3, size=(50, 10))
    old_rule = train_bandit(big, "fixed", rng=11, step_rule="penalty")
    assert np.max(old_rule.state_kls - old_rule.maximiser_kls) > 50
    for mode, seed in [("fixed", 10), ("fixed", 11), ("adaptive", 11)]:
        run = train_bandit(big, mode, rng=seed)
        assert run.state_kls.shape == run.maximiser_kls.shape == (60, 50)
        np.testing.assert_allclose(run.state_kls.mean(1), run.kls, rtol=1e-15)
        assert np.max(run.state_kls - run.maximiser_kls) < 0.01
    assert np.all(np.isnan(train_bandit(R, "clip", updates=2).maximiser_kls))


@pytest.mark.parametrize(
    ("func", "kwargs", "match"),
    [
        (curvature_bound, {"beta": -1.0}, "beta must be"),
        (penalised_maximiser, {"beta": 0.0}, "beta must be"),
        (ascend_surrogate, {"epochs": 1, "step": [1.0]}, r"shape \(S,\)"),
        (ascend_surrogate, {"epochs": 1, "step": [1.0, 0.0]}, r"step\[1\]"),
        (ascend_surrogate, {"epochs": 1, "step": ["a", 1]}, "array of num"),
    ],
)
def test_bound_maximiser_and_step_reject_bad_input(func, kwargs, match):
    with pytest.raises(ValueError, match=match):
        func(np.zeros((2, 2)), [0], [1], [1.0], **kwargs)


def test_curvature_rule_keeps_large_beta_stable_where_constant_step_fails():
    # fixed beta = 64 with step 10 is past the stability limit; the
    # curvature rule keeps every update small, the constant step does not
    kw = {"beta": 64.0, "updates": 6, "rng": 0}
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
        ((R, "none"), {"maximiser": "yes"}, "maximiser must be True or"),
        ((R, "none"), {"rng": "seed"}, "rng must be None, a seed or"),
    ],
)
def test_train_bandit_rejects_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_bandit(*args, **kwargs)


def test_an_underflowing_sampled_probability_is_a_clear_error():
    old = np.array([[0.0, -800.0]])  # pi_old(1) = exp(-800) = 0 in float64
    for f in (curvature_bound, penalised_maximiser):
        with pytest.raises(ValueError, match=r"state 0, action 1"):
            f(old, [0], [1], [1.0], beta=1.0)
