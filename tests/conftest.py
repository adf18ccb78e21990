"""Shared test helpers: exactly normalised hard cases and hypothesis strategies."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


@st.composite
def prob_vectors(draw, n=None, min_n=1, max_n=12, allow_zeros=True):
    """A probability vector normalised by division (sums to 1 within ~1e-16)."""
    size = n if n is not None else draw(st.integers(min_n, max_n))
    lo = 0.0 if allow_zeros else 1e-6
    w = draw(hnp.arrays(np.float64, size, elements=st.floats(lo, 1.0, allow_subnormal=False)))
    if w.sum() <= 0:
        w = np.ones(size)
    return w / w.sum()


@st.composite
def prob_pairs(draw, allow_zeros=True):
    n = draw(st.integers(1, 12))
    return draw(prob_vectors(n=n, allow_zeros=allow_zeros)), draw(prob_vectors(n=n, allow_zeros=allow_zeros))


# Hypothesis: in CI the examples are derandomised (the same ones every run, so that a
# landing cannot fail on a new draw); locally they are random, which is how new
# failing cases are found. HYPOTHESIS_PROFILE=thorough runs many more examples.
import os  # noqa: E402

from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, max_examples=200, deadline=None)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=3000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
