"""What book/api.md promises of every public name: array arguments of any
real dtype (lists, ints, float32) are accepted, and every result is a float64
NumPy scalar or array (``kl_quad``: a named pair of them). The calls are the
shared table ``tests/public_calls.py``; the names and their grouping are
``klnotes.FAMILIES``, which the API page must follow."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from public_calls import CALLS

import klnotes

API_PAGE = Path(__file__).resolve().parents[1] / "book" / "api.md"


def test_every_public_name_has_a_call():
    assert sorted(CALLS) == sorted(klnotes.__all__)
    assert list(klnotes.__all__) == [
        name for names in klnotes.FAMILIES.values() for name in names
    ]


def test_the_api_page_follows_the_family_table():
    """Each family of ``klnotes.FAMILIES`` is a section of book/api.md with
    its functions documented in the table's order, and nothing else."""
    text = API_PAGE.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    documented = {}
    for section in sections:
        title = section.splitlines()[0].strip()
        documented[title] = tuple(
            re.findall(
                r"^\.\. auto(?:function|class):: klnotes\.(\w+)\s*$",
                section,
                flags=re.M,
            )
        )
    got = {k: v for k, v in documented.items() if v}
    assert got == klnotes.FAMILIES


@pytest.mark.parametrize("name", sorted(CALLS))
def test_results_are_float64(name):
    result = CALLS[name]()
    parts = result if isinstance(result, tuple) else (result,)
    for part in parts:
        assert isinstance(part, np.float64 | np.ndarray), (name, type(part))
        assert part.dtype == np.float64, (name, part.dtype)
