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
tests), :func:`train` runs Adam [2]_ on mini-batches. ``stack`` turns several
models of the same sizes into one stacked model (a leading axis on every array),
which :func:`train` trains side by side, each model with its own data order,
noise, Adam state and ``beta``. Every ``rng`` argument is normalised by
``np.random.default_rng``: a seed, ``None`` or a Generator.

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

__all__ = [
    "as_rng",
    "init_params",
    "stack",
    "unstack",
    "encode",
    "decode",
    "loss_and_grad",
    "train",
]

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


def as_rng(rng: object, name: str = "rng") -> np.random.Generator:
    """`rng` as a Generator, by ``np.random.default_rng`` (SPEC 7).

    An int or a ``SeedSequence`` seeds a new Generator, ``None`` draws fresh
    entropy, and a Generator is returned as it is (so that drawing from the
    result advances the caller's Generator).
    """
    if isinstance(rng, bool):
        raise ValueError(
            f"{name} must be a seed or a numpy.random.Generator; got {rng!r}"
        )
    try:
        return np.random.default_rng(rng)  # type: ignore[arg-type]
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"{name} must be a seed (int), None or a numpy.random.Generator "
            f"(as for np.random.default_rng); got {type(rng).__name__}"
        ) from err


def _check_beta(value: object, name: str, n_models: int) -> Any:
    """A KL weight >= 0: a number, or for a stack of models one per model."""
    if n_models and np.ndim(value) == 1:  # type: ignore[arg-type]
        arr = np.asarray(value, dtype=np.float64)
        if arr.shape != (n_models,) or not (
            np.all(np.isfinite(arr)) and np.all(arr >= 0)
        ):
            raise ValueError(
                f"{name} must be a finite number >= 0 or {n_models} of them "
                f"(one per stacked model); got {value!r}"
            )
        return arr
    return _check_positive(value, name, allow_zero=True)


def _check_positive(
    value: object, name: str, allow_zero: bool = False
) -> float:
    return check_scalar(value, name, low=0.0, low_inclusive=allow_zero)


def init_params(
    rng: int | np.random.Generator | None,
    n_in: int,
    n_hidden: int,
    n_latent: int,
) -> Params:
    """Random initial parameters (Glorot-uniform weights, zero biases).

    Parameters
    ----------
    rng : int, numpy.random.Generator or None
        Source of randomness, normalised by ``np.random.default_rng``.
    n_in, n_hidden, n_latent : int
        Data dimension D, hidden width H, latent dimension L; all >= 1.

    Returns
    -------
    params : dict of ndarray
        Keys ``W1 b1 Wm bm Wv bv W2 b2 W3 b3``.

    Raises
    ------
    ValueError
        If a size is not a positive integer or `rng` is not a seed or Generator.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models.vae import init_params
    >>> p = init_params(np.random.default_rng(0), 3, 8, 2)
    >>> {k: v.shape for k, v in p.items()}["Wm"]
    (8, 2)
    """
    rng = as_rng(rng)
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


def stack(models: list[Params]) -> Params:
    """Several models with the same sizes as one stacked model.

    Each array gains a leading axis of length ``len(models)``. :func:`train`
    trains the models of a stack side by side and independently (each has its
    own shuffling, noise and Adam state, and its own ``beta`` if given an
    array), in one pass of array operations per step, which is much faster
    than training them one after another. :func:`encode` and :func:`decode`
    accept stacked parameters; ``unstack`` gives the models back.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models.vae import init_params, stack, unstack
    >>> s = stack([init_params(seed, 3, 8, 2) for seed in range(4)])
    >>> s["W1"].shape, len(unstack(s))
    ((4, 3, 8), 4)
    """
    if not models:
        raise ValueError("models must be a non-empty list of parameter dicts")
    keys = list(models[0])
    for m in models:
        if list(m) != keys or any(
            np.shape(m[k]) != np.shape(models[0][k]) for k in keys
        ):
            raise ValueError(
                "models must have the same keys and array shapes to be stacked"
            )
    return {k: np.stack([np.asarray(m[k]) for m in models]) for k in keys}


def unstack(params: Params) -> list[Params]:
    """The models of a stack made by ``stack`` (copies)."""
    if np.ndim(params["W1"]) != 3:
        raise ValueError(
            "params must be stacked (W1 of shape (models, D, H)); "
            f"got W1 of shape {np.shape(params['W1'])}"
        )
    return [
        {k: np.array(v[i]) for k, v in params.items()}
        for i in range(params["W1"].shape[0])
    ]


