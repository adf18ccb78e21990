"""Hypothesis strategies shared by the tests (probability vectors and pairs)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


@st.composite
def prob_vectors(draw, n=None, min_n=1, max_n=12, allow_zeros=True):
    """A probability vector normalised by division (sums to 1 within ~1e-16)."""
    size = n if n is not None else draw(st.integers(min_n, max_n))
    lo = 0.0 if allow_zeros else 1e-6
    w = draw(
        hnp.arrays(
            np.float64,
            size,
            elements=st.floats(lo, 1.0, allow_subnormal=False),
        )
    )
    if w.sum() <= 0:
        w = np.ones(size)
    return w / w.sum()


@st.composite
def prob_pairs(draw, allow_zeros=True):
    n = draw(st.integers(1, 12))
    return draw(prob_vectors(n=n, allow_zeros=allow_zeros)), draw(
        prob_vectors(n=n, allow_zeros=allow_zeros)
    )


@st.composite
def exact_prob_pairs(draw, bits=30):
    """Two probability vectors whose entries are multiples of 2^-bits summing to
    exactly 1, so that inequalities between true divergences can be checked with
    relative tolerances (no normalisation rounding to absorb)."""
    n = draw(st.integers(1, 12))
    total = 2**bits

    def vector():
        cuts = sorted(
            draw(
                st.lists(st.integers(0, total), min_size=n - 1, max_size=n - 1)
            )
        )
        edges = [0, *cuts, total]
        return np.diff(np.array(edges, dtype=np.int64)) / float(total)

    return vector(), vector()
