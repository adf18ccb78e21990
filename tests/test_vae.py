"""klnotes.models.vae: exact gradients (finite differences), loss definition, training, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from klnotes import kl_std_normal
from klnotes.models import vae
from klnotes.models.vae import (
    _loss_and_grad,
    decode,
    encode,
    init_params,
    loss_and_grad,
    stack,
    train,
    unstack,
)


def problem(seed=0, n=7, d=3, h=5, n_lat=2):
    rng = np.random.default_rng(seed)
    params = init_params(rng, d, h, n_lat)
    for k in params:  # non-zero biases, so that their gradients are exercised
        params[k] = params[k] + 0.1 * rng.normal(size=params[k].shape)
    return params, rng.normal(size=(n, d)), rng.normal(size=(n, n_lat))


# free_bits = 0.28 lies between the two latent dimensions' KL (0.239, 0.327 for
# this problem): one is clamped (no pull to the prior), the other is not.
@pytest.mark.parametrize(
    "beta, free_bits", [(1.0, 0.0), (3.0, 0.0), (0.0, 0.0), (1.0, 0.28)]
)
def test_gradient_matches_central_differences(beta, free_bits):
    params, x, eps = problem()
    kw = dict(beta=beta, obs_sd=0.7, free_bits=free_bits)
    _, stats, grads = loss_and_grad(params, x, eps, **kw)
    if free_bits:
        # the clamp must be active for one dimension and inactive for the other,
        # by a margin that the finite-difference steps below cannot cross
        kl = stats["kl_per_dim"]
        assert np.any(kl < free_bits - 0.01) and np.any(
            kl > free_bits + 0.01
        ), kl
    h = 1e-6
    for key, value in params.items():
        fd = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            saved = value[idx]
            value[idx] = saved + h
            up = loss_and_grad(params, x, eps, **kw)[0]
            value[idx] = saved - h
            down = loss_and_grad(params, x, eps, **kw)[0]
            value[idx] = saved
            fd[idx] = (up - down) / (2 * h)
        np.testing.assert_allclose(
            grads[key], fd, rtol=1e-6, atol=1e-8, err_msg=key
        )


def test_loss_is_the_negative_elbo():
    params, x, eps = problem(1)
    loss, stats, _ = loss_and_grad(params, x, eps, beta=1.0, obs_sd=0.5)
    mu, log_var = encode(params, x)
    x_hat = decode(params, mu + np.exp(0.5 * log_var) * eps)
    nll = np.mean(
        np.sum((x - x_hat) ** 2, 1) / (2 * 0.25)
        + 1.5 * math.log(2 * math.pi * 0.25)
    )
    kl = np.mean(kl_std_normal(mu, log_var))
    assert stats["recon"] == pytest.approx(nll, rel=1e-14)
    assert stats["kl"] == pytest.approx(kl, rel=1e-14)
    assert loss == pytest.approx(nll + kl, rel=1e-14)


def test_free_bits_clamps_each_dimension():
    params, x, eps = problem(2)
    loss0, stats, _ = loss_and_grad(params, x, eps, beta=2.0)
    lam = (
        float(np.max(stats["kl_per_dim"])) + 1.0
    )  # above every dimension: KL term becomes L * lam
    loss_fb, _, grads = loss_and_grad(params, x, eps, beta=2.0, free_bits=lam)
    assert loss_fb == pytest.approx(stats["recon"] + 2.0 * lam * 2, rel=1e-14)
    _, _, grads_beta0 = loss_and_grad(params, x, eps, beta=0.0)
    np.testing.assert_allclose(
        grads["Wm"], grads_beta0["Wm"], rtol=1e-12
    )  # no pull to the prior


def test_training_decreases_the_loss_and_is_deterministic():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(400, 1))
    x = np.hstack([np.sin(z), np.cos(z), z]) + 0.05 * rng.normal(size=(400, 3))
    runs = []
    for _ in range(2):
        p = init_params(np.random.default_rng(4), 3, 16, 2)
        runs.append(
            train(
                p,
                x,
                rng=np.random.default_rng(5),
                epochs=30,
                batch_size=50,
                lr=1e-2,
                obs_sd=0.1,
            )
        )
    assert np.array_equal(runs[0]["loss"], runs[1]["loss"])
    assert runs[0]["loss"][-1] < runs[0]["loss"][0] - 10.0


def test_beta_schedule_is_applied():
    rng = np.random.default_rng(6)
    p = init_params(rng, 2, 4, 1)
    hist = train(
        p,
        rng.normal(size=(20, 2)),
        rng=rng,
        epochs=4,
        batch_size=10,
        beta=lambda e: 0.25 * e,
    )
    assert hist["beta"].tolist() == [0.0, 0.25, 0.5, 0.75]


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda p, x, e: loss_and_grad(p, x[:, :2], e),
            r"x must have shape \(N, 3\); got \(7, 2\)",
        ),
        (
            lambda p, x, e: loss_and_grad(p, x, e[:3]),
            r"eps must have shape \(7, 2\)",
        ),
        (
            lambda p, x, e: loss_and_grad(p, x, e, beta=-1.0),
            r"beta must be a finite number >= 0; got -1\.0",
        ),
        (
            lambda p, x, e: loss_and_grad(p, x, e, obs_sd=0.0),
            r"obs_sd must be a finite number > 0; got 0\.0",
        ),
        (
            lambda p, x, e: loss_and_grad(p, x, e, free_bits=np.nan),
            r"free_bits must be a finite number >= 0",
        ),
        (
            lambda p, x, e: loss_and_grad(p, np.full_like(x, np.inf), e),
            r"x must be finite",
        ),
        (
            lambda p, x, e: init_params(np.random.default_rng(0), 0, 3, 2),
            r"n_in must be an integer >= 1; got 0",
        ),
        (
            lambda p, x, e: init_params("zero", 3, 3, 2),
            r"rng must be a seed \(int\), None or a numpy.random.Generator",
        ),
        (
            lambda p, x, e: train(
                p, x, rng=np.random.default_rng(0), epochs=0
            ),
            r"epochs must be an integer >= 1; got 0",
        ),
        (
            lambda p, x, e: train(
                p, x, rng=np.random.default_rng(0), epochs=1, lr=-1.0
            ),
            r"lr must be a finite number > 0",
        ),
        (
            lambda p, x, e: train(
                p, x[:, :1], rng=np.random.default_rng(0), epochs=1
            ),
            r"data must have shape \(N, 3\)",
        ),
        (
            lambda p, x, e: train(
                p,
                x,
                rng=np.random.default_rng(0),
                epochs=1,
                beta=lambda ep: -1.0,
            ),
            r"beta\(epoch\) must be",
        ),
    ],
)
def test_every_error_message(call, message):
    params, x, eps = problem()
    with pytest.raises(ValueError, match=message):
        call(params, x, eps)


def test_train_rejects_a_loss_that_is_not_callable():
    rng = np.random.default_rng(0)
    params = init_params(rng, 3, 4, 2)
    with pytest.raises(
        ValueError, match="loss must be callable or None; got int"
    ):
        train(params, rng.normal(size=(10, 3)), rng=rng, epochs=1, loss=3)


def test_train_with_the_default_loss_hook_is_train_without_it():
    data = np.random.default_rng(1).normal(size=(40, 3))
    runs = []
    for hook in (None, loss_and_grad):
        params = init_params(np.random.default_rng(2), 3, 4, 2)
        hist = train(
            params,
            data,
            rng=np.random.default_rng(3),
            epochs=2,
            batch_size=10,
            loss=hook,
        )
        runs.append((params, hist))
    (p1, h1), (p2, h2) = runs
    assert all(np.array_equal(p1[k], p2[k]) for k in p1)
    assert np.array_equal(h1["loss"], h2["loss"])


def test_train_stops_with_a_clear_error_when_the_loss_diverges():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    params = vae.init_params(rng, 3, 8, 2)
    with pytest.raises(ValueError, match=r"training diverged at epoch \d+"):
        vae.train(params, x, rng=rng, epochs=50, batch_size=50, lr=1e8)
    # the caller's arrays were updated up to the failing step
    assert any(not np.all(np.isfinite(v)) for v in params.values()) or any(
        np.max(np.abs(v)) > 1e3 for v in params.values()
    )


def test_train_updates_the_callers_arrays_in_place():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(100, 3))
    params = vae.init_params(rng, 3, 8, 2)
    before = {k: v for k, v in params.items()}
    start = {k: v.copy() for k, v in params.items()}
    vae.train(params, x, rng=rng, epochs=2, batch_size=50)
    assert all(params[k] is before[k] for k in params)
    assert all(not np.array_equal(params[k], start[k]) for k in params)


def test_train_keeps_float32_parameters_and_rejects_integer_ones():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(100, 3))
    params = {
        k: v.astype(np.float32)
        for k, v in vae.init_params(rng, 3, 8, 2).items()
    }
    vae.train(params, x, rng=rng, epochs=2, batch_size=50)
    assert all(v.dtype == np.float32 for v in params.values())
    params["b1"] = np.zeros(8, dtype=int)
    with pytest.raises(ValueError, match=r"params\['b1'\] must be a floating"):
        vae.train(params, x, rng=rng, epochs=1)


def test_train_rejects_a_loss_hook_that_replaces_a_parameter_array():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(100, 3))

    def clipping_by_rebinding(p, xb, eps, *, beta, obs_sd):
        out = vae.loss_and_grad(p, xb, eps, beta=beta, obs_sd=obs_sd)
        p["bv"] = np.clip(p["bv"], -1.0, 1.0)  # rebinds: would be lost
        return out

    def freezing_bv_in_place(p, xb, eps, *, beta, obs_sd):
        p["bv"][...] = 0.0  # in place: the trained array itself
        value, stats, grads = vae.loss_and_grad(
            p, xb, eps, beta=beta, obs_sd=obs_sd
        )
        grads["bv"] = np.zeros_like(grads["bv"])  # so Adam leaves it at 0
        return value, stats, grads

    params = vae.init_params(rng, 3, 8, 2)
    with pytest.raises(ValueError, match="in place, not replace"):
        vae.train(params, x, rng=rng, epochs=1, loss=clipping_by_rebinding)
    params["bv"][...] = 0.5
    start = {k: v.copy() for k, v in params.items()}
    vae.train(params, x, rng=rng, epochs=3, loss=freezing_bv_in_place)
    assert np.all(params["bv"] == 0.0)
    assert not np.array_equal(params["W1"], start["W1"])


def test_train_stops_when_a_loss_hook_returns_a_non_finite_gradient():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(100, 3))

    def bad_gradient(p, xb, eps, *, beta, obs_sd):
        value, stats, grads = vae.loss_and_grad(
            p, xb, eps, beta=beta, obs_sd=obs_sd
        )
        grads["W1"] = np.full_like(grads["W1"], np.nan)
        return value, stats, grads

    params = vae.init_params(rng, 3, 8, 2)
    start = {k: v.copy() for k, v in params.items()}
    with pytest.raises(ValueError, match="gradient is not finite"):
        vae.train(params, x, rng=rng, epochs=1, loss=bad_gradient)
    assert all(np.array_equal(params[k], start[k]) for k in params)


def test_rng_is_normalised_by_default_rng():
    """A seed, a Generator and None are accepted (SPEC 7); a seed is default_rng(seed)."""
    a = init_params(5, 3, 4, 2)
    b = init_params(np.random.default_rng(5), 3, 4, 2)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    init_params(None, 3, 4, 2)
    with pytest.raises(ValueError, match="rng must be a seed"):
        init_params(True, 3, 4, 2)


def test_a_stack_trains_each_model_as_if_alone():
    """Stacked models get exactly the loss and gradient each has on its own."""
    rng = np.random.default_rng(3)
    models = [init_params(seed, 3, 5, 2) for seed in range(3)]
    stacked = stack(models)
    x, eps = rng.normal(size=(3, 7, 3)), rng.normal(size=(3, 7, 2))
    betas = np.array([0.0, 1.0, 2.5])
    for free_bits in (0.0, 0.3):
        total, stats, grads, _ = _loss_and_grad(
            stacked, x, eps, betas, 0.7, free_bits
        )
        parts = [
            _loss_and_grad(m, x[i], eps[i], betas[i], 0.7, free_bits)
            for i, m in enumerate(models)
        ]
        assert np.isclose(total, sum(p[0] for p in parts), rtol=1e-13)
        for i, (loss_i, _stats_i, grads_i, _) in enumerate(parts):
            assert np.isclose(stats["loss"][i], loss_i, rtol=1e-13)
            for k in grads_i:
                np.testing.assert_allclose(
                    grads[k][i], grads_i[k], rtol=1e-12, atol=1e-15
                )


def test_train_on_a_stack_is_deterministic_lowers_each_loss_and_unstacks():
    data = np.random.default_rng(0).normal(size=(60, 3))
    betas = np.array([0.5, 1.0, 4.0])
    runs = []
    for _ in range(2):
        stacked = stack([init_params(seed, 3, 6, 2) for seed in range(3)])
        hist = train(
            stacked,
            data,
            rng=1,
            epochs=30,
            batch_size=20,
            beta=betas,
            lr=lambda epoch: 1e-2 if epoch < 20 else 1e-3,
        )
        runs.append((stacked, hist))
    (s1, h1), (s2, h2) = runs
    assert h1["loss"].shape == (30, 3)
    assert h1["kl_per_dim"].shape == (30, 3, 2)
    assert np.all(h1["loss"][-1] < h1["loss"][0])
    assert all(np.array_equal(s1[k], s2[k]) for k in s1)
    models = unstack(s1)
    assert len(models) == 3 and models[0]["W1"].shape == (3, 6)
    mu, _ = encode(s1, data)
    np.testing.assert_allclose(mu[2], encode(models[2], data)[0], rtol=1e-13)


def test_stack_and_train_reject_bad_input():
    with pytest.raises(ValueError, match="non-empty"):
        stack([])
    with pytest.raises(ValueError, match="same keys and array shapes"):
        stack([init_params(0, 3, 4, 2), init_params(0, 3, 5, 2)])
    with pytest.raises(ValueError, match="params must be stacked"):
        unstack(init_params(0, 3, 4, 2))
    stacked = stack([init_params(seed, 3, 4, 2) for seed in range(2)])
    data = np.zeros((10, 3))
    with pytest.raises(ValueError, match="one per stacked model"):
        train(stacked, data, rng=0, epochs=1, beta=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"lr\(epoch\) must be"):
        train(stacked, data, rng=0, epochs=1, lr=lambda epoch: 0.0)