def _t(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """Transpose of the last two axes (``a.T`` for a matrix)."""
    return np.swapaxes(a, -1, -2)


def _row(b: NDArray[np.float64]) -> NDArray[np.float64]:
    """A bias vector (or a stack of them) as a row that broadcasts over a batch."""
    return b[..., None, :]


def encode(
    params: Params, x: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The encoder's ``(mu, log_var)`` for a batch ``x`` of shape (N, D).

    For stacked parameters (``stack``) both have shape (models, N, L).
    """
    h = np.tanh(
        np.asarray(x, dtype=np.float64) @ params["W1"] + _row(params["b1"])
    )
    return (
        h @ params["Wm"] + _row(params["bm"]),
        h @ params["Wv"] + _row(params["bv"]),
    )


def decode(params: Params, z: ArrayLike) -> NDArray[np.float64]:
    """The decoder's mean ``x_hat`` for a batch ``z`` of shape (N, L)."""
    g = np.tanh(
        np.asarray(z, dtype=np.float64) @ params["W2"] + _row(params["b2"])
    )
    return g @ params["W3"] + _row(params["b3"])


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
    beta: Any,
    obs_sd: Any,
    free_bits: float,
) -> tuple[float, dict[str, Any], Params, dict[str, NDArray[np.float64]]]:
    """:func:`loss_and_grad` on validated inputs, plus the encoder's ``h``,
    ``mu`` and ``log_var`` (for variants of the objective that add to the
    gradient).  Called once per step by :func:`train`, so it checks nothing.
    """
    n, d = x.shape[-2:]
    # forward (a leading axis of stacked models broadcasts through)
    h = np.tanh(x @ params["W1"] + _row(params["b1"]))
    mu = h @ params["Wm"] + _row(params["bm"])
    log_var = h @ params["Wv"] + _row(params["bv"])
    sd = np.exp(0.5 * log_var)
    z = mu + sd * eps
    g = np.tanh(z @ params["W2"] + _row(params["b2"]))
    x_hat = g @ params["W3"] + _row(params["b3"])
    resid = x_hat - x
    sq = np.sum(resid * resid, axis=-1)
    sq_error = np.mean(sq, axis=-1)
    if np.ndim(obs_sd) == 0:
        obs_var: Any = obs_sd**2
        recon = sq_error / (2 * obs_var) + 0.5 * d * math.log(
            2 * math.pi * obs_var
        )
    else:  # one decoder variance per stacked model
        obs_var = np.asarray(obs_sd) ** 2
        recon = sq_error / (2 * obs_var) + 0.5 * d * np.log(
            2 * math.pi * obs_var
        )
    with np.errstate(over="ignore"):  # as klnotes.kl_std_normal(axis=())
        kl_terms = 0.5 * (
            _psi(log_var.ravel()).reshape(log_var.shape) + mu * mu
        )  # (N, L), each >= 0
    kl_per_dim = kl_terms.mean(axis=-2)
    b_col = np.asarray(beta)[..., None, None]  # one beta per stacked model
    if free_bits > 0:
        active = kl_per_dim > free_bits
        kl_used = np.sum(np.where(active, kl_per_dim, free_bits), axis=-1)
        kl_mu = (b_col / n) * mu * _row(active)
        kl_log_var = (b_col / n) * 0.5 * np.expm1(log_var) * _row(active)
    else:
        kl_used = np.sum(kl_per_dim, axis=-1)
        kl_mu = (b_col / n) * mu
        kl_log_var = (b_col / n) * 0.5 * np.expm1(log_var)
    per_model = recon + np.asarray(beta) * kl_used

    # backward
    dx_hat = resid / (np.asarray(obs_var)[..., None, None] * n)
    grads: Params = {"W3": _t(g) @ dx_hat, "b3": dx_hat.sum(-2)}
    dpre2 = (dx_hat @ _t(params["W3"])) * (1 - g * g)
    grads["W2"], grads["b2"] = _t(z) @ dpre2, dpre2.sum(-2)
    dz = dpre2 @ _t(params["W2"])
    dmu = dz + kl_mu
    dlog_var = dz * eps * sd * 0.5 + kl_log_var
    grads["Wm"], grads["bm"] = _t(h) @ dmu, dmu.sum(-2)
    grads["Wv"], grads["bv"] = _t(h) @ dlog_var, dlog_var.sum(-2)
    dpre1 = (dmu @ _t(params["Wm"]) + dlog_var @ _t(params["Wv"])) * (
        1 - h * h
    )
    grads["W1"], grads["b1"] = _t(x) @ dpre1, dpre1.sum(-2)
    if np.ndim(per_model) == 0:
        recon, sq_error = float(recon), float(sq_error)
        kl_total: Any = float(kl_per_dim.sum())
        per_model = float(per_model)
    else:
        kl_total = kl_per_dim.sum(axis=-1)
    stats = {
        "recon": recon,
        "kl": kl_total,
        "kl_per_dim": kl_per_dim,
        "sq_error": sq_error,
        "loss": per_model,
    }
    cache = {"h": h, "mu": mu, "log_var": log_var}
    return float(np.sum(per_model)), stats, grads, cache


def train(
    params: Params,
    data: ArrayLike,
    *,
    rng: int | np.random.Generator | None,
    epochs: int,
    batch_size: int = 100,
    lr: float | Callable[[int], float] = 1e-2,
    beta: float | Callable[[int], Any] | ArrayLike = 1.0,
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
        float64. A stacked model (``stack``) trains all its models side by
        side; they share nothing but the random stream they draw from.
    data : array_like, shape (N, D)
        Training data, finite.
    rng : int, numpy.random.Generator or None, keyword-only
        Drives shuffling and the reparameterisation noise (normalised by
        ``np.random.default_rng``); the run is deterministic given a seed.
    epochs : int, keyword-only
        Number of passes over the data, >= 1.
    batch_size : int, keyword-only
        Examples per step, >= 1.
    lr : float or callable, keyword-only
        Adam step size, > 0, or a function of the epoch index (0-based) giving
        it (Adam's other constants: 0.9, 0.999, 1e-8).
    beta : float, array or callable, keyword-only
        KL weight, or a function of the epoch index (0-based) for annealing.
        For a stack of M models, also an array of M weights (or a function
        returning one), one per model.
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
        ``kl_per_dim`` (shape (epochs, L)). For a stack of M models, ``loss``,
        ``recon`` and ``kl`` have shape (epochs, M) and ``kl_per_dim``
        (epochs, M, L).

    Raises
    ------
    ValueError
        If an option is out of range, `rng` is not a seed or Generator, or `data` has the
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
    rng = as_rng(rng)
    w1_shape = np.shape(params["W1"])
    if len(w1_shape) not in (2, 3):
        raise ValueError(
            "params must be one model (W1 of shape (D, H)) or a stack of "
            f"models (shape (models, D, H)); got W1 of shape {w1_shape}"
        )
    n_models = w1_shape[0] if len(w1_shape) == 3 else 0
    data = as_float_array(data, "data")
    if data.ndim != 2 or data.shape[1] != w1_shape[-2]:
        raise ValueError(
            f"data must have shape (N, {w1_shape[-2]}); got {data.shape}"
        )
    check_finite(data, "data")
    epochs = _check_int(epochs, "epochs")
    batch_size = _check_int(batch_size, "batch_size")
    if callable(lr):
        lr_schedule = lr
    else:
        lr_fixed = _check_positive(lr, "lr")

        def lr_schedule(_epoch: int) -> float:
            return lr_fixed

    if callable(beta):
        schedule = beta
    else:
        fixed = _check_beta(beta, "beta", n_models)

        def schedule(_epoch: int) -> Any:
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
    n_lat = np.shape(params["Wm"])[-1]
    lead = (n_models,) if n_models else ()
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
            beta_e = _check_beta(schedule(epoch), "beta(epoch)", n_models)
            lr_e = _check_positive(lr_schedule(epoch), "lr(epoch)")
            if n_models:  # each model shuffles the data its own way
                order = rng.permuted(
                    np.tile(np.arange(n), (n_models, 1)), axis=1
                )
            else:
                order = rng.permutation(n)
            sums = np.zeros((3, *lead))
            kl_dims, batches = np.zeros((*lead, n_lat)), 0
            for start in range(0, n, batch_size):
                xb = data[order[..., start : start + batch_size]]
                eps = rng.standard_normal((*xb.shape[:-1], n_lat))
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
                tmp *= lr_e
                tmp /= den
                flat -= tmp
                per_model = stats.get("loss", value) if n_models else value
                sums += (per_model, stats["recon"], stats["kl"])
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
