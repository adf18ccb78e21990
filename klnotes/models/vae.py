"""A small variational autoencoder [1]_ in NumPy, with hand-written gradients (chapter 5).

Model, for data ``x`` in R^D and latents ``z`` in R^L, with one tanh hidden layer of
width H on each side:

* encoder  ``h = tanh(x W1 + b1)``, ``mu = h Wm + bm``, ``log_var = h Wv + bv``,
  that is, ``q(z | x) = N(mu, diag(exp(log_var)))``;
* decoder  ``g = tanh(z W2 + b2)``, ``x_hat = g W3 + b3``,
  that is, ``p(x | z) = N(x_hat, obs_sd^2 I)``;
* prior    ``p(z) = N(0, I)``.

The loss per example is the negative (beta-)ELBO,
``||x - x_hat||^2 / (2 obs_sd^2) + D/2 log(2 pi obs_sd^2) + beta * KL``, with
``KL = sum_j KL_j`` and ``KL_j = (psi(log_var_j) + mu_j^2) / 2`` (``klnotes.kl_std_normal``),
and the reparameterisation ``z = mu + exp(log_var / 2) * eps``, ``eps ~ N(0, I)``.
With ``free_bits = lam > 0`` each ``KL_j``, averaged over the batch, is replaced by
``max(lam, mean KL_j)`` (free bits [3]_), so dimensions below ``lam`` nats feel no
pull towards the prior.

Parameters are a dict of float64 arrays; :func:`init_params` makes one, :func:`loss_and_grad`
evaluates the loss and its exact gradient (checked against finite differences in the
tests), :func:`train` runs Adam [2]_ on mini-batches.

References
----------
.. [1] D. P. Kingma and M. Welling, "Auto-Encoding Variational Bayes", ICLR 2014.
.. [2] D. P. Kingma and J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
       Algorithm 1.
.. [3] D. P. Kingma, T. Salimans, R. Jozefowicz, X. Chen, I. Sutskever and M. Welling,
       "Improved Variational Inference with Inverse Autoregressive Flow", NeurIPS 2016
       (free bits, Appendix C.8).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._psi import _psi
from .._validation import as_float_array, check_finite, check_scalar

__all__ = ["init_params", "encode", "decode", "loss_and_grad", "train"]

Params = dict[str, NDArray[np.float64]]
#: ``loss(params, x, eps, *, beta, obs_sd) -> (loss, stats, grads)``, as in train
LossFn = Callable[..., tuple[float, dict[str, Any], Params]]


def _check_int(value: object, name: str, low: int = 1) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < low
    ):
        raise ValueError(f"{name} must be an integer >= {low}; got {value!r}")
    return int(value)


def _check_positive(
    value: object, name: str, allow_zero: bool = False
) -> float:
    return check_scalar(value, name, low=0.0, low_inclusive=allow_zero)


def init_params(
    rng: np.random.Generator, n_in: int, n_hidden: int, n_latent: int
) -> Params:
    """Random initial parameters (Glorot-uniform weights, zero biases).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n_in, n_hidden, n_latent : int
        Data dimension D, hidden width H, latent dimension L; all >= 1.

    Returns
    -------
    params : dict of ndarray
        Keys ``W1 b1 Wm bm Wv bv W2 b2 W3 b3``.

    Raises
    ------
    ValueError
        If a size is not a positive integer or `rng` is not a Generator.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models.vae import init_params
    >>> p = init_params(np.random.default_rng(0), 3, 8, 2)
    >>> {k: v.shape for k, v in p.items()}["Wm"]
    (8, 2)
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng must be a numpy.random.Generator (np.random.default_rng(seed)); got {type(rng).__name__}"
        )
    d, h, n_lat = (
        _check_int(v, n)
        for v, n in (
            (n_in, "n_in"),
            (n_hidden, "n_hidden"),
            (n_latent, "n_latent"),
        )
    )

    def glorot(fan_in: int, fan_out: int) -> NDArray[np.float64]:
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=(fan_in, fan_out))

    return {
        "W1": glorot(d, h),
        "b1": np.zeros(h),
        "Wm": glorot(h, n_lat),
        "bm": np.zeros(n_lat),
        "Wv": glorot(h, n_lat),
        "bv": np.zeros(n_lat),
        "W2": glorot(n_lat, h),
        "b2": np.zeros(h),
        "W3": glorot(h, d),
        "b3": np.zeros(d),
    }


