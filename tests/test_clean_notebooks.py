"""The plain notebooks behind the Colab, Binder and download buttons (notebooks/).

They must be what ``scripts/clean_notebooks.py`` makes of the stored chapters today
(a chapter edited without regenerating them fails), hold no MyST markup that Jupyter
would show as literal text, and keep every code cell and output. They run top to
bottom because their code cells are the stored chapters' (sources, outputs and all,
``test_same_code_cells_and_outputs``), which nbval runs in a fresh kernel and compares:
running them a second time here would test nothing more.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from project_scripts import load as load_script

ROOT = Path(__file__).resolve().parent.parent
clean_notebooks = load_script("clean_notebooks")
STEMS = clean_notebooks.chapters()
# a role {name}`…`, a directive fence, a directive option line, a target (label)=,
# a labelled display $$ (label)
MYST = re.compile(
    r"\{[a-z:-]+\}`|^\s*(`{3,}|:{3,})\{|^:[\w-]+:|^\([\w-]+\)=\s*$"
    r"|^\$\$\s*\([\w-]+\)\s*$",
    re.MULTILINE,
)


def markup_count(folder: str) -> int:
    count = 0
    for stem in STEMS:
        nb = json.loads((ROOT / folder / f"{stem}.ipynb").read_text("utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                count += len(MYST.findall("".join(cell["source"])))
    return count


@pytest.fixture(scope="module")
def numbers():
    return clean_notebooks.Numbers()


@pytest.mark.parametrize("stem", STEMS)
def test_committed_notebook_is_regenerated(stem, numbers):
    made = clean_notebooks.render(clean_notebooks.clean(stem, numbers))
    path = ROOT / "notebooks" / f"{stem}.ipynb"
    assert path.read_text(encoding="utf-8") == made, (
        f"{path.name} is out of date: run scripts/clean_notebooks.py"
    )


def test_no_myst_markup_left():
    # the pattern finds the markup of the chapters themselves
    assert markup_count("book") > 500
    assert markup_count("notebooks") == 0


@pytest.mark.parametrize("stem", STEMS)
def test_same_code_cells_and_outputs(stem):
    book, plain = (
        json.loads((ROOT / d / f"{stem}.ipynb").read_text("utf-8"))
        for d in ("book", "notebooks")
    )
    assert [c["cell_type"] for c in plain["cells"][: len(book["cells"])]] == [
        c["cell_type"] for c in book["cells"]
    ]
    assert [c for c in plain["cells"] if c["cell_type"] == "code"] == [
        c for c in book["cells"] if c["cell_type"] == "code"
    ]


def test_citations_displays_and_solutions_in_plain_form():
    text = (ROOT / "notebooks" / "01_definition.ipynb").read_text("utf-8")
    assert "[[Kullback and Leibler, 1951](https://doi.org/10.1214/aoms" in text
    assert (
        "\\\\tag{1.2}" in text and "<summary>Solution to Exercise 1.2" in text
    )
