"""A noisy contextual bandit trained with PPO's penalised surrogate (chapter 6).

A tabular softmax policy over ``S`` states and ``K`` actions is a logits array
of shape ``(S, K)``; ``pi(a | s) = softmax(logits[s])[a]``. The bandit has mean
rewards ``R[s, a]``; an observed reward adds ``N(0, noise**2)``.

:func:`sample_actions` draws actions from such a policy;
:func:`ascend_surrogate` runs full-batch gradient ascent on PPO's surrogate
(plain, clipped or penalised) from a batch of samples, with one step size or
one per state; :func:`curvature_bound` bounds the curvature of the penalised
surrogate in each state's logits, and :func:`penalised_maximiser` returns its
exact maximiser; :func:`train_bandit` runs PPO-style updates on the bandit
with the unconstrained surrogate, the clipped one, the KL penalty with a fixed
coefficient, or the penalty with PPO's adaptive coefficient.

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
from .._validation import check_scalar
from .ppo import adapt_beta, surrogate

__all__ = [
    "BanditRun",
    "ascend_surrogate",
    "curvature_bound",
    "penalised_maximiser",
    "sample_actions",
    "train_bandit",
]

_MODES = ("none", "clip", "fixed", "adaptive")
_STEP_RULES = ("curvature", "penalty", "constant")


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


def _generator(rng: object) -> np.random.Generator:
    """`rng` normalised by ``numpy.random.default_rng`` (Scientific Python SPEC 7)."""
    if isinstance(rng, (bool, np.bool_)):
        raise ValueError(
            f"rng must be None, a seed or a Generator; got {rng!r}"
        )
    try:
        return np.random.default_rng(rng)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"rng must be None, a seed or a numpy.random.Generator; "
            f"got {type(rng).__name__} {rng!r:.60}"
        ) from exc


def sample_actions(
    probs: ArrayLike, states: ArrayLike, rng: object = None
) -> NDArray[np.intp]:
    r"""Draw one action per state from a tabular policy (inverse CDF).

    Parameters
    ----------
    probs : array_like, shape (S, K)
        ``probs[s]`` is the action distribution in state ``s``: entries
        finite, >= 0, each row summing to 1 (within 1e-9).
    states : array_like of int, shape (N,)
        The states, each in ``[0, S)``.
    rng : None, int, array of ints, SeedSequence, BitGenerator or Generator
        The source of randomness, passed through
        ``numpy.random.default_rng`` (a Generator is used as it is).

    Returns
    -------
    actions : ndarray of int, shape (N,)
        ``actions[i] ~ probs[states[i]]``, independently.

    Raises
    ------
    ValueError
        If `probs` is not a valid (S, K) array of distributions, `states` is
        not a 1-D integer array in range, or `rng` is not accepted by
        ``numpy.random.default_rng``.

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
    rng = _generator(rng)
    cdf = np.cumsum(p[s], axis=1)
    u = 1.0 - rng.random(s.size)  # uniform on (0, 1]
    return np.sum(cdf < (u * cdf[:, -1])[:, None], axis=1)


class BanditRun(NamedTuple):
    """The record of :func:`train_bandit`, with ``U`` policy updates.

    Attributes
    ----------
    kls : ndarray, shape (U,)
        Exact mean over states of :math:`D(\\pi_{old}(\\cdot|s) \\|
        \\pi_{new}(\\cdot|s))` after each update (the row means of
        `state_kls`).
    rewards : ndarray, shape (U + 1,)
        Exact expected reward (states uniform) before the first update and
        after each update.
    betas : ndarray, shape (U,)
        The penalty coefficient used in each update (0 without a penalty).
    steps : ndarray, shape (U, S)
        The gradient-ascent step size used in each state in each update.
    state_kls : ndarray, shape (U, S)
        The exact divergence :math:`D(\\pi_{old}(\\cdot|s) \\|
        \\pi_{new}(\\cdot|s))` of each state after each update.
    maximiser_kls : ndarray, shape (U, S)
        The same divergence at the maximiser of the update's penalised
        surrogate (:func:`penalised_maximiser`), the point that ascent on
        that batch would reach with unlimited epochs (with the curvature
        step rule); NaN in modes ``"none"`` and ``"clip"``, which have no
        penalty, and when :func:`train_bandit` is called with
        ``maximiser=False``.
    """

    kls: NDArray[np.float64]
    rewards: NDArray[np.float64]
    betas: NDArray[np.float64]
    steps: NDArray[np.float64]
    state_kls: NDArray[np.float64]
    maximiser_kls: NDArray[np.float64]


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


