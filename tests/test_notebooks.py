"""Notebook hygiene: every chapter is stored fully executed, so nbval compares every cell.

nbval does not compare a cell stored without an execution count, so a notebook
saved unexecuted would pass ``--nbval`` while testing nothing. These checks make
that impossible, and keep stored outputs free of what cannot be reproduced.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parent.parent / "book"
NOTEBOOKS = sorted(BOOK.glob("**/*.ipynb"))
NOTEBOOKS = [
    nb
    for nb in NOTEBOOKS
    if ".ipynb_checkpoints" not in nb.parts and "_build" not in nb.parts
]


def test_the_book_has_notebooks():
    assert len(NOTEBOOKS) >= 1, f"no notebooks under {BOOK}"


@pytest.fixture(params=NOTEBOOKS, ids=[nb.name for nb in NOTEBOOKS])
def notebook(request):
    return request.param, json.loads(request.param.read_text(encoding="utf-8"))


def test_kernelspec_is_python3(notebook):
    path, nb = notebook
    assert nb["metadata"]["kernelspec"]["name"] == "python3", path.name


def test_code_cells_executed_in_order(notebook):
    path, nb = notebook
    counts = [
        c.get("execution_count")
        for c in nb["cells"]
        if c["cell_type"] == "code"
    ]
    assert counts, f"{path.name} has no code cells"
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts}"
    )


def test_no_errors_stderr_or_memory_addresses(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            where = f"{path.name}, cell {i}"
            assert out["output_type"] != "error", f"{where} stores an error"
            assert not (
                out["output_type"] == "stream" and out["name"] == "stderr"
            ), f"{where} stores stderr output"
            text = "".join(out.get("text", "")) + "".join(
                out.get("data", {}).get("text/plain", "")
            )
            assert not re.search(r" at 0x[0-9a-f]+", text), (
                f"{where} prints a memory address"
            )


def test_every_figure_has_alt_text_or_a_caption(notebook):
    """A cell that draws a figure must say what it shows (a MyST figure caption or alt text)."""
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        if any(
            "image/png" in out.get("data", {})
            for out in cell.get("outputs", [])
        ):
            mystnb = cell.get("metadata", {}).get("mystnb", {})
            figure = mystnb.get("figure", {})
            image = mystnb.get("image", {})
            assert figure.get("caption") or image.get("alt"), (
                f"{path.name}, cell {i}: figure without caption or alt text"
            )
