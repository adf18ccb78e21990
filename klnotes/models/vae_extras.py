"""Measurements of a trained :mod:`klnotes.models.vae`, and smooth free bits (ch. 5).

:mod:`klnotes.models.vae` is the model and its trainer; this module holds what
one measures about a trained model and one training variant, so that the model
file stays small enough to read in full:

* :func:`expected_distortion`: the distortion the (beta-)ELBO trades against
  rate, ``E_x E_q(z|x)[-log p(x|z)]``, estimated with codes drawn from the
  encoder (not the reconstruction of the mean code);
* :func:`rate_decomposition`: the averaged KL term split into the mutual
  information ``I_q(X; Z)`` and the marginal KL ``D(q(z) || p(z))`` [1]_ [2]_;
* :func:`active_units`: Burda et al.'s activity statistic
  ``Cov_x(E_q[z_j])`` [3]_;
* :func:`iwae_bound`: the importance-weighted bound on ``log p(x)`` [3]_;
* :func:`smooth_free_bits`, :func:`loss_and_grad_smooth_free_bits` and
  :func:`train_smooth_free_bits`: free bits [4]_ with the hard clamp
  ``max(lam, KL_j)`` replaced by the smooth
  ``lam + tau * softplus((KL_j - lam) / tau)``. The hard clamp switches on a
  rounding difference when a dimension sits at ``lam``, so a run's result
  depends on the CPU; the smooth one does not.  (Not the "soft free bits" of
  Chen et al. 2017, which adapt the KL weight to hold a target rate.)  The
  names ``soft_free_bits``, ``loss_and_grad_soft_free_bits`` and
  ``train_soft_free_bits`` of klnotes 0.2.0 still work, with a
  ``DeprecationWarning``.

References
----------
.. [1] M. D. Hoffman and M. J. Johnson, "ELBO surgery: yet another way to
       carve up the variational evidence lower bound", NIPS Workshop on
       Advances in Approximate Bayesian Inference, 2016.
.. [2] A. A. Alemi, B. Poole, I. Fischer, J. V. Dillon, R. A. Saurous and
       K. Murphy, "Fixing a Broken ELBO", ICML 2018.
.. [3] Y. Burda, R. Grosse and R. Salakhutdinov, "Importance Weighted
       Autoencoders", ICLR 2016 (the bound, and the active-units statistic).
.. [4] D. P. Kingma, T. Salimans, R. Jozefowicz, X. Chen, I. Sutskever and
       M. Welling, "Improved Variational Inference with Inverse Autoregressive
       Flow", NeurIPS 2016 (free bits, Appendix C.8).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from .._parametric import kl_std_normal
from . import vae

__all__ = [
    "active_units",
    "expected_distortion",
    "iwae_bound",
    "loss_and_grad_smooth_free_bits",
    "rate_decomposition",
    "smooth_free_bits",
    "train_smooth_free_bits",
    "train_learned_variance",
]

Params = dict[str, NDArray[np.float64]]
_LOG_2PI = math.log(2 * math.pi)


def _number(
    value: float, name: str, *, low: float = 0.0, strict: bool
) -> float:
    ok = (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )
    if not ok or value < low or (strict and value == low):
        sign = ">" if strict else ">="
        raise ValueError(
            f"{name} must be a finite number {sign} {low}; got {value!r}"
        )
    return float(value)


def _count(value: int, name: str) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < 1
    ):
        raise ValueError(f"{name} must be an integer >= 1; got {value!r}")
    return int(value)


def _data(
    params: Params, x: ArrayLike, name: str = "x"
) -> NDArray[np.float64]:
    arr = np.asarray(x, dtype=np.float64)
    d = params["W1"].shape[0]
    if arr.ndim != 2 or arr.shape[1] != d:
        raise ValueError(f"{name} must have shape (N, {d}); got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got a non-finite value")
    return arr


def _rng(rng: object) -> np.random.Generator:
    return vae.as_rng(rng)


def _log_normal(
    x: NDArray[np.float64], mean: ArrayLike, var: ArrayLike
) -> NDArray[np.float64]:
    """Sum over the last axis of log N(x; mean, var), diagonal covariance."""
    var = np.asarray(var, dtype=np.float64)
    mean = np.asarray(mean, dtype=np.float64)
    return -0.5 * np.sum(
        _LOG_2PI + np.log(var) + (x - mean) ** 2 / var, axis=-1
    )


def _log_normal_pairs(
    mean: NDArray[np.float64], var: NDArray[np.float64]
) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    """``f(z)[i, m] = log N(z_i; mean_m, diag var_m)`` for all pairs of rows.

    The quadratic form is expanded, ``sum_l (z_l - m_l)^2 / v_l = (z^2) @ (1/v)
    - 2 z @ (m/v) + sum_l m_l^2 / v_l``, so the (rows x components) table costs
    two matrix products instead of a (rows x components x L) array.  The
    expansion cancels where ``z`` is near ``mean_m``: its absolute error is a
    few units of ``2**-52 * S`` with ``S = sum_l [(z_l^2 + m_l^2) / v_l +
    |log v_l| + log(2 pi)]`` (at most 4 units measured for L = 1 to 64; the
    tests check 8; the direct form's error is a few units of ``2**-52`` times
    the sum of its terms' magnitudes, which is at most ``S``).  Entering a
    log-sum-exp, an absolute error ``e`` is a relative error of about ``e``
    in the density. With ``(z^2 + m^2) / v <= 1e4`` in each of L = 5
    dimensions (variances down to 1e-3 with codes of a few units),
    ``2**-52 * S`` is at most 1.2e-11, far below any Monte Carlo error; it
    grows with ``(z^2 + m^2) / v``.
    """
    inv_var = 1.0 / var  # (M, L)
    const = -0.5 * (
        np.sum(_LOG_2PI + np.log(var) + mean * mean * inv_var, axis=1)
    )  # (M,)
    lin = (mean * inv_var).T  # (L, M)
    quad = -0.5 * inv_var.T

    def table(z: NDArray[np.float64]) -> NDArray[np.float64]:
        return (z * z) @ quad + z @ lin + const

    return table


def expected_distortion(
    params: Params,
    x: ArrayLike,
    *,
    obs_sd: float,
    rng: int | np.random.Generator | None,
    n_samples: int = 1,
) -> float:
    r"""The objective's distortion :math:`\mathbb E_x\mathbb E_{q(z|x)}[-\log p(x|z)]`, nats.

    Parameters
    ----------
    params : dict of ndarray
        From :func:`klnotes.models.vae.init_params` (trained).
    x : array_like, shape (N, D)
        Data, finite; the expectation over x is the average over its rows.
    obs_sd : float, keyword-only
        The decoder's standard deviation s, > 0.
    rng : int, numpy.random.Generator or None, keyword-only
        Draws the codes ``z = mu + sigma * eps``.
    n_samples : int, keyword-only
        Codes per example, >= 1.

    Returns
    -------
    float
        Monte Carlo estimate of the mean negative log-likelihood of x under
        codes drawn from the encoder. This is the reconstruction term of the
        ELBO, which the (beta-)VAE trades against the rate; the error of the
        mean code ``decode(mu)`` is smaller and is not what the objective sees.

    Raises
    ------
    ValueError
        If `x` has the wrong shape or is not finite, or an option is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models import vae, vae_extras
    >>> p = vae.init_params(np.random.default_rng(0), 3, 8, 2)
    >>> x = np.zeros((4, 3))
    >>> d = vae_extras.expected_distortion(
    ...     p, x, obs_sd=1.0, rng=np.random.default_rng(1))
    >>> bool(d > 1.5 * np.log(2 * np.pi))  # at least the constant term
    True
    """
    x = _data(params, x)
    obs_sd = _number(obs_sd, "obs_sd", strict=True)
    n_samples = _count(n_samples, "n_samples")
    rng = _rng(rng)
    mu, log_var = vae.encode(params, x)
    eps = rng.standard_normal((n_samples, *mu.shape))
    x_hat = vae.decode(
        params, (mu + np.exp(0.5 * log_var) * eps).reshape(-1, mu.shape[1])
    )
    sq = np.sum((x_hat.reshape(n_samples, *x.shape) - x) ** 2, axis=-1)
    d = x.shape[1]
    return float(
        np.mean(sq) / (2 * obs_sd**2)
        + 0.5 * d * math.log(2 * math.pi * obs_sd**2)
    )


def rate_decomposition(
    params: Params,
    x: ArrayLike,
    *,
    rng: int | np.random.Generator | None,
    n_samples: int = 1,
) -> dict[str, float]:
    r"""Split the averaged KL term into mutual information and marginal KL.

    With the aggregate posterior :math:`q(z) = \frac1N\sum_n q(z|x_n)` (the
    encoder's codes over the data set x),

    .. math::

        \frac1N\sum_n D(q(z|x_n)\Vert p(z)) = I_q(X;Z) + D(q(z)\Vert p(z)),

    where X is uniform on the rows of x. The left side is computed exactly
    (the closed form of the Gaussian KL); the two terms on the right are
    Monte Carlo estimates from codes :math:`z \sim q(z|x_n)`, with
    :math:`\log q(z)` evaluated exactly as the N-component mixture.
    Cost: O(N^2 L n_samples).

    Parameters
    ----------
    params : dict of ndarray
        A trained :mod:`klnotes.models.vae` model.
    x : array_like, shape (N, D)
        The data set that defines the aggregate posterior.
    rng : int, numpy.random.Generator or None, keyword-only
        Draws the codes.
    n_samples : int, keyword-only
        Codes per example, >= 1.

    Returns
    -------
    dict of float
        ``rate`` (the averaged KL, exact), ``mutual_information`` and
        ``marginal_kl`` (estimates), and ``se_mutual_information``,
        ``se_marginal_kl`` (their Monte Carlo standard errors). The mutual
        information is at most ``log N``.

    Raises
    ------
    ValueError
        If `x` has the wrong shape or is not finite, or an option is out of range.

    Notes
    -----
    The identity is Hoffman and Johnson's (2016) decomposition; Alemi et al.
    (2018) call the averaged KL the rate.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models import vae, vae_extras
    >>> p = vae.init_params(np.random.default_rng(0), 3, 8, 2)
    >>> x = np.random.default_rng(1).normal(size=(50, 3))
    >>> r = vae_extras.rate_decomposition(p, x, rng=np.random.default_rng(2))
    >>> bool(0 <= r["mutual_information"] <= np.log(50))
    True
    """
    x = _data(params, x)
    n_samples = _count(n_samples, "n_samples")
    rng = _rng(rng)
    mu, log_var = vae.encode(params, x)
    var = np.exp(log_var)
    n, latent = mu.shape
    rate = float(np.mean(kl_std_normal(mu, log_var, axis=1)))
    pairs = _log_normal_pairs(mu, var)
    info, marg = [], []
    for _ in range(n_samples):
        z = mu + np.sqrt(var) * rng.standard_normal(
            mu.shape
        )  # z_n ~ q(z | x_n)
        log_cond = _log_normal(z, mu, var)
        log_agg = np.empty(n)
        for start in range(0, n, 500):  # chunks keep memory at 500 x N
            table = pairs(z[start : start + 500])
            top = table.max(axis=1)  # finite: each row holds its own code
            table -= top[:, None]
            np.exp(table, out=table)
            log_agg[start : start + 500] = (
                np.log(table.sum(axis=1)) + top - math.log(n)
            )
        log_prior = _log_normal(z, np.zeros(latent), np.ones(latent))
        info.append(log_cond - log_agg)
        marg.append(log_agg - log_prior)
    i_terms, m_terms = np.concatenate(info), np.concatenate(marg)
    k = i_terms.size
    return {
        "rate": rate,
        "mutual_information": float(i_terms.mean()),
        "marginal_kl": float(m_terms.mean()),
        "se_mutual_information": float(i_terms.std(ddof=1) / math.sqrt(k)),
        "se_marginal_kl": float(m_terms.std(ddof=1) / math.sqrt(k)),
    }


def active_units(
    params: Params, x: ArrayLike, *, threshold: float = 0.01
) -> tuple[int, NDArray[np.float64]]:
    r"""Burda et al.'s active units: dimensions with :math:`\mathrm{Cov}_x(\mathbb E_q[z_j]) > \delta`.

    Parameters
    ----------
    params : dict of ndarray
        A trained :mod:`klnotes.models.vae` model.
    x : array_like, shape (N, D)
        Data, finite.
    threshold : float, keyword-only
        :math:`\delta \ge 0`; Burda et al. (2016) use 0.01.

    Returns
    -------
    count : int
        Number of dimensions whose activity exceeds `threshold`.
    activity : ndarray, shape (L,)
        :math:`A_j = \mathrm{Var}_x(\mu_j(x))`, the variance over the data of
        the encoder's mean in dimension j.

    Raises
    ------
    ValueError
        If `x` has the wrong shape or is not finite, or `threshold` is negative.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models import vae, vae_extras
    >>> p = vae.init_params(np.random.default_rng(0), 3, 8, 2)
    >>> p["Wm"][:] = 0.0  # an encoder whose mean ignores x
    >>> vae_extras.active_units(p, np.ones((5, 3)))[0]
    0
    """
    x = _data(params, x)
    threshold = _number(threshold, "threshold", strict=False)
    mu, _ = vae.encode(params, x)
    activity = mu.var(axis=0)
    return int(np.sum(activity > threshold)), activity


def iwae_bound(
    params: Params,
    x: ArrayLike,
    *,
    n_samples: int,
    obs_sd: float,
    rng: int | np.random.Generator | None,
) -> NDArray[np.float64]:
    r"""The importance-weighted bound :math:`\mathcal L_K(x)` for each row of x, nats.

    .. math::

        \mathcal L_K(x) = \log\frac1K\sum_{k=1}^K
        \frac{p(z_k)\,p(x|z_k)}{q(z_k|x)}, \qquad z_k \sim q(z|x),

    one draw of it per example. Its expectation is Burda et al.'s (2016) bound:

    .. math:: \mathbb E\,\mathcal L_1 &= \mathrm{ELBO} \le \mathbb E\,\mathcal L_K \\
              &\le \mathbb E\,\mathcal L_{K+1} \le \log p(x).

    Parameters
    ----------
    params : dict of ndarray
        A :mod:`klnotes.models.vae` model.
    x : array_like, shape (N, D)
        Data, finite.
    n_samples : int, keyword-only
        K >= 1.
    obs_sd : float, keyword-only
        The decoder's standard deviation, > 0.
    rng : int, numpy.random.Generator or None, keyword-only
        Draws the K codes per example.

    Returns
    -------
    ndarray, shape (N,)
        One draw of :math:`\mathcal L_K(x_n)` per example.

    Raises
    ------
    ValueError
        If `x` has the wrong shape or is not finite, or an option is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models import vae, vae_extras
    >>> p = vae.init_params(np.random.default_rng(0), 3, 8, 2)
    >>> x = np.random.default_rng(1).normal(size=(200, 3))
    >>> l1, l50 = (vae_extras.iwae_bound(p, x, n_samples=k, obs_sd=1.0,
    ...            rng=np.random.default_rng(2)).mean() for k in (1, 50))
    >>> bool(l50 > l1)
    True
    """
    x = _data(params, x)
    k = _count(n_samples, "n_samples")
    obs_sd = _number(obs_sd, "obs_sd", strict=True)
    rng = _rng(rng)
    mu, log_var = vae.encode(params, x)
    var = np.exp(log_var)
    n, latent = mu.shape
    z = mu + np.sqrt(var) * rng.standard_normal((k, n, latent))  # (K, N, L)
    x_hat = vae.decode(params, z.reshape(-1, latent)).reshape(k, n, -1)
    log_lik = _log_normal(x, x_hat, obs_sd**2)
    log_w = log_lik + _log_normal(z, 0.0, 1.0) - _log_normal(z, mu, var)
    return special.logsumexp(log_w, axis=0) - math.log(k)


def smooth_free_bits(
    kl: ArrayLike, free_bits: float, softness: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Smooth free bits: :math:`f(k) = \lambda + \tau\,\mathrm{softplus}((k - \lambda)/\tau)`.

    Parameters
    ----------
    kl : array_like
        Per-dimension KL values (nats).
    free_bits : float
        :math:`\lambda \ge 0`.
    softness : float
        :math:`\tau > 0`, nats. As :math:`\tau \to 0`, f tends to the hard
        clamp :math:`\max(\lambda, k)`.

    Returns
    -------
    value : ndarray
        :math:`f(k)`, at least :math:`\max(\lambda, k)` and at most
        :math:`\max(\lambda, k) + \tau\log 2`; so f(k) >= k and, at beta = 1, the objective stays
        a lower bound on log p(x).
    slope : ndarray
        :math:`f'(k) = \sigma((k - \lambda)/\tau) \in (0, 1)`, the weight with
        which dimension j feels the pull to the prior.

    Raises
    ------
    ValueError
        If `free_bits` is negative or `softness` is not positive.

    Examples
    --------
    >>> from klnotes.models.vae_extras import smooth_free_bits
    >>> value, slope = smooth_free_bits([0.0, 0.5, 3.0], 0.5, 0.05)
    >>> value.round(4).tolist(), slope.round(4).tolist()
    ([0.5, 0.5347, 3.0], [0.0, 0.5, 1.0])
    """
    lam = _number(free_bits, "free_bits", strict=False)
    tau = _number(softness, "softness", strict=True)
    t = (np.asarray(kl, dtype=np.float64) - lam) / tau
    return lam + tau * np.logaddexp(0.0, t), special.expit(t)


def loss_and_grad_smooth_free_bits(
    params: Params,
    x: ArrayLike,
    eps: ArrayLike,
    *,
    beta: float = 1.0,
    obs_sd: float = 1.0,
    free_bits: float,
    softness: float,
) -> tuple[float, dict[str, object], Params]:
    r"""Loss ``recon + beta * sum_j f(mean KL_j)`` with smooth free bits f, and its gradient.

    Same contract as :func:`klnotes.models.vae.loss_and_grad`, whose
    reconstruction term and gradient it reuses; f is :func:`smooth_free_bits`.

    Parameters
    ----------
    params, x, eps, beta, obs_sd
        As in :func:`klnotes.models.vae.loss_and_grad`.
    free_bits : float, keyword-only
        :math:`\lambda \ge 0`.
    softness : float, keyword-only
        :math:`\tau > 0`.

    Returns
    -------
    loss : float
    stats : dict
        As in :func:`klnotes.models.vae.loss_and_grad` (``kl`` unclamped).
    grads : dict of ndarray

    Raises
    ------
    ValueError
        As :func:`klnotes.models.vae.loss_and_grad`, and for a bad
        `free_bits` or `softness`.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models import vae, vae_extras
    >>> rng = np.random.default_rng(0)
    >>> p = vae.init_params(rng, 3, 8, 2)
    >>> x, eps = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    >>> loss, stats, grads = vae_extras.loss_and_grad_smooth_free_bits(
    ...     p, x, eps, free_bits=0.5, softness=0.05)
    >>> bool(loss >= stats["recon"] + 2 * 0.5)
    True
    """
    beta = _number(beta, "beta", strict=False)
    obs_sd = _number(obs_sd, "obs_sd", strict=True)
    smooth_free_bits(0.0, free_bits, softness)  # validates both
    x, eps = vae._check_batch(params, x, eps)
    return _smooth_free_bits_loss(
        params, x, eps, beta, obs_sd, free_bits, softness
    )


def _smooth_free_bits_loss(
    params: Params,
    x: NDArray[np.float64],
    eps: NDArray[np.float64],
    beta: float,
    obs_sd: float,
    free_bits: float,
    softness: float,
) -> tuple[float, dict[str, object], Params]:
    """:func:`loss_and_grad_smooth_free_bits` on checked arguments."""
    recon, stats, grads, cache = vae._loss_and_grad(
        params, x, eps, 0.0, obs_sd, 0.0
    )
    value, slope = smooth_free_bits(stats["kl_per_dim"], free_bits, softness)
    h, mu, log_var = cache["h"], cache["mu"], cache["log_var"]
    b = np.asarray(beta)[..., None]  # one beta per stacked model
    # d loss / d KL_nj for each example n (a row that broadcasts over n)
    coef = (b * slope / x.shape[-2])[..., None, :]
    dmu = coef * mu
    dlog_var = coef * 0.5 * np.expm1(log_var)
    h_t, x_t = np.swapaxes(h, -1, -2), np.swapaxes(x, -1, -2)
    grads["Wm"] = grads["Wm"] + h_t @ dmu
    grads["bm"] = grads["bm"] + dmu.sum(-2)
    grads["Wv"] = grads["Wv"] + h_t @ dlog_var
    grads["bv"] = grads["bv"] + dlog_var.sum(-2)
    dpre1 = (
        dmu @ np.swapaxes(params["Wm"], -1, -2)
        + dlog_var @ np.swapaxes(params["Wv"], -1, -2)
    ) * (1 - h * h)
    grads["W1"] = grads["W1"] + x_t @ dpre1
    grads["b1"] = grads["b1"] + dpre1.sum(-2)
    per_model = stats["recon"] + np.asarray(beta) * np.sum(value, axis=-1)
    stats["loss"] = per_model if np.ndim(per_model) else float(per_model)
    return float(np.sum(per_model)), stats, grads


def train_smooth_free_bits(
    params: Params,
    data: ArrayLike,
    *,
    rng: int | np.random.Generator | None,
    epochs: int,
    batch_size: int = 100,
    lr: float = 1e-2,
    beta: float | Callable[[int], float] = 1.0,
    obs_sd: float = 1.0,
    free_bits: float,
    softness: float,
) -> dict[str, NDArray[np.float64]]:
    r""":func:`klnotes.models.vae.train` with smooth free bits.

    :func:`klnotes.models.vae.train` (the same Adam loop, shuffling and noise
    draws) with :func:`loss_and_grad_smooth_free_bits` as its loss.

    Parameters
    ----------
    params : dict of ndarray
        Updated in place.
    data : array_like, shape (N, D)
        Training data, finite.
    rng, epochs, batch_size, lr, beta, obs_sd
        As in :func:`klnotes.models.vae.train` (`beta` a number or a
        function of the epoch).
    free_bits, softness : float, keyword-only
        As in :func:`smooth_free_bits`.

    Returns
    -------
    history : dict of ndarray
        Per epoch: ``loss``, ``recon``, ``kl`` (unclamped), ``beta``,
        ``kl_per_dim``.

    Raises
    ------
    ValueError
        If an option is out of range, `rng` is not a seed or Generator, or `data` has
        the wrong shape or non-finite values.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models import vae, vae_extras
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 3))
    >>> p = vae.init_params(rng, 3, 8, 2)
    >>> hist = vae_extras.train_smooth_free_bits(
    ...     p, x, rng=rng, epochs=3, batch_size=50, free_bits=0.5, softness=0.05)
    >>> hist["kl_per_dim"].shape
    (3, 2)
    """
    smooth_free_bits(0.0, free_bits, softness)  # validates both

    def loss(
        p: Params,
        x: NDArray[np.float64],
        eps: NDArray[np.float64],
        *,
        beta: float,
        obs_sd: float,
    ) -> tuple[float, dict[str, object], Params]:
        # train checks the data, obs_sd and beta and draws eps itself
        return _smooth_free_bits_loss(
            p, x, eps, beta, obs_sd, free_bits, softness
        )

    return vae.train(
        params,
        data,
        rng=rng,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        beta=beta,
        obs_sd=obs_sd,
        loss=loss,
    )


def train_learned_variance(
    params: Params,
    data: ArrayLike,
    *,
    rng: int | np.random.Generator | None,
    epochs: int,
    batch_size: int = 100,
    lr: float | Callable[[int], float] = 1e-2,
    beta: Any = 1.0,
) -> dict[str, NDArray[np.float64]]:
    r""":func:`klnotes.models.vae.train` with the decoder variance learned too.

    The decoder is :math:`\mathcal N(\hat x(z), s^2 I)` with
    :math:`\log s^2` = ``params["log_obs_var"]`` (a number, or one per model
    of a stack), trained with the other parameters by the same Adam loop. Its
    gradient is :math:`D/2 - \overline{\lVert x - \hat x\rVert^2}/(2s^2)`,
    zero when :math:`s^2` is the mean squared error per coordinate.

    Parameters
    ----------
    params : dict of ndarray
        A model (or stack) from :mod:`klnotes.models.vae`, with the extra key
        ``log_obs_var``; updated in place.
    data, rng, epochs, batch_size, lr, beta
        As in :func:`klnotes.models.vae.train`.

    Returns
    -------
    history : dict of ndarray
        As :func:`klnotes.models.vae.train`.

    Raises
    ------
    ValueError
        As :func:`klnotes.models.vae.train`, and if ``log_obs_var`` is missing
        or has the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models import vae, vae_extras
    >>> x = np.random.default_rng(0).normal(size=(200, 3))
    >>> p = vae.init_params(1, 3, 8, 2)
    >>> p["log_obs_var"] = np.array(np.log(4.0))
    >>> h = vae_extras.train_learned_variance(p, x, rng=2, epochs=20)
    >>> bool(np.exp(p["log_obs_var"]) < 4.0)
    True
    """
    lead = np.shape(params["W1"])[:-2]
    if "log_obs_var" not in params or np.shape(params["log_obs_var"]) != lead:
        raise ValueError(
            "params must hold log_obs_var, the log decoder variance, of shape "
            f"{lead} (one per stacked model); got "
            f"{np.shape(params['log_obs_var']) if 'log_obs_var' in params else None}"
        )
    return vae.train(
        params,
        data,
        rng=rng,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        beta=beta,
        loss=_learned_variance_loss,
    )


def _learned_variance_loss(
    p: Params,
    x: NDArray[np.float64],
    eps: NDArray[np.float64],
    *,
    beta: Any,
    obs_sd: float,
) -> tuple[float, dict[str, Any], Params]:
    """The loss hook of :func:`train_learned_variance` (`obs_sd` unused)."""
    del obs_sd  # the decoder variance is a parameter here
    var = np.exp(p["log_obs_var"])
    value, stats, grads, _ = vae._loss_and_grad(
        p,
        x,
        eps,
        beta,
        np.sqrt(var),
        0.0,
    )
    d = x.shape[-1]
    grads["log_obs_var"] = np.asarray(
        0.5 * d - np.asarray(stats["sq_error"]) / (2 * var)
    )
    return value, stats, grads


def _renamed(new: Callable[..., Any], old: str) -> Callable[..., Any]:
    """``new`` under its klnotes 0.2.0 name ``old``, with a DeprecationWarning."""

    @functools.wraps(new)
    def alias(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"vae_extras.{old} is now vae_extras.{new.__name__} (the old name "
            "suggested Chen et al.'s soft free bits, a different method); "
            "the old name will be removed in klnotes 0.4",
            DeprecationWarning,
            stacklevel=2,
        )
        return new(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"Deprecated name of :func:`{new.__name__}`."
    return alias


soft_free_bits = _renamed(smooth_free_bits, "soft_free_bits")
loss_and_grad_soft_free_bits = _renamed(
    loss_and_grad_smooth_free_bits, "loss_and_grad_soft_free_bits"
)
train_soft_free_bits = _renamed(train_smooth_free_bits, "train_soft_free_bits")
