"""Small policy-optimisation utilities for chapter 6: PPO's adaptive KL coefficient and
the PPO surrogate objectives, with exact gradients, for tabular softmax policies.

A tabular softmax policy over ``S`` states and ``A`` actions is a logits array of shape
``(S, A)``; ``pi(a | s) = softmax(logits[s])[a]``.

References
----------
.. [1] J. Schulman, F. Wolski, P. Dhariwal, A. Radford and O. Klimov, "Proximal Policy
       Optimization Algorithms", arXiv:1707.06347, 2017, Section 4 (adaptive KL penalty
       coefficient) and eq. (7) (the clipped surrogate).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from .._discrete import kl_logits
from .._validation import as_float_array, check_finite, check_scalar

__all__ = ["adapt_beta", "surrogate"]


def _positive_number(value: object, name: str) -> float:
    return check_scalar(value, name, low=0.0, low_inclusive=False)


def adapt_beta(
    beta: float,
    kl: float,
    kl_target: float,
    *,
    tolerance: float = 1.5,
    factor: float = 2.0,
) -> float:
    r"""PPO's adaptive rule for the KL-penalty coefficient :math:`\beta`.

    Parameters
    ----------
    beta : float
        Current coefficient, > 0.
    kl : float
        The divergence :math:`d = \hat{\mathbb E}_t[D(\pi_{\text{old}}(\cdot|s_t) \| \pi_\theta(\cdot|s_t))]`
        measured after the latest policy update; finite (an estimate may be
        slightly negative).
    kl_target : float
        The target :math:`d_{\text{targ}}`, > 0.
    tolerance : float, keyword-only
        > 1. The band runs from :math:`d_{\text{targ}}/\text{tolerance}` to
        :math:`d_{\text{targ}}\cdot\text{tolerance}`, both ends included.
        Default 1.5, as in the paper.
    factor : float, keyword-only
        Multiplier applied outside the band; > 1. Default 2, as in the paper.

    Returns
    -------
    beta : float
        :math:`\beta/\text{factor}` if :math:`d < d_{\text{targ}}/\text{tolerance}`,
        :math:`\beta\cdot\text{factor}` if :math:`d > d_{\text{targ}}\cdot\text{tolerance}`,
        otherwise :math:`\beta` unchanged.

    Raises
    ------
    ValueError
        If `beta` or `kl_target` is not a finite positive number, `kl` is not finite,
        or `tolerance` or `factor` is not a finite number > 1.

    Notes
    -----
    The penalised objective is

    .. math:: &L(\theta) = \hat{\mathbb E}_t[r_t(\theta)\hat A_t \\
              &\quad - \beta\, D(\pi_{\text{old}}(\cdot|s_t)\|\pi_\theta(\cdot|s_t))].

    A small :math:`\beta` lets the policy move far from the one that collected the
    data; the rule raises :math:`\beta` when the last update moved too far and lowers
    it when it moved too little.

    Derived in chapter 6.

    References
    ----------
    .. [1] Schulman et al., "Proximal Policy Optimization Algorithms", 2017, Section 4.

    Examples
    --------
    >>> from klnotes.models.ppo import adapt_beta
    >>> adapt_beta(1.0, kl=0.001, kl_target=0.01)   # moved too little: halve
    0.5
    >>> adapt_beta(1.0, kl=0.02, kl_target=0.01)    # moved too far: double
    2.0
    >>> adapt_beta(1.0, kl=0.012, kl_target=0.01)   # inside [d/1.5, 1.5 d]: keep
    1.0
    """
    beta = _positive_number(beta, "beta")
    kl_target = _positive_number(kl_target, "kl_target")
    kl = check_scalar(kl, "kl")
    for name, value in (("tolerance", tolerance), ("factor", factor)):
        if _positive_number(value, name) <= 1:
            raise ValueError(f"{name} must be > 1; got {value!r}")
    if kl < kl_target / tolerance:
        return beta / factor
    if kl > kl_target * tolerance:
        return beta * factor
    return beta


def surrogate(
    logits: ArrayLike,
    logits_old: ArrayLike,
    states: ArrayLike,
    actions: ArrayLike,
    advantages: ArrayLike,
    *,
    clip_eps: float | None = None,
    beta: float = 0.0,
) -> tuple[float, NDArray[np.float64]]:
    r"""PPO surrogate objective of a tabular softmax policy, and its exact gradient.

    Parameters
    ----------
    logits : array_like, shape (S, A)
        Current policy :math:`\pi_\theta`, finite.
    logits_old : array_like, shape (S, A)
        The policy that collected the samples, :math:`\pi_{\text{old}}`, finite.
    states, actions : array_like of int, shape (N,)
        The sampled states and actions, in range.
    advantages : array_like, shape (N,)
        Advantage estimates :math:`\hat A_t`, finite.
    clip_eps : float or None, keyword-only
        If given (> 0), use the clipped term

        .. math:: &\min(r_t \hat A_t, \\
                  &\quad \operatorname{clip}(r_t, 1-\epsilon, 1+\epsilon)\hat A_t)

        instead of :math:`r_t \hat A_t`.
    beta : float, keyword-only
        KL-penalty coefficient, :math:`\ge 0`: subtracts
        :math:`\beta\,\hat{\mathbb E}_t D(\pi_{\text{old}}(\cdot|s_t)\|\pi_\theta(\cdot|s_t))`.

    Returns
    -------
    value : float
        :math:`L(\theta)`, the sample mean over the :math:`N` samples.
    grad : ndarray, shape (S, A)
        :math:`\nabla_{\text{logits}} L`.

    Raises
    ------
    ValueError
        If shapes disagree, an index is out of range, an input is not finite,
        `clip_eps` is not a positive number, or `beta` is negative.

    Notes
    -----
    With :math:`r_t = \pi_\theta(a_t|s_t)/\pi_{\text{old}}(a_t|s_t)`, the softmax gives

    .. math:: &\partial r_t / \partial\,\text{logits}[s_t, b] \\
              &\quad = r_t(\mathbb 1[b = a_t] - \pi_\theta(b|s_t)),

    and

    .. math:: &\partial D(\pi_{\text{old}}\|\pi_\theta) / \partial\,\text{logits}[s, b] \\
              &\quad = \pi_\theta(b|s) - \pi_{\text{old}}(b|s).

    The clipped term has zero gradient where the clipped value is the smaller one,
    i.e. where :math:`\hat A_t > 0,\ r_t > 1+\epsilon` or :math:`\hat A_t < 0,\ r_t < 1-\epsilon`.
    The gradient is checked against finite differences in the test suite.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models.ppo import surrogate
    >>> z = np.zeros((1, 2))
    >>> value, grad = surrogate(z, z, [0], [0], [1.0])   # at theta_old, r = 1
    >>> float(value), grad.tolist()
    (1.0, [[0.5, -0.5]])
    """
    theta = as_float_array(logits, "logits")
    old = as_float_array(logits_old, "logits_old")
    if theta.ndim != 2 or old.shape != theta.shape:
        raise ValueError(
            f"logits and logits_old must be 2-D of the same shape (S, A); got {theta.shape} and {old.shape}"
        )
    check_finite(theta, "logits")
    check_finite(old, "logits_old")
    s = np.asarray(states)
    a = np.asarray(actions)
    adv = as_float_array(advantages, "advantages")
    if not (
        s.ndim == a.ndim == adv.ndim == 1
        and s.shape == a.shape == adv.shape
        and s.size > 0
    ):
        raise ValueError(
            f"states, actions and advantages must be 1-D of the same non-zero length; got {s.shape}, {a.shape}, {adv.shape}"
        )
    for arr, name, bound in (
        (s, "states", theta.shape[0]),
        (a, "actions", theta.shape[1]),
    ):
        if not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(f"{name} must be integers; got dtype {arr.dtype}")
        if arr.min() < 0 or arr.max() >= bound:
            bad = arr[(arr < 0) | (arr >= bound)][0]
            raise ValueError(
                f"{name} must lie in [0, {bound}); found {int(bad)}"
            )
    check_finite(adv, "advantages")
    if clip_eps is not None:
        clip_eps = _positive_number(clip_eps, "clip_eps")
    beta = check_scalar(beta, "beta", low=0.0)

    n = s.size
    pi = special.softmax(theta, axis=1)
    log_pi, log_old = (
        special.log_softmax(theta, axis=1),
        special.log_softmax(old, axis=1),
    )
    ratio = np.exp(log_pi[s, a] - log_old[s, a])
    term = ratio * adv
    active = np.ones(n, dtype=bool)
    if clip_eps is not None:
        clipped = np.clip(ratio, 1 - clip_eps, 1 + clip_eps) * adv
        active = (
            term <= clipped
        )  # the unclipped term is the minimum: it carries the gradient
        term = np.minimum(term, clipped)
    value = float(term.mean())
    coef = np.where(active, ratio * adv, 0.0) / n  # d(term)/d ratio * ratio
    grad = np.zeros_like(theta)
    np.add.at(grad, (s, a), coef)
    np.add.at(grad, s, -coef[:, None] * pi[s])
    if beta > 0:
        value -= beta * float(np.mean(kl_logits(old[s], theta[s])))
        pi_old = special.softmax(old, axis=1)
        np.add.at(grad, s, -(beta / n) * (pi[s] - pi_old[s]))
    return value, grad
