"""Hypothesis profiles: derandomised in CI (the same examples every run, so
that a landing cannot fail on a new draw); random locally, which is how new
failing cases are found. HYPOTHESIS_PROFILE=thorough runs many more."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile(
    "ci", derandomize=True, max_examples=200, deadline=None
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=3000, deadline=None)
settings.load_profile(
    os.environ.get(
        "HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"
    )
)