class _Batch(NamedTuple):
    """A batch summed into per-(state, action) weights (see
    :func:`_surrogate_gradient`)."""

    old: NDArray[np.float64]
    pi_old: NDArray[np.float64]
    w_pos: NDArray[np.float64]
    w_neg: NDArray[np.float64]
    counts: NDArray[np.float64]


def _summed(
    old: NDArray[np.float64],
    s: NDArray[np.intp],
    a: NDArray[np.intp],
    adv: NDArray[np.float64],
) -> _Batch:
    """Sum a (valid) batch into per-(state, action) weights."""
    pi_old = _softmax(old)
    with np.errstate(divide="ignore", over="ignore"):  # _batch reports it
        unit = adv / (pi_old[s, a] * s.size)
    w_pos, w_neg = np.zeros_like(old), np.zeros_like(old)
    np.add.at(w_pos, (s[adv > 0], a[adv > 0]), unit[adv > 0])
    np.add.at(w_neg, (s[adv < 0], a[adv < 0]), unit[adv < 0])
    counts = np.bincount(s, minlength=old.shape[0]) / s.size
    return _Batch(old, pi_old, w_pos, w_neg, counts)


def _batch(
    logits_old: ArrayLike,
    states: ArrayLike,
    actions: ArrayLike,
    advantages: ArrayLike,
    *,
    beta: float,
    clip_eps: float | None,
) -> _Batch:
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
    batch = _summed(
        np.asarray(logits_old, dtype=np.float64),
        np.asarray(states),
        np.asarray(actions),
        np.asarray(advantages, dtype=np.float64),
    )
    bad = ~np.isfinite(batch.w_pos + batch.w_neg)
    if bad.any():
        s_bad, a_bad = (int(i[0]) for i in np.nonzero(bad))
        raise ValueError(
            "logits_old gives a sampled action so small a probability that "
            "its importance weight advantage / (N pi_old) is not finite in "
            f"float64 (state {s_bad}, action {a_bad}, pi_old = "
            f"{batch.pi_old[s_bad, a_bad]:.3g})"
        )
    return batch


def _step_sizes(step: object, n_states: int) -> NDArray[np.float64]:
    """`step` as a column of per-state step sizes, shape (S, 1)."""
    if isinstance(step, Real):
        return np.full((n_states, 1), _positive(step, "step"))
    try:
        eta = np.asarray(step, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"step must be a number or an array of numbers; got {step!r:.80}"
        ) from exc
    if eta.shape != (n_states,):
        raise ValueError(
            f"step must be a number or an array of shape (S,) = "
            f"({n_states},); got shape {eta.shape}"
        )
    if not np.all(np.isfinite(eta)) or np.any(eta <= 0):
        bad = int(np.flatnonzero(~(np.isfinite(eta) & (eta > 0)))[0])
        raise ValueError(
            f"step must be finite and > 0 in every state; "
            f"step[{bad}] = {eta[bad]!r}"
        )
    return eta[:, None]


