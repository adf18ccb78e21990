"""Input validation shared by the public functions.

Every check raises ``ValueError`` with a message that names the argument and shows
what was wrong (the value, shape or index), so that a reader who passes the wrong
thing learns what to fix without reading the source.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._numerics import _first_index

#: Largest |sum - 1| accepted for a probability vector (see ``kl_discrete``).
SUM_TOL = 1e-9


def as_float_array(x: ArrayLike, name: str) -> NDArray[np.float64]:
    """``x`` as a float64 array, with a clear error for non-numeric input."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of real numbers; got {x!r:.80}") from exc
    return arr


def check_finite(arr: NDArray[np.float64], name: str) -> None:
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = _first_index(bad)
        raise ValueError(
            f"{name} must be finite; found {float(arr[bad][0])!r} at index {idx}"
            + (f" ({int(bad.sum())} non-finite entries in all)" if bad.sum() > 1 else "")
        )


def check_positive(arr: NDArray[np.float64], name: str) -> None:
    bad = ~(arr > 0)
    if bad.any():
        raise ValueError(
            f"{name} must be > 0; found {float(arr[bad][0])!r} at index {_first_index(bad)}"
        )


def normalize_axis(axis: int, ndim: int, name: str = "axis") -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"{name} must be an integer; got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}={axis} is out of range for an array with {ndim} dimension(s)")
    return int(axis) % ndim


def as_probabilities(x: ArrayLike, name: str, axis: int) -> tuple[NDArray[np.float64], int]:
    """Validate a (batch of) probability vector(s) along ``axis``.

    Entries must be finite and >= 0 and each vector must sum to 1 within
    ``SUM_TOL``. Nothing is renormalised. Returns the array and the normalised axis.
    """
    arr = as_float_array(x, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} must be at least 1-D (a probability vector); got a scalar {float(arr)!r}")
    ax = normalize_axis(axis, arr.ndim)
    if arr.shape[ax] == 0:
        raise ValueError(f"{name} must have at least one outcome along axis={axis}; got shape {arr.shape}")
    # One pass catches negatives and NaN (NaN >= 0 is False); +inf shows in the sum.
    if not (arr >= 0).all():
        bad = ~(arr >= 0)
        idx = _first_index(bad)
        what = "NaN" if np.isnan(arr[bad][0]) else repr(float(arr[bad][0]))
        raise ValueError(f"{name} must contain probabilities >= 0; found {what} at index {idx}")
    sums = np.sum(arr, axis=ax)
    off = ~(np.abs(sums - 1.0) <= SUM_TOL)
    if np.any(off):
        if np.isinf(arr).any():
            check_finite(arr, name)
        first = float(np.asarray(sums)[off].flat[0])
        where = "" if arr.ndim == 1 else f" (vector {_first_index(np.asarray(off))})"
        raise ValueError(
            f"{name} must sum to 1 along axis={axis} (tolerance {SUM_TOL:g}); "
            f"got sum {first!r}{where}. klnotes does not renormalise: divide by the sum first if that is what you mean"
        )
    return arr, ax


def match_along_axis(
    a: NDArray[np.float64], b: NDArray[np.float64], ax_a: int, ax_b: int, names: tuple[str, str], axis: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    """Check equal length along ``axis`` and broadcast the other dimensions."""
    if a.shape[ax_a] != b.shape[ax_b]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same number of outcomes along axis={axis}; "
            f"got {names[0]}.shape={a.shape} and {names[1]}.shape={b.shape}"
        )
    a = np.moveaxis(a, ax_a, -1)
    b = np.moveaxis(b, ax_b, -1)
    try:
        a, b = np.broadcast_arrays(a, b)
    except ValueError as exc:
        raise ValueError(
            f"{names[0]} and {names[1]} must broadcast against each other; "
            f"got {names[0]}.shape={np.moveaxis(a, -1, ax_a).shape} and {names[1]}.shape={np.moveaxis(b, -1, ax_b).shape}"
        ) from exc
    return a, b, -1


def log_base(base: object) -> float | None:
    """``log(base)`` for the unit conversion, or None for nats."""
    if base is None:
        return None
    if isinstance(base, bool) or not isinstance(base, Real) or not math.isfinite(base) or base <= 0 or base == 1:
        raise ValueError(
            f"base must be None (nats) or a finite number > 0 other than 1, e.g. 2 for bits; got {base!r}"
        )
    return math.log(base)


def to_base(value: NDArray[np.float64], base: object) -> NDArray[np.float64]:
    lb = log_base(base)
    return value if lb is None else value / lb


def scalar_or_array(x: NDArray[np.float64]) -> NDArray[np.float64] | np.float64:
    return x[()] if x.ndim == 0 else x
