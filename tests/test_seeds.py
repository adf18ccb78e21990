"""klnotes.models.seeds.spread: the median and range of a statistic over runs."""

from __future__ import annotations

import numpy as np
import pytest

from klnotes.models.seeds import spread


@pytest.mark.parametrize(
    ("values", "fmt", "text"),
    [
        ([3.0, 1.0, 2.0], ".2f", "2.00 [1.00, 3.00]"),
        # an even number of runs: the mean of the middle two
        ([10.0, 1.0, 3.0, 2.0], ".1f", "2.5 [1.0, 10.0]"),
        ([-0.5, 0.25], ".3f", "-0.125 [-0.500, 0.250]"),
        (np.array([2e-4, 1e-3, 5e-4]), ".1e", "5.0e-04 [2.0e-04, 1.0e-03]"),
        ([4, 6, 5], ".0f", "5 [4, 6]"),  # integer statistics (counts)
        ([0.7], ".2f", "0.70 [0.70, 0.70]"),  # one run
    ],
)
def test_median_then_range(values, fmt, text):
    assert spread(values, fmt) == text


def test_default_format_has_two_decimals():
    assert spread([0.123, 0.456, 0.789]) == "0.46 [0.12, 0.79]"


@pytest.mark.parametrize(
    ("values", "fmt", "match"),
    [
        ([], ".2f", "non-empty 1-D"),
        ([[1.0, 2.0], [3.0, 4.0]], ".2f", "non-empty 1-D"),
        (2.0, ".2f", "non-empty 1-D"),
        ([1.0, np.nan], ".2f", "finite"),
        ([1.0, np.inf], ".2f", "finite"),
        (["a", "b"], ".2f", "values must be numbers"),
        ([1.0, 2.0], "d", "fmt must be a format for a float"),
        ([1.0, 2.0], 2, "fmt must be a format for a float"),
    ],
)
def test_rejects_what_it_cannot_summarise(values, fmt, match):
    with pytest.raises(ValueError, match=match):
        spread(values, fmt)
