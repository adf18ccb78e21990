"""Summaries of an experiment repeated from several seeds.

A trained model depends on its random start and on the noise of training, so the
book repeats each experiment from a few seeds (``vae.stack`` trains them side by
side, ``bandit.train_bandit`` takes one seed a run) and prints, for each statistic,
its median and its range over the runs: :func:`spread`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["spread"]


def spread(values: ArrayLike, fmt: str = ".2f") -> str:
    """``"median [min, max]"`` of one statistic over the runs of an experiment.

    Parameters
    ----------
    values : array_like
        The statistic of each run (one per seed): a non-empty 1-D sequence of
        finite numbers.
    fmt : str
        The format of each of the three numbers, as in ``format(x, fmt)``.

    Returns
    -------
    str
        The median, then the smallest and largest value in brackets. The median
        of an even number of runs is the mean of the middle two.

    Raises
    ------
    ValueError
        If `values` is empty, not 1-D or holds a value that is not a finite
        number, or `fmt` is not a format for a float.

    Examples
    --------
    >>> from klnotes.models.seeds import spread
    >>> spread([0.31, 0.29, 0.35, 0.30, 0.33])
    '0.31 [0.29, 0.35]'
    >>> spread([2e-4, 1e-3, 5e-4], ".1e")
    '5.0e-04 [2.0e-04, 1.0e-03]'
    """
    try:
        x = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"values must be numbers; got {values!r}") from exc
    if x.ndim != 1 or x.size == 0:
        raise ValueError(
            "values must be a non-empty 1-D sequence (one value a run); got "
            f"shape {x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(f"values must be finite; got {x.tolist()!r}")
    try:
        lo, med, hi = (
            format(v, fmt) for v in (np.min(x), np.median(x), np.max(x))
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"fmt must be a format for a float; got {fmt!r}"
        ) from exc
    return f"{med} [{lo}, {hi}]"