def curvature_bound(
    logits_old: ArrayLike,
    states: ArrayLike,
    actions: ArrayLike,
    advantages: ArrayLike,
    *,
    beta: float = 0.0,
) -> NDArray[np.float64]:
    r"""A bound on the curvature of the penalised surrogate, state by state.

    The penalised surrogate of :func:`klnotes.models.ppo.surrogate` (no
    clipping) is a sum :math:`\sum_s f_s(z_s)` of functions of the logits
    :math:`z_s` of one state each. This returns, for every state, an
    :math:`M_s` with :math:`|v^\top\nabla^2 f_s(z)\,v| \le M_s\|v\|^2` for
    every :math:`v` and **every** :math:`z` (not only at the old policy).

    Parameters
    ----------
    logits_old : array_like, shape (S, K)
        The policy that collected the samples; finite.
    states, actions : array_like of int, shape (N,)
        The sampled states and actions, in range.
    advantages : array_like, shape (N,)
        Advantage estimates; finite.
    beta : float, keyword-only
        The penalty coefficient, >= 0.

    Returns
    -------
    M : ndarray, shape (S,)
        The bound

        .. math:: M_s &= \tfrac12\big(\max_a w_{sa} - \min_a w_{sa} \\
                  &\qquad + \beta n_s/N\big),

        with :math:`w_{sa}` the sum of
        :math:`\hat A_t/(N\pi_{\text{old}}(a|s))` over the samples at
        ``(s, a)`` (0 for an action not sampled) and :math:`n_s` the number
        of samples in state ``s``.

    Raises
    ------
    ValueError
        For any input that :func:`klnotes.models.ppo.surrogate` rejects, or
        if a sampled action's importance weight is not finite in float64.

    Notes
    -----
    In one state, :math:`f(z) = w^\top\pi - c\,D(\pi_{\text{old}}\|\pi)`
    with :math:`\pi = \operatorname{softmax}(z)` and :math:`c = \beta n_s/N`.
    With :math:`\bar w = w^\top\pi`, :math:`u = v - \pi^\top v` and
    :math:`g_a = w_a - \bar w - c`, differentiating twice gives

    .. math:: v^\top\nabla^2 f(z)\,v = \sum_a \pi_a u_a^2 g_a .

    Since :math:`\bar w` lies between :math:`\min w` and :math:`\max w`,
    :math:`|g_a| \le \max w - \min w + c`, and
    :math:`\sum_a\pi_a u_a^2 = \operatorname{Var}_\pi(v) \le \tfrac12\|v\|^2`.
    Gradient ascent on :math:`f_s` with a step :math:`\tau_s \le 1/M_s`
    therefore raises :math:`f_s` by at least
    :math:`\tfrac12\tau_s\|\nabla f_s\|^2` at every step (the descent lemma).
    The clipped surrogate is not differentiable where a ratio crosses the
    clip, and the bound says nothing there.

    Derived in chapter 6.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models.bandit import curvature_bound
    >>> old = np.log([[0.5, 0.5], [0.9, 0.1]])
    >>> # one sample in state 1: action 1, advantage 2, so w = 2 / (2 * 0.1)
    >>> curvature_bound(old, [1, 0], [1, 0], [2.0, 0.0], beta=1.0).round(3)
    array([0.25, 5.25])
    """
    beta = float(check_scalar(beta, "beta", low=0.0))
    b = _batch(
        logits_old, states, actions, advantages, beta=beta, clip_eps=None
    )
    return _bound(b, beta)


def _bound(b: _Batch, beta: float) -> NDArray[np.float64]:
    w = b.w_pos + b.w_neg
    return 0.5 * (w.max(axis=1) - w.min(axis=1) + beta * b.counts)


