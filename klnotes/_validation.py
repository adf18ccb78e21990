"""Input validation shared by the public functions.

Every check raises with a message that names the argument and shows what was
wrong (the value, shape or index), so that a reader who passes the wrong thing
learns what to fix without reading the source. As in NumPy: ``TypeError`` for
an argument of the wrong type, ``numpy.exceptions.AxisError`` (a
``ValueError``) for an axis out of range, ``ValueError`` for a bad value.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import TypeAlias, cast

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type.

    A ``TypeError``, as NumPy raises for wrong types; also a ``ValueError``,
    which klnotes raised for them up to 0.3, so that no caller breaks
    (``numpy.exceptions.AxisError`` is a ``ValueError`` for the same
    reason).
    """


#: What every divergence returns: a NumPy scalar for one pair, else an array.
Result: TypeAlias = "np.float64 | NDArray[np.float64]"

#: Largest |sum - 1| accepted for a probability vector (see ``kl_discrete``).
SUM_TOL = 1e-9


def first_index(mask: NDArray[np.bool_]) -> tuple[int, ...] | int:
    """Index of the first True entry of ``mask``, as an int for 1-D arrays."""
    if not mask.ndim:
        return ()
    flat = int(np.argmax(mask))
    idx = tuple(int(i) for i in np.unravel_index(flat, mask.shape))
    return idx[0] if len(idx) == 1 else idx


def check_scalar(
    value: object,
    name: str,
    *,
    low: float = -math.inf,
    low_inclusive: bool = True,
    high: float = math.inf,
    high_inclusive: bool = True,
    allow_inf: bool = False,
) -> float:
    """``value`` as a float, if it is a real number (not bool) in range.

    The one validator for scalar options (``alpha``, ``f_inf``, levels,
    rates, ...): Python and NumPy integers and floats are accepted alike.
    Not a real number: ``TypeError``. NaN, out of ``low``/``high``, or
    infinite: ``ValueError`` (``+inf`` is allowed if ``allow_inf``).
    """
    bounds = []
    if low > -math.inf:
        bounds.append(f"{'>=' if low_inclusive else '>'} {low:g}")
    if high < math.inf:
        bounds.append(f"{'<=' if high_inclusive else '<'} {high:g}")
    what = "a finite number" if not allow_inf else "a number (or +inf)"
    bound = " and ".join(bounds)
    message = f"{name} must be {what}{' ' + bound if bound else ''}; got {value!r:.80}"
    if not is_real(value):
        raise ArgumentTypeError(message)
    v = float(value)  # type: ignore[arg-type]
    if (
        math.isnan(v)
        or (math.isinf(v) and not (allow_inf and v > 0))
        or (v < low if low_inclusive else v <= low)
        or (v > high if high_inclusive else v >= high)
    ):
        raise ValueError(message)
    return v


