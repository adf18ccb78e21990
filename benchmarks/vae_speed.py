"""Speed of the chapter-5 VAE code against the straightforward way, side by side.

Two measurements, each with both versions in the same run (interleaved, best of
``REPEATS``), on the chapter's sizes (N = 2000 examples, D = 8, H = 64, L = 5,
batches of 200):

* ``vae.train`` for a few epochs against the same loop written the obvious way:
  ``vae.loss_and_grad`` (which checks its arguments) once per batch and Adam
  applied to each parameter array in turn.  Both give bit-for-bit the same
  parameters; the script checks it before it prints the ratio.
* ``vae.train`` on a stack of models (``vae.stack``, the chapter's five seeds at
  five values of beta: 25 models, N = 250, H = 16, batches of 25) against the
  same models trained one after another (the runs draw different noise, so
  only the time is compared; the test suite checks that a stack's loss and
  gradient are exactly those of its models).
* ``vae_extras.rate_decomposition`` against the aggregate posterior evaluated
  directly, as an (rows x N x L) array of per-coordinate log-densities; the
  results agree to rounding (the difference is printed).

Run from the repository root:  ``python benchmarks/vae_speed.py``.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy import special

from klnotes.models import vae, vae_extras

REPEATS = 5
N, D, H, L = 2000, 8, 64, 5


def train_straightforward(params, data, *, rng, epochs, beta, obs_sd):
    """Adam on each parameter array, as in Kingma and Ba's Algorithm 1."""
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(val) for k, val in params.items()}
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(data))
        for start in range(0, len(data), 200):
            xb = data[order[start : start + 200]]
            eps = rng.standard_normal((len(xb), L))
            _, _, grads = vae.loss_and_grad(
                params, xb, eps, beta=beta, obs_sd=obs_sd
            )
            step += 1
            for k in params:
                m[k] = 0.9 * m[k] + (1 - 0.9) * grads[k]
                v[k] = 0.999 * v[k] + (1 - 0.999) * grads[k] ** 2
                m_hat = m[k] / (1 - 0.9**step)
                v_hat = v[k] / (1 - 0.999**step)
                params[k] -= 1e-2 * m_hat / (np.sqrt(v_hat) + 1e-8)


def mixture_direct(params, x, rng):
    """I_q(X; Z) with log q(z) from the (rows x N x L) array of log-densities."""
    mu, log_var = vae.encode(params, x)
    var = np.exp(log_var)
    z = mu + np.sqrt(var) * rng.standard_normal(mu.shape)

    def log_normal(a, mean, var):
        return -0.5 * np.sum(
            math.log(2 * math.pi) + np.log(var) + (a - mean) ** 2 / var, -1
        )

    log_agg = np.concatenate(
        [
            special.logsumexp(
                log_normal(z[s : s + 500, None], mu[None], var[None]), 1
            )
            for s in range(0, len(x), 500)
        ]
    ) - math.log(len(x))
    return float(np.mean(log_normal(z, mu, var) - log_agg))


def best_of(f, g):
    tf, tg = [], []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        f()
        t1 = time.perf_counter()
        g()
        t2 = time.perf_counter()
        tf.append(t1 - t0)
        tg.append(t2 - t1)
    return min(tf), min(tg)


def stacked_vs_serial(n_models=25, n=250, hidden=16, epochs=4):
    """Time a stack of models against the same models trained one by one."""
    data = np.random.default_rng(5).normal(size=(n, D))
    betas = np.repeat([0.1, 0.3, 1.0, 3.0, 10.0], n_models // 5)
    kw = {"epochs": epochs, "batch_size": 25, "lr": 3e-2, "obs_sd": 0.3}

    def stacked():
        models = [vae.init_params(i, D, hidden, L) for i in range(n_models)]
        vae.train(vae.stack(models), data, rng=0, beta=betas, **kw)

    def serial():
        for i in range(n_models):
            p = vae.init_params(i, D, hidden, L)
            vae.train(p, data, rng=i, beta=betas[i], **kw)

    t_stack, t_serial = best_of(stacked, serial)
    steps = epochs * n // 25
    print(f"{n_models} models, {steps} Adam steps each, best of {REPEATS}:")
    print(
        f"  stacked {t_stack:.2f} s, one after another {t_serial:.2f} s, "
        f"ratio {t_stack / t_serial:.2f}"
    )


def main() -> None:
    rng = np.random.default_rng(0)
    data = np.tanh(rng.normal(size=(N, 2)) @ rng.normal(size=(2, D)))
    data += 0.05 * rng.normal(size=(N, D))
    start = vae.init_params(np.random.default_rng(1), D, H, L)
    kw = {"epochs": 5, "beta": 1.0, "obs_sd": 0.3}
    results = {}

    def ours():
        p = {k: v.copy() for k, v in start.items()}
        vae.train(p, data, rng=np.random.default_rng(2), batch_size=200, **kw)
        results["ours"] = p

    def plain():
        p = {k: v.copy() for k, v in start.items()}
        train_straightforward(p, data, rng=np.random.default_rng(2), **kw)
        results["plain"] = p

    t_ours, t_plain = best_of(ours, plain)
    same = all(
        np.array_equal(results["ours"][k], results["plain"][k]) for k in start
    )
    steps = kw["epochs"] * N // 200
    print(f"VAE training, {steps} Adam steps, best of {REPEATS}:")
    print(
        f"  vae.train {t_ours / steps * 1e3:.3f} ms/step, straightforward "
        f"{t_plain / steps * 1e3:.3f} ms/step, ratio {t_ours / t_plain:.2f}; "
        f"identical parameters: {same}"
    )
    if not same:
        raise SystemExit("vae.train no longer matches the reference loop")

    stacked_vs_serial()

    params = results["ours"]
    got = {}

    def split():
        got["ours"] = vae_extras.rate_decomposition(
            params, data, rng=np.random.default_rng(4)
        )["mutual_information"]

    def direct():
        got["direct"] = mixture_direct(params, data, np.random.default_rng(4))

    t_split, t_direct = best_of(split, direct)
    print(f"rate_decomposition, N = {N}, L = {L}, best of {REPEATS}:")
    print(
        f"  {t_split * 1e3:.0f} ms, direct (rows x N x L) form "
        f"{t_direct * 1e3:.0f} ms, ratio {t_split / t_direct:.2f}; "
        f"|difference in I_q| = {abs(got['ours'] - got['direct']):.1e} nats"
    )


if __name__ == "__main__":
    main()
