"""klnotes.models.vae_extras: estimators against exact values, smooth free bits, errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import special, stats

from klnotes.models import vae, vae_extras


def problem(seed=0, n=7, d=3, h=5, latent=2):
    rng = np.random.default_rng(seed)
    params = vae.init_params(rng, d, h, latent)
    for k in params:
        params[k] = params[k] + 0.1 * rng.normal(size=params[k].shape)
    return params, rng.normal(size=(n, d)), rng.normal(size=(n, latent))


def test_expected_distortion_matches_the_mean_over_codes():
    params, x, _ = problem(1, n=40)
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    got = vae_extras.expected_distortion(
        params, x, obs_sd=0.7, rng=rng_a, n_samples=3
    )
    mu, log_var = vae.encode(params, x)
    eps = rng_b.standard_normal((3, *mu.shape))
    x_hat = vae.decode(
        params, (mu + np.exp(0.5 * log_var) * eps).reshape(-1, mu.shape[1])
    )
    nll = -stats.norm(x_hat.reshape(3, *x.shape), 0.7).logpdf(x).sum(-1)
    assert got == pytest.approx(nll.mean(), rel=1e-12)


def test_expected_distortion_exceeds_the_mean_code_error_on_average():
    params, x, _ = problem(2, n=200)
    params["bv"][:] = 0.0  # unit encoder variance: codes spread
    got = vae_extras.expected_distortion(
        params, x, obs_sd=1.0, rng=np.random.default_rng(0), n_samples=50
    )
    mu, _ = vae.encode(params, x)
    mean_code = np.mean(
        np.sum((x - vae.decode(params, mu)) ** 2, 1)
    ) / 2 + 1.5 * math.log(2 * math.pi)
    assert got > mean_code


def test_rate_decomposition_sums_to_the_rate_and_matches_mi_bounds():
    params, _, _ = problem(3)
    x = np.random.default_rng(4).normal(size=(300, 3))
    r = vae_extras.rate_decomposition(
        params, x, rng=np.random.default_rng(6), n_samples=20
    )
    mu, log_var = vae.encode(params, x)
    rate = np.mean(0.5 * np.sum(np.exp(log_var) - 1 - log_var + mu**2, 1))
    assert r["rate"] == pytest.approx(rate, rel=1e-12)
    total = r["mutual_information"] + r["marginal_kl"]
    se = math.hypot(r["se_mutual_information"], r["se_marginal_kl"])
    assert abs(total - r["rate"]) < 5 * se
    assert 0 <= r["mutual_information"] <= math.log(300)
    assert r["marginal_kl"] > -5 * r["se_marginal_kl"]


def test_rate_decomposition_of_a_prior_encoder_is_zero():
    params, x, _ = problem(4, n=50)
    for k in ("Wm", "bm", "Wv", "bv"):
        params[k][:] = 0.0  # q(z|x) = N(0, I) = p(z) for every x
    r = vae_extras.rate_decomposition(params, x, rng=np.random.default_rng(0))
    assert r["rate"] == 0.0
    assert abs(r["mutual_information"]) < 1e-12
    assert abs(r["marginal_kl"]) < 1e-12


def test_active_units_is_the_variance_of_the_encoder_mean():
    params, x, _ = problem(5, n=30)
    count, activity = vae_extras.active_units(params, x, threshold=0.0)
    mu, _ = vae.encode(params, x)
    np.testing.assert_allclose(activity, mu.var(axis=0), rtol=1e-14)
    assert count == int(np.sum(activity > 0.0))
    big = float(activity.max()) + 1.0
    assert vae_extras.active_units(params, x, threshold=big)[0] == 0


def test_iwae_with_the_exact_posterior_is_log_evidence():
    # Decoder affine in z: zero first layer slope, so x_hat = b3 + W3 tanh(b2)
    # is constant in z; then p(x|z) = p(x) does not depend on z, the posterior is
    # the prior, and an encoder equal to the prior gives weights that are all p(x).
    params, x, _ = problem(6, n=5)
    params["W2"][:] = 0.0
    for k in ("Wm", "bm", "Wv", "bv"):
        params[k][:] = 0.0
    x_hat = vae.decode(params, np.zeros((1, 2)))
    exact = stats.norm(x_hat, 0.8).logpdf(x).sum(-1)
    for k in (1, 7):
        got = vae_extras.iwae_bound(
            params, x, n_samples=k, obs_sd=0.8, rng=np.random.default_rng(1)
        )
        np.testing.assert_allclose(got, exact, rtol=1e-12)


def test_iwae_increases_with_k_and_k1_is_one_log_weight():
    params, _, _ = problem(7)
    x = np.random.default_rng(8).normal(size=(400, 3))
    l1, l20 = (
        vae_extras.iwae_bound(
            params, x, n_samples=k, obs_sd=0.6, rng=np.random.default_rng(9)
        )
        for k in (1, 20)
    )
    assert l20.mean() > l1.mean()
    # K = 1: log p(x|z) + log p(z) - log q(z|x) at z = mu + sigma * eps, computed with scipy
    mu, log_var = vae.encode(params, x)
    sd = np.exp(0.5 * log_var)
    z = mu + sd * np.random.default_rng(9).standard_normal((1, *mu.shape))[0]
    log_w = (
        stats.norm(vae.decode(params, z), 0.6).logpdf(x).sum(1)
        + stats.norm(0, 1).logpdf(z).sum(1)
        - stats.norm(mu, sd).logpdf(z).sum(1)
    )
    np.testing.assert_allclose(l1, log_w, rtol=1e-12)


def test_smooth_free_bits_bounds_limit_and_slope():
    k = np.linspace(0, 2, 41)
    for tau in (0.3, 0.05, 1e-3):
        value, slope = vae_extras.smooth_free_bits(k, 0.5, tau)
        hard = np.maximum(0.5, k)
        assert np.all(value >= hard) and np.all(
            value <= hard + tau * math.log(2) + 1e-15
        )
        h = 1e-6
        fd = (
            vae_extras.smooth_free_bits(k + h, 0.5, tau)[0]
            - vae_extras.smooth_free_bits(k - h, 0.5, tau)[0]
        ) / (2 * h)
        np.testing.assert_allclose(slope, fd, rtol=1e-5, atol=1e-7)
    value, _ = vae_extras.smooth_free_bits(k, 0.5, 1e-4)
    np.testing.assert_allclose(value, np.maximum(0.5, k), atol=1e-4)


def test_smooth_free_bits_gradient_matches_central_differences_in_the_mixed_case():
    params, x, eps = problem(0)
    _, stats_, _ = vae.loss_and_grad(params, x, eps)
    kl = np.sort(stats_["kl_per_dim"])
    lam = float(
        kl.mean()
    )  # between the two dimensions' KLs: one below, one above
    assert kl[0] < lam < kl[1]
    kw = {"beta": 2.0, "obs_sd": 0.7, "free_bits": lam, "softness": 0.02}
    _, _, grads = vae_extras.loss_and_grad_smooth_free_bits(
        params, x, eps, **kw
    )
    h = 1e-6
    for key, value in params.items():
        fd = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            saved = value[idx]
            value[idx] = saved + h
            up = vae_extras.loss_and_grad_smooth_free_bits(
                params, x, eps, **kw
            )[0]
            value[idx] = saved - h
            down = vae_extras.loss_and_grad_smooth_free_bits(
                params, x, eps, **kw
            )[0]
            value[idx] = saved
            fd[idx] = (up - down) / (2 * h)
        np.testing.assert_allclose(
            grads[key], fd, rtol=1e-6, atol=1e-8, err_msg=key
        )


def test_smooth_free_bits_with_a_large_softness_gap_keeps_the_plain_gradient_scaled():
    # far above lam the slope is 1: the loss gradient equals the plain beta-VAE one
    params, x, eps = problem(1)
    _, _, g_plain = vae.loss_and_grad(params, x, eps, beta=1.5, obs_sd=0.5)
    _, _, g_soft = vae_extras.loss_and_grad_smooth_free_bits(
        params, x, eps, beta=1.5, obs_sd=0.5, free_bits=-0.0, softness=1e-6
    )
    for k in g_plain:
        np.testing.assert_allclose(
            g_soft[k], g_plain[k], rtol=1e-10, atol=1e-14
        )


def test_train_smooth_free_bits_is_deterministic_and_holds_dimensions_near_lambda():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(300, 1))
    x = np.hstack([np.sin(z), np.cos(z), z]) + 0.05 * rng.normal(size=(300, 3))
    runs = []
    for _ in range(2):
        p = vae.init_params(np.random.default_rng(4), 3, 16, 2)
        runs.append(
            vae_extras.train_smooth_free_bits(
                p,
                x,
                rng=np.random.default_rng(5),
                epochs=40,
                batch_size=50,
                beta=20.0,
                obs_sd=0.1,
                free_bits=0.4,
                softness=0.05,
            )
        )
    assert np.array_equal(runs[0]["loss"], runs[1]["loss"])
    assert np.all(
        runs[0]["kl_per_dim"][-1] > 0.3
    )  # a plain beta = 20 run would collapse one


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda p, x: vae_extras.expected_distortion(
                p, x, obs_sd=0.0, rng=np.random.default_rng()
            ),
            "obs_sd",
        ),
        (
            lambda p, x: vae_extras.expected_distortion(
                p, x[:, :2], obs_sd=1.0, rng=np.random.default_rng()
            ),
            "x must",
        ),
        (
            lambda p, x: vae_extras.rate_decomposition(p, x, rng="zero"),
            "rng must be a seed",
        ),
        (
            lambda p, x: vae_extras.rate_decomposition(
                p, x, rng=np.random.default_rng(), n_samples=0
            ),
            "n_samples",
        ),
        (
            lambda p, x: vae_extras.active_units(p, x, threshold=-1.0),
            "threshold",
        ),
        (
            lambda p, x: vae_extras.active_units(p, np.full_like(x, np.nan)),
            "finite",
        ),
        (
            lambda p, x: vae_extras.iwae_bound(
                p, x, n_samples=1.5, obs_sd=1.0, rng=np.random.default_rng()
            ),
            "n_samples",
        ),
        (
            lambda p, x: vae_extras.smooth_free_bits([1.0], -0.1, 0.1),
            "free_bits",
        ),
        (
            lambda p, x: vae_extras.smooth_free_bits([1.0], 0.1, 0.0),
            "softness",
        ),
        (
            lambda p, x: vae_extras.train_smooth_free_bits(
                p,
                x,
                rng=np.random.default_rng(),
                epochs=0,
                free_bits=0.1,
                softness=0.1,
            ),
            "epochs",
        ),
    ],
)
def test_errors_name_the_argument(call, match):
    params, x, _ = problem(0)
    with pytest.raises(ValueError, match=match):
        call(params, x)


def test_pairwise_log_densities_match_the_direct_form_within_the_bound():
    # The expanded quadratic form's absolute error is a few units of
    # 2**-52 * S, S = sum_l [(z_l^2 + m_l^2) / v_l + |log v_l| + log 2 pi]
    # (docstring of _log_normal_pairs); small variances, as in a trained
    # encoder, make S large.
    for latent in (1, 4, 16):
        rng = np.random.default_rng(latent)
        mean = 2 * rng.normal(size=(300, latent))
        var = np.exp(rng.uniform(-8, 2, size=(300, latent)))
        z = mean[:120] + np.sqrt(var[:120]) * rng.normal(size=(120, latent))
        got = vae_extras._log_normal_pairs(mean, var)(z)
        comps = stats.norm(mean[None], np.sqrt(var[None])).logpdf(z[:, None])
        want = comps.sum(-1)
        s = np.sum(
            (z[:, None] ** 2 + mean[None] ** 2) / var[None]
            + np.abs(np.log(var[None]))
            + math.log(2 * math.pi),
            axis=-1,
        )
        assert got.shape == (120, 300)
        assert np.all(np.abs(got - want) <= 8 * 2.0**-52 * s)


def test_rate_decomposition_equals_the_direct_mixture_computation():
    params, _, _ = problem(8, latent=3)
    x = np.random.default_rng(9).normal(size=(700, 3))  # two chunks of rows
    r = vae_extras.rate_decomposition(
        params, x, rng=np.random.default_rng(10), n_samples=2
    )
    mu, log_var = vae.encode(params, x)
    sd = np.exp(0.5 * log_var)
    draws = np.random.default_rng(10)
    info, marg = [], []
    for _ in range(2):
        z = mu + sd * draws.standard_normal(mu.shape)
        log_cond = stats.norm(mu, sd).logpdf(z).sum(-1)
        comps = stats.norm(mu[None], sd[None]).logpdf(z[:, None]).sum(-1)
        log_agg = special.logsumexp(comps, axis=1) - math.log(len(x))
        log_prior = stats.norm().logpdf(z).sum(-1)
        info.append(log_cond - log_agg)
        marg.append(log_agg - log_prior)
    assert r["mutual_information"] == pytest.approx(
        np.mean(np.concatenate(info)), abs=1e-11
    )
    assert r["marginal_kl"] == pytest.approx(
        np.mean(np.concatenate(marg)), abs=1e-11
    )


def test_the_0_2_0_names_still_work_and_warn():
    params, x, eps = problem(11)
    kw = {"free_bits": 0.5, "softness": 0.05}
    pairs = [
        (
            vae_extras.soft_free_bits,
            vae_extras.smooth_free_bits,
            ([0.2, 0.9], 0.5, 0.05),
            {},
        ),
        (
            vae_extras.loss_and_grad_soft_free_bits,
            vae_extras.loss_and_grad_smooth_free_bits,
            (params, x, eps),
            kw,
        ),
    ]
    for old, new, args, kwargs in pairs:
        with pytest.warns(DeprecationWarning, match=new.__name__):
            got = old(*args, **kwargs)
        want = new(*args, **kwargs)
        assert np.array_equal(got[0], want[0])
    runs = []
    for train in (
        vae_extras.train_soft_free_bits,
        vae_extras.train_smooth_free_bits,
    ):
        p = {k: v.copy() for k, v in params.items()}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            hist = train(p, x, rng=np.random.default_rng(0), epochs=2, **kw)
        runs.append((hist["loss"], len(caught)))
    assert np.array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == 1 and runs[1][1] == 0


def test_train_smooth_free_bits_accepts_a_beta_schedule():
    params, x, _ = problem(12, n=60)
    hist = vae_extras.train_smooth_free_bits(
        params,
        x,
        rng=np.random.default_rng(0),
        epochs=4,
        batch_size=30,
        beta=lambda epoch: 0.5 * epoch,
        free_bits=0.5,
        softness=0.05,
    )
    assert hist["beta"].tolist() == [0.0, 0.5, 1.0, 1.5]
    with pytest.raises(ValueError, match="beta"):
        vae_extras.train_smooth_free_bits(
            params,
            x,
            rng=np.random.default_rng(0),
            epochs=1,
            beta=-1.0,
            free_bits=0.5,
            softness=0.05,
        )


def test_smooth_free_bits_on_a_stack_matches_each_model_alone():
    rng = np.random.default_rng(4)
    models = [vae.init_params(seed, 3, 5, 2) for seed in range(2)]
    stacked = vae.stack(models)
    x, eps = rng.normal(size=(2, 9, 3)), rng.normal(size=(2, 9, 2))
    betas = np.array([1.0, 3.0])
    total, stats, grads = vae_extras._smooth_free_bits_loss(
        stacked, x, eps, betas, 0.5, 0.4, 0.05
    )
    for i, m in enumerate(models):
        loss_i, _, grads_i = vae_extras.loss_and_grad_smooth_free_bits(
            m,
            x[i],
            eps[i],
            beta=betas[i],
            obs_sd=0.5,
            free_bits=0.4,
            softness=0.05,
        )
        assert np.isclose(stats["loss"][i], loss_i, rtol=1e-13)
        for k in grads_i:
            np.testing.assert_allclose(
                grads[k][i], grads_i[k], rtol=1e-12, atol=1e-15
            )


def _learned_variance_loss(params, x, eps, beta):
    return vae_extras._learned_variance_loss(
        params, x, eps, beta=beta, obs_sd=1.0
    )


def test_learned_variance_gradient_matches_central_differences():
    params, x, eps = problem()
    params["log_obs_var"] = np.array(np.log(0.7))
    loss, _, grads = _learned_variance_loss(params, x, eps, 1.3)
    h = 1e-6
    for key in ("log_obs_var", "W3", "Wm"):
        flat = params[key].reshape(-1)
        for i in range(min(3, flat.size)):
            old = flat[i]
            flat[i] = old + h
            up = _learned_variance_loss(params, x, eps, 1.3)[0]
            flat[i] = old - h
            down = _learned_variance_loss(params, x, eps, 1.3)[0]
            flat[i] = old
            assert np.isclose(
                grads[key].reshape(-1)[i],
                (up - down) / (2 * h),
                rtol=1e-6,
                atol=1e-8,
            )
    # at s^2 equal to the mean squared error per coordinate the gradient is 0
    _, stats, _ = _learned_variance_loss(params, x, eps, 1.3)
    params["log_obs_var"] = np.array(np.log(stats["sq_error"] / x.shape[1]))
    assert (
        abs(_learned_variance_loss(params, x, eps, 1.3)[2]["log_obs_var"])
        < 1e-12
    )


def test_learned_variance_trains_a_stack_and_rejects_a_missing_variance():
    data = np.random.default_rng(1).normal(size=(40, 3))
    stacked = vae.stack([vae.init_params(s, 3, 4, 2) for s in range(2)])
    with pytest.raises(ValueError, match="log_obs_var"):
        vae_extras.train_learned_variance(stacked, data, rng=0, epochs=1)
    stacked["log_obs_var"] = np.log(np.array([4.0, 0.5]))
    hist = vae_extras.train_learned_variance(
        stacked,
        data,
        rng=0,
        epochs=30,
        batch_size=20,
        beta=np.array([1.0, 2.0]),
    )
    assert hist["loss"].shape == (30, 2)
    assert np.all(np.isfinite(stacked["log_obs_var"]))
    assert stacked["log_obs_var"][0] < np.log(4.0)