def check_int(value: object, name: str, *, low: int | None = None) -> int:
    """``value`` as an int, if it is a Python or NumPy integer (not bool)
    ``>= low``: ``TypeError`` for another type, ``ValueError`` below."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, np.integer)
    ):
        raise ArgumentTypeError(
            f"{name} must be an integer; got {value!r:.80}"
        )
    if low is not None and value < low:
        raise ValueError(f"{name} must be an integer >= {low}; got {value!r}")
    return int(value)


def is_real(value: object) -> bool:
    """A real number that is not a bool (Python's or NumPy's)."""
    return isinstance(value, Real) and not isinstance(value, (bool, np.bool_))


def check_rng(rng: object) -> np.random.Generator:
    """``numpy.random.default_rng(rng)`` (SPEC 7): ``None``, a seed or a
    ``Generator``; anything else is a ``TypeError`` naming ``rng``."""
    try:
        return np.random.default_rng(rng)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ArgumentTypeError(
            "rng must be None, an integer seed or a numpy.random.Generator "
            f"(numpy.random.default_rng); got {rng!r:.80}"
        ) from exc


def broadcast(
    arrays: dict[str, NDArray[np.float64]],
) -> list[NDArray[np.float64]]:
    """Broadcast named arrays against each other, or raise naming them."""
    try:
        return list(np.broadcast_arrays(*arrays.values()))
    except ValueError as exc:
        names = list(arrays)
        listed = ", ".join(names[:-1]) + f" and {names[-1]}"
        shapes = ", ".join(str(a.shape) for a in arrays.values())
        raise ValueError(
            f"{listed} must broadcast against each other; got shapes {shapes}"
        ) from exc


def as_float_array(x: ArrayLike, name: str) -> NDArray[np.float64]:
    """``x`` as a float64 array, with a clear error for non-numeric input."""
    try:
        raw = np.asarray(x)
    except ValueError as exc:  # ragged nesting
        raise ValueError(
            f"{name} must be an array of real numbers; got {x!r:.80}"
        ) from exc
    if raw.dtype.kind == "O":  # Python objects: numbers if they convert
        try:
            if any(v is None for v in raw.flat):  # astype would give NaN
                raise TypeError("None is not a number")
            return raw.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ArgumentTypeError(
                f"{name} must be an array of real numbers; got {x!r:.80}"
            ) from exc
    if raw.dtype.kind not in "biuf" and not _float_like(raw.dtype):
        raise ArgumentTypeError(
            f"{name} must be an array of real numbers; got {x!r:.80} "
            f"(dtype {raw.dtype})"
        )
    return raw.astype(np.float64, copy=False)


def _float_like(dtype: np.dtype) -> bool:
    """A real floating type NumPy does not list as such (ml_dtypes)."""
    try:
        np.finfo(dtype)
    except (TypeError, ValueError):
        return False
    return dtype.kind != "c"


def check_finite(arr: NDArray[np.float64], name: str) -> None:
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = first_index(bad)
        raise ValueError(
            f"{name} must be finite; found {float(arr[bad][0])!r} at index {idx}"
            + (
                f" ({int(bad.sum())} non-finite entries in all)"
                if bad.sum() > 1
                else ""
            )
        )


def check_positive(arr: NDArray[np.float64], name: str) -> None:
    bad = ~(arr > 0)
    if bad.any():
        raise ValueError(
            f"{name} must be > 0; found {float(arr[bad][0])!r} at index {first_index(bad)}"
        )


def normalize_axis(axis: int, ndim: int, name: str = "axis") -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ArgumentTypeError(f"{name} must be an integer; got {axis!r}")
    if not -ndim <= axis < ndim:
        # AxisError subclasses ValueError and IndexError, as in NumPy
        raise np.exceptions.AxisError(
            f"{name}={axis} is out of range for an array with {ndim} dimension(s)"
        )
    return int(axis) % ndim


def as_probabilities(
    x: ArrayLike, name: str, axis: int
) -> tuple[NDArray[np.float64], int]:
    """Validate a (batch of) probability vector(s) along ``axis``.

    Entries must be finite and >= 0 and each vector must sum to 1 within
    ``SUM_TOL``. Nothing is renormalised. Returns the array and the normalised axis.
    """
    dtype = getattr(x, "dtype", None)
    arr = as_float_array(x, name)
    if arr.ndim == 0:
        raise ValueError(
            f"{name} must be at least 1-D (a probability vector); got a scalar {float(arr)!r}"
        )
    ax = normalize_axis(axis, arr.ndim)
    tol, advice = sum_tolerance(dtype, arr.shape[ax])
    if arr.shape[ax] == 0:
        raise ValueError(
            f"{name} must have at least one outcome along axis={axis}; got shape {arr.shape}"
        )
    # One pass catches negatives and NaN (NaN >= 0 is False); +inf shows in the sum.
    if not (arr >= 0).all():
        bad = ~(arr >= 0)
        idx = first_index(bad)
        what = "NaN" if np.isnan(arr[bad][0]) else repr(float(arr[bad][0]))
        raise ValueError(
            f"{name} must contain probabilities >= 0; found {what} at index {idx}"
        )
    sums = np.sum(arr, axis=ax)
    off = ~(np.abs(sums - 1.0) <= tol)
    if np.any(off):
        if np.isinf(arr).any():
            check_finite(arr, name)
        first = float(np.asarray(sums)[off].flat[0])
        where = (
            ""
            if arr.ndim == 1
            else f" (vector {first_index(np.asarray(off))})"
        )
        raise ValueError(
            f"{name} must sum to 1 along axis={axis} (tolerance {tol:.3g}); "
            f"got sum {first!r}{where}. klnotes does not renormalise: "
            f"{advice} if that is what you mean"
        )
    return arr, ax


def sum_tolerance(dtype: object, n: int) -> tuple[float, str]:
    """The tolerance on ``|sum - 1|`` for ``n`` outcomes of ``dtype``, and
    the advice for a vector that misses it.

    float64 (and integers, lists): ``SUM_TOL``. A narrower float type
    (float32, float16, or any type ``numpy.finfo`` knows, such as
    ml_dtypes' bfloat16) carries a relative rounding of ``eps`` per entry,
    and a softmax or a division by a sum computed in it (pairwise, as NumPy
    and torch sum) adds about ``eps log2 n``: the tolerance is
    ``4 eps (1 + log2 n)``, and dividing by the sum in that type gets
    within it.
    """
    try:
        info = np.finfo(cast(DTypeLike, dtype)) if dtype is not None else None
    except (TypeError, ValueError):
        info = None
    if info is None or info.bits >= 64:
        return SUM_TOL, "divide by the sum first (p / p.sum(axis))"
    eps = float(info.eps)
    tol = max(SUM_TOL, 4.0 * eps * (1.0 + math.log2(max(n, 1))))
    return tol, (
        f"the tolerance is scaled to {np.dtype(cast(DTypeLike, dtype)).name} "
        "and the length; divide by the sum first (in any float type)"
    )


def match_along_axis(
    a: NDArray[np.float64],
    b: NDArray[np.float64],
    ax_a: int,
    ax_b: int,
    names: tuple[str, str],
    axis: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Check equal length along ``axis``, broadcast the rest, outcomes last."""
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
    return a, b


def pair(
    p: ArrayLike, q: ArrayLike, axis: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Validate two probability arrays; return them broadcast, outcomes last."""
    p_arr, ax_p = as_probabilities(p, "p", axis)
    q_arr, ax_q = as_probabilities(q, "q", axis)
    return match_along_axis(p_arr, q_arr, ax_p, ax_q, ("p", "q"), axis)


def log_base(base: object) -> float | None:
    """``log(base)`` for the unit conversion, or None for nats.

    Call it once, at the door, and pass the result to :func:`in_base`.
    """
    if base is None:
        return None
    if not is_real(base):
        raise ArgumentTypeError(
            f"base must be None (nats) or a real number, e.g. 2 for bits; "
            f"got {base!r:.80}"
        )
    b = float(base)  # type: ignore[arg-type]
    if not math.isfinite(b) or b <= 0 or b == 1:
        raise ValueError(
            f"base must be None (nats) or a finite number > 0 other than 1, e.g. 2 for bits; got {base!r}"
        )
    return math.log(b)


def in_base(
    value: NDArray[np.float64], log_b: float | None
) -> NDArray[np.float64]:
    """Convert nats to the base whose logarithm :func:`log_base` returned."""
    return value if log_b is None else value / log_b


def to_base(value: NDArray[np.float64], base: object) -> NDArray[np.float64]:
    """Convert nats to ``base`` (validated again); prefer :func:`in_base`
    with the result of one :func:`log_base` call at the door."""
    return in_base(value, log_base(base))


def scalar_or_array(x: ArrayLike) -> Result:
    """A NumPy scalar for 0-d results, else the array (scipy's convention)."""
    arr = np.asarray(x, dtype=np.float64)
    return cast(np.float64, arr[()]) if arr.ndim == 0 else arr


def reduced(value: ArrayLike, axis: int, keepdims: bool) -> Result:
    """A reduction's result: with the outcome axis (already validated) put
    back with length 1 if ``keepdims``; a NumPy scalar for 0-d."""
    arr = np.asarray(value, dtype=np.float64)
    if keepdims:
        arr = np.expand_dims(arr, axis % (arr.ndim + 1))
    return scalar_or_array(arr)