def penalised_maximiser(
    logits_old: ArrayLike,
    states: ArrayLike,
    actions: ArrayLike,
    advantages: ArrayLike,
    *,
    beta: float,
) -> NDArray[np.float64]:
    r"""The exact maximiser of PPO's penalised surrogate (no clipping).

    Parameters
    ----------
    logits_old : array_like, shape (S, K)
        The policy that collected the samples; finite.
    states, actions : array_like of int, shape (N,)
        The sampled states and actions, in range.
    advantages : array_like, shape (N,)
        Advantage estimates; finite.
    beta : float, keyword-only
        The penalty coefficient, > 0.

    Returns
    -------
    logits : ndarray, shape (S, K)
        :math:`\log\pi^\ast(\cdot|s)` in every state with samples, the
        unique maximiser of the penalised surrogate there; `logits_old` in
        a state without samples, where the surrogate does not depend on the
        policy.

    Raises
    ------
    ValueError
        For any input that :func:`klnotes.models.ppo.surrogate` rejects;
        if a sampled action's importance weight is not finite in float64;
        or if `beta` is not > 0.

    Notes
    -----
    In a state with samples, :math:`c = \beta n_s/N > 0` and, as a function
    of the probabilities, :math:`f(\pi) = w^\top\pi - c\,D(\pi_{\text{old}}
    \|\pi)` (weights :math:`w` as in :func:`curvature_bound`) is strictly
    concave on the open simplex and tends to :math:`-\infty` at its
    boundary, so it has exactly one maximiser, and it is the only
    stationary point in the logits. With a multiplier :math:`\lambda` for
    :math:`\sum_a\pi_a = 1`, stationarity reads
    :math:`w_a + c\,\pi_{\text{old}}(a)/\pi_a = \lambda`, so

    .. math:: \pi^\ast_a = \frac{c\,\pi_{\text{old}}(a)}{\lambda - w_a},
              \qquad \sum_a \frac{c\,\pi_{\text{old}}(a)}{\lambda - w_a}
              = 1 .

    The sum decreases from :math:`+\infty` to 0 as :math:`\lambda` runs
    over :math:`(\max_a w_a, \infty)`, so the root is unique; with
    :math:`\lambda = \max_a w_a + t` it lies at
    :math:`t \in [c\,\pi_{\text{old}}(a^\ast), c]` (:math:`a^\ast` an action
    of largest weight), where this function finds it by 64 bisections of
    :math:`\log t`.

    Derived in chapter 6.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models.bandit import penalised_maximiser
    >>> old = np.log([[0.5, 0.5]])
    >>> # one sample, action 0, advantage 0.5: w = (1, 0) and c = 1, so
    >>> # 0.5 / (lam - 1) + 0.5 / lam = 1, lam = 1 + 2 ** -0.5
    >>> z = penalised_maximiser(old, [0], [0], [0.5], beta=1.0)
    >>> np.exp(z).round(6)
    array([[0.707107, 0.292893]])
    """
    beta = float(check_scalar(beta, "beta", low=0.0, low_inclusive=False))
    b = _batch(
        logits_old, states, actions, advantages, beta=beta, clip_eps=None
    )
    return _maximiser(b, beta)


def _maximiser(b: _Batch, beta: float) -> NDArray[np.float64]:
    # in logarithms throughout, so that old probabilities that underflow
    # (a policy far from uniform) cause neither 0/0 nor log(0)
    rows = np.flatnonzero(b.counts > 0)
    w = (b.w_pos + b.w_neg)[rows]
    z = b.old[rows]
    log_p = z - z.max(axis=1, keepdims=True)
    log_p -= np.log(np.sum(np.exp(log_p), axis=1, keepdims=True))
    log_cp = np.log(beta * b.counts[rows, None]) + log_p
    gap = w.max(axis=1, keepdims=True) - w  # lambda - w_a = t + gap
    with np.errstate(divide="ignore"):
        log_gap = np.log(gap)  # -inf for the actions of largest weight
    lo = log_cp[np.arange(rows.size), w.argmax(axis=1)]
    hi = np.log(beta * b.counts[rows])
    for _ in range(64):  # bisection of log t
        mid = 0.5 * (lo + hi)
        log_pi = log_cp - np.logaddexp(mid[:, None], log_gap)
        over = np.sum(np.exp(log_pi), axis=1) > 1
        lo, hi = np.where(over, mid, lo), np.where(over, hi, mid)
    logits = b.old.copy()
    logits[rows] = log_cp - np.logaddexp(0.5 * (lo + hi)[:, None], log_gap)
    return logits


