"""A noisy contextual bandit trained with PPO's penalised surrogate (chapter 6).

A tabular softmax policy over ``S`` states and ``K`` actions is a logits array
of shape ``(S, K)``; ``pi(a | s) = softmax(logits[s])[a]``. The bandit has mean
rewards ``R[s, a]``; an observed reward adds ``N(0, noise**2)``.

:func:`sample_actions` draws actions from such a policy;
:func:`ascend_surrogate` runs full-batch gradient ascent on PPO's surrogate
(plain, clipped or penalised) from a batch of samples; :func:`train_bandit`
runs PPO-style updates on the bandit with the unconstrained surrogate, the
clipped one, the KL penalty with a fixed coefficient, or the penalty with
PPO's adaptive coefficient.

References
----------
.. [1] J. Schulman, F. Wolski, P. Dhariwal, A. Radford and O. Klimov,
       "Proximal Policy Optimization Algorithms", arXiv:1707.06347, 2017,
       Section 4 (the KL-penalised surrogate and the adaptive coefficient).
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import kl_logits
from .ppo import adapt_beta, surrogate

__all__ = ["BanditRun", "ascend_surrogate", "sample_actions", "train_bandit"]

_MODES = ("none", "clip", "fixed", "adaptive")
_STEP_RULES = ("curvature", "constant")


def _probabilities(probs: ArrayLike) -> NDArray[np.float64]:
    try:
        p = np.asarray(probs, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"probs must be an array of real numbers; got {probs!r:.80}"
        ) from exc
    if p.ndim != 2 or p.shape[0] == 0 or p.shape[1] == 0:
        raise ValueError(
            f"probs must be 2-D of shape (S, K) with S, K >= 1; "
            f"got shape {p.shape}"
        )
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("probs must be finite and >= 0")
    bad = np.abs(p.sum(axis=1) - 1.0) > 1e-9
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"each row of probs must sum to 1; row {row} sums to "
            f"{p[row].sum()!r}"
        )
    return p


def _positive(value: object, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, Real)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}")
    return float(value)


def _count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1; got {value!r}")
    return int(value)


def sample_actions(
    probs: ArrayLike, states: ArrayLike, rng: np.random.Generator
) -> NDArray[np.intp]:
    r"""Draw one action per state from a tabular policy (inverse CDF).

    Parameters
    ----------
    probs : array_like, shape (S, K)
        ``probs[s]`` is the action distribution in state ``s``: entries
        finite, >= 0, each row summing to 1 (within 1e-9).
    states : array_like of int, shape (N,)
        The states, each in ``[0, S)``.
    rng : numpy.random.Generator
        The source of randomness.

    Returns
    -------
    actions : ndarray of int, shape (N,)
        ``actions[i] ~ probs[states[i]]``, independently.

    Raises
    ------
    ValueError
        If `probs` is not a valid (S, K) array of distributions, `states` is
        not a 1-D integer array in range, or `rng` is not a Generator.

    Notes
    -----
    With ``c`` the cumulative sum of a row and ``u`` uniform on (0, 1], the
    action is the number of entries of ``c`` below ``u * c[-1]``. Scaling by
    the row's own total ``c[-1]`` (not by 1) means rounding in the cumulative
    sum can never return the out-of-range index ``K``, and ``u > 0`` means an
    action of probability 0 is never drawn.

    Derived in chapter 6.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models.bandit import sample_actions
    >>> probs = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> sample_actions(probs, [0, 1, 0], np.random.default_rng(0)).tolist()
    [1, 0, 1]
    """
    p = _probabilities(probs)
    s = np.asarray(states)
    if s.ndim != 1 or not np.issubdtype(s.dtype, np.integer):
        raise ValueError(
            f"states must be a 1-D array of integers; got shape {s.shape}, "
            f"dtype {s.dtype}"
        )
    if s.size and (s.min() < 0 or s.max() >= p.shape[0]):
        bad = s[(s < 0) | (s >= p.shape[0])][0]
        raise ValueError(f"states must lie in [0, {p.shape[0]}); found {bad}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(  # noqa: TRY004 (the book's convention: ValueError)
            f"rng must be a numpy.random.Generator; got {type(rng).__name__}"
        )
    cdf = np.cumsum(p[s], axis=1)
    u = 1.0 - rng.random(s.size)  # uniform on (0, 1]
    return np.sum(cdf < (u * cdf[:, -1])[:, None], axis=1)


class BanditRun(NamedTuple):
    """The record of :func:`train_bandit`, with ``U`` policy updates.

    Attributes
    ----------
    kls : ndarray, shape (U,)
        Exact mean over states of :math:`D(\\pi_{old}(\\cdot|s) \\|
        \\pi_{new}(\\cdot|s))` after each update.
    rewards : ndarray, shape (U + 1,)
        Exact expected reward (states uniform) before the first update and
        after each update.
    betas : ndarray, shape (U,)
        The penalty coefficient used in each update (0 without a penalty).
    steps : ndarray, shape (U,)
        The gradient-ascent step size used in each update.
    """

    kls: NDArray[np.float64]
    rewards: NDArray[np.float64]
    betas: NDArray[np.float64]
    steps: NDArray[np.float64]


def _softmax(z: NDArray[np.float64]) -> NDArray[np.float64]:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _surrogate_gradient(
    logits: NDArray[np.float64],
    pi_old: NDArray[np.float64],
    w_pos: NDArray[np.float64],
    w_neg: NDArray[np.float64],
    counts: NDArray[np.float64],
    beta: float,
    clip_eps: float | None,
) -> NDArray[np.float64]:
    r"""Gradient of PPO's surrogate from per-(state, action) sums.

    With ``N`` samples, ``w_pos[s, a]`` (``w_neg[s, a]``) the sum of
    :math:`\hat A_t/(N\pi_{\text{old}}(a|s))` over the samples at ``(s, a)``
    with positive (negative) advantage and ``counts[s]`` the fraction of
    samples in state ``s``. All samples at ``(s, a)`` share the ratio
    :math:`r_{sa}`; a positive-advantage sample stops contributing once
    :math:`r_{sa} > 1+\epsilon`, a negative one once
    :math:`r_{sa} < 1-\epsilon`. With :math:`w` the weights still active,
    the gradient in the logits of state ``s`` is
    :math:`\pi_s\circ w_s - \pi_s (w_s\cdot\pi_s) - \beta c_s
    (\pi_s - \pi_{\text{old},s})`, the same as
    :func:`klnotes.models.ppo.surrogate` computes sample by sample (the test
    suite checks it), at a cost that does not grow with ``N``.
    """
    pi = _softmax(logits)
    w = w_pos + w_neg
    if clip_eps is not None:
        ratio = pi / pi_old
        w = np.where(ratio <= 1 + clip_eps, w_pos, 0.0) + np.where(
            ratio >= 1 - clip_eps, w_neg, 0.0
        )
    wp = w * pi
    grad = wp - pi * wp.sum(axis=1, keepdims=True)
    if beta > 0:
        grad -= beta * counts[:, None] * (pi - pi_old)
    return grad


def ascend_surrogate(
    logits_old: ArrayLike,
    states: ArrayLike,
    actions: ArrayLike,
    advantages: ArrayLike,
    *,
    epochs: int,
    step: float,
    beta: float = 0.0,
    clip_eps: float | None = None,
    checkpoints: tuple[int, ...] = (),
) -> tuple[NDArray[np.float64], list[NDArray[np.float64]]]:
    r"""Full-batch gradient ascent on PPO's surrogate, from the old policy.

    Runs `epochs` steps :math:`\theta \leftarrow \theta + \eta\nabla L`
    starting at `logits_old`, where :math:`L` is the
    objective of :func:`klnotes.models.ppo.surrogate` with the same
    arguments (plain, clipped with `clip_eps`, penalised with `beta`, or
    both).

    Parameters
    ----------
    logits_old : array_like, shape (S, K)
        The policy that collected the samples; finite.
    states, actions : array_like of int, shape (N,)
        The sampled states and actions, in range.
    advantages : array_like, shape (N,)
        Advantage estimates; finite.
    epochs : int, keyword-only
        Number of gradient steps, >= 1.
    step : float, keyword-only
        Step size :math:`\eta`, > 0.
    beta, clip_eps : keyword-only
        As in :func:`klnotes.models.ppo.surrogate`.
    checkpoints : tuple of int, keyword-only
        Epoch numbers (in ``[1, epochs]``) after which to record the logits.

    Returns
    -------
    logits : ndarray, shape (S, K)
        The logits after `epochs` steps.
    recorded : list of ndarray
        The logits after each epoch in `checkpoints`, in order.

    Raises
    ------
    ValueError
        For any input that :func:`klnotes.models.ppo.surrogate` rejects, or
        if `epochs`, `step` or `checkpoints` is invalid.

    Notes
    -----
    The samples are summed once into per-(state, action) weights (see the
    source), so an epoch costs :math:`O(SK)` whatever :math:`N`; the result
    equals stepping with the gradient of
    :func:`klnotes.models.ppo.surrogate`.

    Derived in chapter 6.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models.bandit import ascend_surrogate
    >>> old = np.log([[0.85, 0.10, 0.05]])
    >>> z, _ = ascend_surrogate(old, [0], [0], [1.0], epochs=100, step=1.0,
    ...                         clip_eps=0.2)
    >>> pi = np.exp(z) / np.exp(z).sum()
    >>> bool(pi[0, 0] > 0.99)   # the clip never binds: ratio < 1/0.85
    True
    """
    # validates every input the way the per-sample surrogate does
    surrogate(
        logits_old,
        logits_old,
        states,
        actions,
        advantages,
        clip_eps=clip_eps,
        beta=beta,
    )
    epochs = _count(epochs, "epochs")
    step = _positive(step, "step")
    marks: set[int] = set()
    for c in checkpoints:
        if isinstance(c, bool) or not isinstance(c, Integral):
            raise ValueError(f"checkpoints must be integers; got {c!r}")  # noqa: TRY004
        if not 1 <= c <= epochs:
            raise ValueError(
                f"checkpoints must lie in [1, epochs={epochs}]; got {c}"
            )
        marks.add(int(c))
    old = np.asarray(logits_old, dtype=np.float64)
    s, a = np.asarray(states), np.asarray(actions)
    adv = np.asarray(advantages, dtype=np.float64)
    pi_old = _softmax(old)
    unit = adv / (pi_old[s, a] * s.size)
    w_pos, w_neg = np.zeros_like(old), np.zeros_like(old)
    np.add.at(w_pos, (s[adv > 0], a[adv > 0]), unit[adv > 0])
    np.add.at(w_neg, (s[adv < 0], a[adv < 0]), unit[adv < 0])
    counts = np.bincount(s, minlength=old.shape[0]) / s.size
    eps = None if clip_eps is None else float(clip_eps)
    theta = old.copy()
    recorded = []
    for epoch in range(1, epochs + 1):
        theta = theta + step * _surrogate_gradient(
            theta, pi_old, w_pos, w_neg, counts, float(beta), eps
        )
        if epoch in marks:
            recorded.append(theta.copy())
    return theta, recorded


def train_bandit(
    mean_rewards: ArrayLike,
    mode: str,
    *,
    updates: int = 60,
    epochs: int = 20,
    batch: int = 256,
    step: float = 10.0,
    step_rule: str = "curvature",
    beta: float = 1.0,
    kl_target: float = 0.02,
    clip_eps: float = 0.2,
    noise: float = 1.0,
    seed: int = 1,
) -> BanditRun:
    r"""Train a tabular softmax policy on a noisy contextual bandit with PPO.

    Each update samples `batch` (state, action, reward) triples from the
    current policy (states uniform), forms advantages as the observed reward
    minus the state's exact value under that policy, and runs `epochs` steps
    of full-batch gradient ascent from it on the surrogate
    :math:`\hat{\mathbb E}_t[r_t\hat A_t - \beta D(\pi_{\text{old}}(\cdot|s_t)
    \|\pi_\theta(\cdot|s_t))]`.

    Parameters
    ----------
    mean_rewards : array_like, shape (S, K)
        Mean reward of each (state, action); finite.
    mode : {"none", "clip", "fixed", "adaptive"}
        ``"none"``: no penalty (:math:`\beta = 0`). ``"clip"``: PPO's clipped
        surrogate with `clip_eps`, no penalty. ``"fixed"``: the penalty
        with coefficient `beta`. ``"adaptive"``: the penalty, starting at
        `beta` and updated after every update by
        :func:`klnotes.models.ppo.adapt_beta` with target `kl_target`.
    updates, epochs, batch : int, keyword-only
        Number of policy updates, gradient steps per update, samples per
        update; each >= 1.
    step : float, keyword-only
        Base step size of gradient ascent, > 0.
    step_rule : {"curvature", "constant"}, keyword-only
        ``"constant"`` uses `step` throughout. ``"curvature"`` (default) uses
        :math:`\min(\eta, 2N/(\beta\max_s n_s))`, with :math:`n_s` the samples
        in state :math:`s`: the penalty's curvature in the logits of state
        :math:`s` is at most :math:`\beta n_s/(2N)` (see Notes), so the step
        times the curvature stays <= 1 and ascent cannot overshoot.
    beta : float, keyword-only
        The (initial) penalty coefficient, > 0; ignored for ``"none"``.
    kl_target : float, keyword-only
        Target of the adaptive rule, > 0.
    clip_eps : float, keyword-only
        The clip range of mode ``"clip"``, > 0.
    noise : float, keyword-only
        Standard deviation of the observed reward around its mean, > 0.
    seed : int, keyword-only
        Seed of the ``numpy.random.default_rng`` that draws states, actions
        and reward noise.

    Returns
    -------
    BanditRun
        ``kls``, ``rewards``, ``betas``, ``steps`` (see :class:`BanditRun`).

    Raises
    ------
    ValueError
        If `mean_rewards` is not a finite 2-D array, `mode` or `step_rule` is
        not one of the names above, or a count or size is not positive.

    Notes
    -----
    The Hessian of :math:`D(\pi_{\text{old}}\|\operatorname{softmax}(z))` in
    :math:`z` is :math:`F(z) = \operatorname{diag}(\pi) - \pi\pi^\top`, and
    :math:`v^\top F v = \operatorname{Var}_{\pi}(v) \le \tfrac12\|v\|^2`, so
    its largest eigenvalue is at most 1/2. With a constant step the penalty's
    curvature grows with :math:`\beta`; past
    :math:`\eta\beta n_s/(2N) = 2` ascent oscillates with growing amplitude,
    and the adaptive rule, which doubles :math:`\beta` after a large update,
    makes it worse (chapter 6 shows the blow-up).

    Derived in chapter 6.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models.bandit import train_bandit
    >>> R = np.random.default_rng(0).normal(scale=0.3, size=(5, 3))
    >>> run = train_bandit(R, "adaptive", updates=3, seed=2)
    >>> run.kls.shape, run.rewards.shape
    ((3,), (4,))
    """
    R = np.asarray(mean_rewards, dtype=np.float64)
    if R.ndim != 2 or R.shape[0] == 0 or R.shape[1] == 0:
        raise ValueError(
            f"mean_rewards must be 2-D of shape (S, K); got shape {R.shape}"
        )
    if not np.all(np.isfinite(R)):
        raise ValueError("mean_rewards must be finite")
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}; got {mode!r}")
    if step_rule not in _STEP_RULES:
        raise ValueError(
            f"step_rule must be one of {_STEP_RULES}; got {step_rule!r}"
        )
    updates = _count(updates, "updates")
    epochs = _count(epochs, "epochs")
    batch = _count(batch, "batch")
    step = _positive(step, "step")
    beta = _positive(beta, "beta")
    kl_target = _positive(kl_target, "kl_target")
    clip_eps = _positive(clip_eps, "clip_eps")
    noise = _positive(noise, "noise")

    n_states, n_actions = R.shape
    rng = np.random.default_rng(seed)
    theta = np.zeros((n_states, n_actions))

    def expected_reward(z: NDArray[np.float64]) -> float:
        return float(np.mean(np.sum(_softmax(z) * R, axis=1)))

    kls, rewards, betas, steps = [], [expected_reward(theta)], [], []
    for _ in range(updates):
        old = theta.copy()
        pi = _softmax(old)
        s = rng.integers(0, n_states, batch)
        a = sample_actions(pi, s, rng)
        value = np.sum(pi * R, axis=1)
        adv = R[s, a] + noise * rng.normal(size=batch) - value[s]
        b = 0.0 if mode in ("none", "clip") else beta
        eta = step
        if step_rule == "curvature" and b > 0:
            eta = min(step, 2.0 * batch / (b * np.bincount(s).max()))
        theta, _ = ascend_surrogate(
            old,
            s,
            a,
            adv,
            epochs=epochs,
            step=eta,
            beta=b,
            clip_eps=clip_eps if mode == "clip" else None,
        )
        d = float(np.mean(kl_logits(old, theta)))
        kls.append(d)
        betas.append(b)
        steps.append(eta)
        rewards.append(expected_reward(theta))
        if mode == "adaptive":
            beta = adapt_beta(beta, d, kl_target)
    return BanditRun(
        np.array(kls), np.array(rewards), np.array(betas), np.array(steps)
    )