def encode(
    params: Params, x: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The encoder's ``(mu, log_var)`` for a batch ``x`` of shape (N, D)."""
    h = np.tanh(np.asarray(x, dtype=np.float64) @ params["W1"] + params["b1"])
    return h @ params["Wm"] + params["bm"], h @ params["Wv"] + params["bv"]


def decode(params: Params, z: ArrayLike) -> NDArray[np.float64]:
    """The decoder's mean ``x_hat`` for a batch ``z`` of shape (N, L)."""
    g = np.tanh(np.asarray(z, dtype=np.float64) @ params["W2"] + params["b2"])
    return g @ params["W3"] + params["b3"]


def loss_and_grad(
    params: Params,
    x: ArrayLike,
    eps: ArrayLike,
    *,
    beta: float = 1.0,
    obs_sd: float = 1.0,
    free_bits: float = 0.0,
) -> tuple[float, dict[str, Any], Params]:
    r"""Negative (beta-)ELBO of a batch, averaged over examples, and its exact gradient.

    Parameters
    ----------
    params : dict of ndarray
        From :func:`init_params`.
    x : array_like, shape (N, D)
        A batch of data, finite.
    eps : array_like, shape (N, L)
        Standard normal noise for the reparameterisation (fixed, so that the loss is
        a deterministic function of `params`).
    beta : float, keyword-only
        Weight of the KL term, :math:`\ge 0` (1 for the ELBO).
    obs_sd : float, keyword-only
        Standard deviation of :math:`p(x|z)`, > 0.
    free_bits : float, keyword-only
        :math:`\lambda \ge 0`: each latent's batch-averaged KL enters as :math:`\max(\lambda, \overline{KL}_j)`.

    Returns
    -------
    loss : float
        :math:`\text{recon} + \beta\,\text{kl}` (with free bits, the clamped KL).
    stats : dict
        ``recon`` (mean negative log-likelihood, nats), ``kl`` (mean KL, nats, without
        clamping), ``kl_per_dim`` (ndarray (L,)), ``sq_error`` (mean squared error).
    grads : dict of ndarray
        Gradient of `loss` with respect to each parameter.

    Raises
    ------
    ValueError
        If shapes disagree with `params`, an input is not finite, or an option is out
        of range.
    """
    x, eps = _check_batch(params, x, eps)
    beta = _check_positive(beta, "beta", allow_zero=True)
    obs_sd = _check_positive(obs_sd, "obs_sd")
    free_bits = _check_positive(free_bits, "free_bits", allow_zero=True)
    loss, stats, grads, _ = _loss_and_grad(
        params, x, eps, beta, obs_sd, free_bits
    )
    return loss, stats, grads


def _check_batch(
    params: Params, x: ArrayLike, eps: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``x`` and ``eps`` as float64 arrays of the shapes `params` needs, finite."""
    x = as_float_array(x, "x")
    eps = as_float_array(eps, "eps")
    d, n_lat = params["W1"].shape[0], params["Wm"].shape[1]
    if x.ndim != 2 or x.shape[1] != d:
        raise ValueError(f"x must have shape (N, {d}); got {x.shape}")
    if eps.shape != (x.shape[0], n_lat):
        raise ValueError(
            f"eps must have shape ({x.shape[0]}, {n_lat}) to match x and the latent size; got {eps.shape}"
        )
    check_finite(x, "x")
    check_finite(eps, "eps")
    return x, eps


def _loss_and_grad(
    params: Params,
    x: NDArray[np.float64],
    eps: NDArray[np.float64],
    beta: float,
    obs_sd: float,
    free_bits: float,
) -> tuple[float, dict[str, Any], Params, dict[str, NDArray[np.float64]]]:
    """:func:`loss_and_grad` on validated inputs, plus the encoder's ``h``,
    ``mu`` and ``log_var`` (for variants of the objective that add to the
    gradient).  Called once per step by :func:`train`, so it checks nothing.
    """
    n, d = x.shape
    # forward
    h = np.tanh(x @ params["W1"] + params["b1"])
    mu = h @ params["Wm"] + params["bm"]
    log_var = h @ params["Wv"] + params["bv"]
    sd = np.exp(0.5 * log_var)
    z = mu + sd * eps
    g = np.tanh(z @ params["W2"] + params["b2"])
    x_hat = g @ params["W3"] + params["b3"]
    resid = x_hat - x
    sq = np.sum(resid * resid, axis=1)
    sq_error = float(np.mean(sq))
    recon = sq_error / (2 * obs_sd**2) + 0.5 * d * math.log(
        2 * math.pi * obs_sd**2
    )
    with np.errstate(over="ignore"):  # as klnotes.kl_std_normal(axis=())
        kl_terms = 0.5 * (
            _psi(log_var.ravel()).reshape(log_var.shape) + mu * mu
        )  # (N, L), each >= 0
    kl_per_dim = kl_terms.mean(axis=0)
    if free_bits > 0:
        active = kl_per_dim > free_bits
        kl_used = float(np.sum(np.where(active, kl_per_dim, free_bits)))
        kl_mu = (beta / n) * mu * active
        kl_log_var = (beta / n) * 0.5 * np.expm1(log_var) * active
    else:
        kl_used = float(np.sum(kl_per_dim))
        kl_mu = (beta / n) * mu
        kl_log_var = (beta / n) * 0.5 * np.expm1(log_var)
    loss = recon + beta * kl_used

    # backward
    dx_hat = resid / (obs_sd**2 * n)
    grads: Params = {"W3": g.T @ dx_hat, "b3": dx_hat.sum(0)}
    dpre2 = (dx_hat @ params["W3"].T) * (1 - g * g)
    grads["W2"], grads["b2"] = z.T @ dpre2, dpre2.sum(0)
    dz = dpre2 @ params["W2"].T
    dmu = dz + kl_mu
    dlog_var = dz * eps * sd * 0.5 + kl_log_var
    grads["Wm"], grads["bm"] = h.T @ dmu, dmu.sum(0)
    grads["Wv"], grads["bv"] = h.T @ dlog_var, dlog_var.sum(0)
    dpre1 = (dmu @ params["Wm"].T + dlog_var @ params["Wv"].T) * (1 - h * h)
    grads["W1"], grads["b1"] = x.T @ dpre1, dpre1.sum(0)
    stats = {
        "recon": recon,
        "kl": float(kl_per_dim.sum()),
        "kl_per_dim": kl_per_dim,
        "sq_error": sq_error,
    }
    cache = {"h": h, "mu": mu, "log_var": log_var}
    return float(loss), stats, grads, cache


def train(
    params: Params,
    data: ArrayLike,
    *,
    rng: np.random.Generator,
    epochs: int,
    batch_size: int = 100,
    lr: float = 1e-2,
    beta: float | Callable[[int], float] = 1.0,
    obs_sd: float = 1.0,
    free_bits: float = 0.0,
    loss: LossFn | None = None,
) -> dict[str, NDArray[np.float64]]:
    r"""Train with Adam on shuffled mini-batches; returns the per-epoch history.

    Parameters
    ----------
    params : dict of ndarray
        Floating-point arrays, updated in place (each keeps its dtype; with
        mixed dtypes, training runs in the widest). Adam's moments are
        float64.
    data : array_like, shape (N, D)
        Training data, finite.
    rng : numpy.random.Generator, keyword-only
        Drives shuffling and the reparameterisation noise; the run is deterministic
        given its state.
    epochs : int, keyword-only
        Number of passes over the data, >= 1.
    batch_size : int, keyword-only
        Examples per step, >= 1.
    lr : float, keyword-only
        Adam step size, > 0 (Adam's other constants: 0.9, 0.999, 1e-8).
    beta : float or callable, keyword-only
        KL weight, or a function of the epoch index (0-based) for annealing.
    obs_sd, free_bits : float, keyword-only
        As in :func:`loss_and_grad`.

    loss : callable, optional, keyword-only
        The objective and its gradient, called as
        ``loss(params, x, eps, beta=..., obs_sd=...)`` and returning
        ``(loss, stats, grads)`` like :func:`loss_and_grad`; default
        :func:`loss_and_grad` with this `free_bits`. Variants of the objective
        (e.g. :func:`klnotes.models.vae_extras.train_smooth_free_bits`) reuse the
        loop through it. Its ``params`` is a dict of views of the parameters
        being trained, not the caller's dict (which receives the result at
        the end, also when training stops with an error): it may change those
        arrays in place but must not replace them.

    Returns
    -------
    history : dict of ndarray
        Per epoch, averaged over its batches: ``loss``, ``recon``, ``kl``, ``beta``, and
        ``kl_per_dim`` (shape (epochs, L)).

    Raises
    ------
    ValueError
        If an option is out of range, `rng` is not a Generator, or `data` has the
        wrong shape or non-finite values, or a parameter is not a
        floating-point array; if `loss` replaces an array instead of updating it; or
        if the loss or its gradient becomes non-finite (training diverged),
        in which case `params` hold the values at which it first did.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models.vae import init_params, train
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 3))
    >>> p = init_params(rng, 3, 8, 2)
    >>> hist = train(p, x, rng=rng, epochs=3, batch_size=50)
    >>> hist["loss"].shape, hist["kl_per_dim"].shape
    ((3,), (3, 2))
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng must be a numpy.random.Generator; got {type(rng).__name__}"
        )
    data = as_float_array(data, "data")
    if data.ndim != 2 or data.shape[1] != params["W1"].shape[0]:
        raise ValueError(
            f"data must have shape (N, {params['W1'].shape[0]}); got {data.shape}"
        )
    check_finite(data, "data")
    epochs = _check_int(epochs, "epochs")
    batch_size = _check_int(batch_size, "batch_size")
    lr = _check_positive(lr, "lr")
    if callable(beta):
        schedule = beta
    else:
        fixed = _check_positive(beta, "beta", True)

        def schedule(_epoch: int) -> float:
            return fixed

    obs_sd = _check_positive(obs_sd, "obs_sd")
    free_bits = _check_positive(free_bits, "free_bits", allow_zero=True)
    if loss is None:

        def objective(
            p: Params,
            x: NDArray[np.float64],
            eps: NDArray[np.float64],
            *,
            beta: float,
            obs_sd: float,
        ) -> tuple[float, dict[str, Any], Params]:
            # data was checked above and eps is drawn here: skip the checks;
            # overflow is reported by train as divergence, not as warnings
            with np.errstate(over="ignore", invalid="ignore"):
                value, stats, grads, _ = _loss_and_grad(
                    p, x, eps, beta, obs_sd, free_bits
                )
            return value, stats, grads

    elif callable(loss):
        objective = loss
    else:
        raise ValueError(
            f"loss must be callable or None; got {type(loss).__name__}"
        )
    n_lat = params["Wm"].shape[1]
    # Adam on one flat vector: each update is a handful of NumPy calls
    # instead of a handful per parameter array.  The arithmetic, element by
    # element, is the same as for each array on its own: the parameters keep
    # their dtype, the moments are float64 (as 0.2.0's were after one step).
    keys = list(params)
    for k in keys:
        if not np.issubdtype(np.asarray(params[k]).dtype, np.floating):
            raise ValueError(
                f"params[{k!r}] must be a floating-point array (as from "
                f"init_params); got dtype {np.asarray(params[k]).dtype}"
            )
    flat = np.concatenate([np.ravel(params[k]) for k in keys])
    work: Params = {}
    offset = 0
    for k in keys:
        size = params[k].size
        work[k] = flat[offset : offset + size].reshape(params[k].shape)
        offset += size
    views = dict(work)
    grad = np.empty(flat.size)
    m, v = np.zeros(flat.size), np.zeros(flat.size)
    tmp, den = np.empty(flat.size), np.empty(flat.size)
    b1, b2, tiny = 0.9, 0.999, 1e-8
    step = 0
    hist: dict[str, list[Any]] = {
        "loss": [],
        "recon": [],
        "kl": [],
        "beta": [],
        "kl_per_dim": [],
    }
    n = data.shape[0]
    try:
        for epoch in range(epochs):
            beta_e = _check_positive(
                schedule(epoch), "beta(epoch)", allow_zero=True
            )
            order = rng.permutation(n)
            sums, kl_dims, batches = np.zeros(3), np.zeros(n_lat), 0
            for start in range(0, n, batch_size):
                xb = data[order[start : start + batch_size]]
                eps = rng.standard_normal((xb.shape[0], n_lat))
                value, stats, grads = objective(
                    work, xb, eps, beta=beta_e, obs_sd=obs_sd
                )
                step += 1
                if any(work[k] is not views[k] for k in keys):
                    raise ValueError(
                        "loss must update the arrays of the params it is "
                        "given in place, not replace them"
                    )
                np.concatenate([np.ravel(grads[k]) for k in keys], out=grad)
                if not (math.isfinite(value) and np.isfinite(grad).all()):
                    raise ValueError(
                        f"training diverged at epoch {epoch}, step {step}: "
                        "the loss or its gradient is not finite "
                        f"(loss {value}); try a smaller lr"
                    )
                # m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
                m *= b1
                np.multiply(1 - b1, grad, out=tmp)
                m += tmp
                v *= b2
                np.power(grad, 2, out=tmp)
                tmp *= 1 - b2
                v += tmp
                # theta -= lr m_hat / (sqrt(v_hat) + tiny)
                np.divide(v, 1 - b2**step, out=den)
                np.sqrt(den, out=den)
                den += tiny
                np.divide(m, 1 - b1**step, out=tmp)
                tmp *= lr
                tmp /= den
                flat -= tmp
                sums += (value, stats["recon"], stats["kl"])
                kl_dims += stats["kl_per_dim"]
                batches += 1
            for key, val in zip(
                ("loss", "recon", "kl"), sums / batches, strict=False
            ):
                hist[key].append(val)
            hist["beta"].append(beta_e)
            hist["kl_per_dim"].append(kl_dims / batches)
    finally:  # the caller's arrays hold the result, even after an error
        for k in keys:
            params[k][...] = work[k]
    return {k: np.array(val) for k, val in hist.items()}