def ascend_surrogate(
    logits_old: ArrayLike,
    states: ArrayLike,
    actions: ArrayLike,
    advantages: ArrayLike,
    *,
    epochs: int,
    step: float | ArrayLike,
    beta: float = 0.0,
    clip_eps: float | None = None,
    checkpoints: tuple[int, ...] = (),
) -> tuple[NDArray[np.float64], list[NDArray[np.float64]]]:
    r"""Full-batch gradient ascent on PPO's surrogate, from the old policy.

    Runs `epochs` steps :math:`z_s \leftarrow z_s + \tau_s\nabla_{z_s} L`
    starting at `logits_old`, where :math:`L` is the
    objective of :func:`klnotes.models.ppo.surrogate` with the same
    arguments (plain, clipped with `clip_eps`, penalised with `beta`, or
    both) and :math:`z_s` are the logits of state :math:`s`.

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
    step : float or array_like of shape (S,), keyword-only
        Step size :math:`\tau`, > 0: one for all states, or one per state.
        (The surrogate is a sum of functions of one state's logits each, so
        a step per state is gradient ascent on each of them.)
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
        For any input that :func:`klnotes.models.ppo.surrogate` rejects;
        if a sampled action's importance weight is not finite in float64;
        or if `epochs`, `step` or `checkpoints` is invalid.

    Notes
    -----
    The samples are summed once into per-(state, action) weights (see the
    source), so an epoch costs :math:`O(SK)` whatever :math:`N`; the result
    equals stepping with the gradient of
    :func:`klnotes.models.ppo.surrogate`. Without clipping, a step
    :math:`\tau_s \le 1/M_s` (:func:`curvature_bound`) makes no epoch
    lower the penalised surrogate in any state (every epoch raises it where
    its gradient is not zero).

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
    b = _batch(
        logits_old,
        states,
        actions,
        advantages,
        beta=beta,
        clip_eps=clip_eps,
    )
    epochs = _count(epochs, "epochs")
    eta = _step_sizes(step, b.old.shape[0])
    marks: set[int] = set()
    for c in checkpoints:
        if isinstance(c, bool) or not isinstance(c, Integral):
            raise ValueError(f"checkpoints must be integers; got {c!r}")  # noqa: TRY004
        if not 1 <= c <= epochs:
            raise ValueError(
                f"checkpoints must lie in [1, epochs={epochs}]; got {c}"
            )
        marks.add(int(c))
    eps = None if clip_eps is None else float(clip_eps)
    return _ascend(b, epochs, eta, float(beta), eps, marks)


def _ascend(
    b: _Batch,
    epochs: int,
    eta: NDArray[np.float64],
    beta: float,
    eps: float | None,
    marks: set[int],
) -> tuple[NDArray[np.float64], list[NDArray[np.float64]]]:
    theta = b.old.copy()
    recorded = []
    for epoch in range(1, epochs + 1):
        theta = theta + eta * _surrogate_gradient(
            theta, b.pi_old, b.w_pos, b.w_neg, b.counts, beta, eps
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
    rng: object = None,
    maximiser: bool = True,
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
    step_rule : {"curvature", "penalty", "constant"}, keyword-only
        How the step is chosen; the same rule serves all four modes.
        ``"constant"``: `step` throughout. ``"curvature"`` (default): in
        each state :math:`s` the step :math:`\tau_s = \min(\tau, 1/M_s)`,
        with :math:`M_s` the bound of :func:`curvature_bound` on the
        curvature of the *whole* objective (its surrogate part and, in the
        penalised modes, its penalty part) for the update's batch and
        :math:`\beta` (:math:`\beta = 0` for ``"none"`` and ``"clip"``;
        for ``"clip"`` this is the bound of the unclipped surrogate, which
        the clipped one equals until a ratio reaches the clip).
        ``"penalty"``: in the penalised modes one step
        :math:`\min(\tau, 2N/(\beta\max_s n_s))` for all states, which
        accounts for the penalty's curvature only; it is kept to show that
        this does not suffice (see Notes); ``"none"`` and ``"clip"`` then
        use `step`.
    beta : float, keyword-only
        The (initial) penalty coefficient, > 0; ignored for ``"none"``.
    kl_target : float, keyword-only
        Target of the adaptive rule, > 0.
    clip_eps : float, keyword-only
        The clip range of mode ``"clip"``, > 0.
    noise : float, keyword-only
        Standard deviation of the observed reward around its mean, > 0.
    rng : None, int, SeedSequence, BitGenerator or Generator, keyword-only
        Source of the states, actions and reward noise, passed through
        ``numpy.random.default_rng`` (Scientific Python SPEC 7): an int
        gives a reproducible run, a Generator is used (and advanced) as it
        is, None draws fresh entropy.
    maximiser : bool, keyword-only
        Whether to compute each update's penalised maximiser and record its
        divergence in ``maximiser_kls`` (NaN where not computed, and always
        in the unpenalised modes). Skipping it halves the run time of the
        penalised modes and changes nothing else.

    Returns
    -------
    BanditRun
        ``kls``, ``rewards``, ``betas``, ``steps``, ``state_kls``,
        ``maximiser_kls`` (see :class:`BanditRun`).

    Raises
    ------
    ValueError
        If `mean_rewards` is not a finite 2-D array, `mode` or `step_rule` is
        not one of the names above, or a count or size is not positive.

    Notes
    -----
    What ``"curvature"`` guarantees, for each update, in each state with
    samples (from :func:`curvature_bound` and the descent lemma): every one
    of the `epochs` steps raises that state's penalised surrogate

    .. math:: f_s &= \sum_a w_{sa}\pi_\theta(a|s) \\
              &\quad - \beta\frac{n_s}{N}
              D\big(\pi_{\text{old}}(\cdot|s)\,\|\,\pi_\theta(\cdot|s)\big)

    by at least :math:`\tfrac12\tau_s\|\nabla f_s\|^2`. Hence :math:`f_s`
    never falls below its value at the old policy, which bounds the
    divergence,

    .. math:: &D(\pi_{\text{old}}\|\pi_{\text{new}}) \\
              &\quad\le \frac{N}{\beta n_s}\Big(\max_a w_{sa}
              - \sum_a w_{sa}\pi_{\text{old}}(a|s)\Big),

    the same bound that the maximiser satisfies; and with unlimited epochs ascent would
    converge to the unique maximiser (:func:`penalised_maximiser`). It does
    not guarantee that an update stays short of the maximiser's divergence
    in every state (``maximiser_kls`` records it, so that this can be
    checked). ``"penalty"`` and ``"constant"`` guarantee none of this: with
    the weights :math:`w_{sa}` unbounded as :math:`\pi_{\text{old}}(a|s)
    \to 0`, a single step can throw one state far past its maximiser,
    and with ``"constant"`` a large :math:`\beta` alone makes ascent
    oscillate with growing amplitude, which the adaptive rule feeds by
    doubling :math:`\beta` (chapter 6 shows both).

    Derived in chapter 6.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.models.bandit import train_bandit
    >>> R = np.random.default_rng(0).normal(scale=0.3, size=(5, 3))
    >>> run = train_bandit(R, "adaptive", updates=3, rng=2)
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
    if not isinstance(maximiser, (bool, np.bool_)):
        raise ValueError(f"maximiser must be True or False; got {maximiser!r}")

    n_states, n_actions = R.shape
    rng = _generator(rng)
    theta = np.zeros((n_states, n_actions))

    def expected_reward(z: NDArray[np.float64]) -> float:
        return float(np.mean(np.sum(_softmax(z) * R, axis=1)))

    kls, rewards, betas, steps = [], [expected_reward(theta)], [], []
    state_kls, maximiser_kls = [], []
    for _ in range(updates):
        old = theta.copy()
        pi = _softmax(old)
        s = rng.integers(0, n_states, batch)
        a = sample_actions(pi, s, rng)
        value = np.sum(pi * R, axis=1)
        adv = R[s, a] + noise * rng.normal(size=batch) - value[s]
        b = 0.0 if mode in ("none", "clip") else beta
        batch_sums = _summed(old, s, a, adv)
        eta = np.full(n_states, step)
        if step_rule == "curvature":
            bound = _bound(batch_sums, b)
            # 1 / M_s, or the base step where M_s = 0 (a state without
            # samples, whose logits do not move)
            inv = np.divide(
                1.0, bound, out=np.full(n_states, np.inf), where=bound > 0
            )
            eta = np.minimum(step, inv)
        elif b > 0 and step_rule == "penalty":
            eta[:] = min(step, 2.0 * batch / (b * np.bincount(s).max()))
        theta, _ = _ascend(
            batch_sums,
            epochs,
            eta[:, None],
            b,
            clip_eps if mode == "clip" else None,
            set(),
        )
        d_states = kl_logits(old, theta)
        if b > 0 and maximiser:
            star = _maximiser(batch_sums, b)
            maximiser_kls.append(kl_logits(old, star))
        else:
            maximiser_kls.append(np.full(n_states, np.nan))
        d = float(np.mean(d_states))
        kls.append(d)
        state_kls.append(d_states)
        betas.append(b)
        steps.append(eta)
        rewards.append(expected_reward(theta))
        if mode == "adaptive":
            beta = adapt_beta(beta, d, kl_target)
    return BanditRun(
        np.array(kls),
        np.array(rewards),
        np.array(betas),
        np.array(steps),
        np.array(state_kls),
        np.array(maximiser_kls),
    )
