"""Each chapter's text source (chapters/NN_topic.md) and its stored notebook agree.

The Markdown source is what authors edit and reviewers read; the executed notebook
(book/NN_topic.ipynb) is what nbval compares and the site renders. Both must hold the
same cells, or the page that was reviewed is not the page that is shown and tested.
``scripts/execute_notebooks.py`` regenerates a notebook from its source.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from project_scripts import load as load_script

ROOT = Path(__file__).resolve().parent.parent
execute_notebooks = load_script("execute_notebooks")

SOURCES = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
NOTEBOOKS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))


def test_every_notebook_has_a_source_and_every_source_a_notebook():
    assert SOURCES, "no chapter sources under chapters/"
    assert [p.stem for p in SOURCES] == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("md", SOURCES, ids=[p.stem for p in SOURCES])
def test_notebook_cells_match_the_source(md):
    problems = execute_notebooks.differences(*execute_notebooks.pair(md))
    assert not problems, (
        f"{md.name}: "
        + "; ".join(problems)
        + " (run scripts/execute_notebooks.py)"
    )


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_notebook_carries_no_per_run_churn(ipynb):
    """No timings, timestamps or Python versions; cell ids derived from the sources."""
    nb = json.loads(ipynb.read_text(encoding="utf-8"))
    assert nb["metadata"] == {
        "kernelspec": execute_notebooks.KERNELSPEC,
        "language_info": execute_notebooks.LANGUAGE_INFO,
    }
    for cell in nb["cells"]:
        extra = set(cell["metadata"]) - set(
            execute_notebooks.KEPT_CELL_METADATA
        )
        assert not extra, (
            f"{ipynb.name}: cell metadata {sorted(extra)} would change from run to run"
        )
    stored_ids = [c["id"] for c in nb["cells"]]
    import nbformat

    regenerated = execute_notebooks.normalise(
        nbformat.read(ipynb, as_version=4)
    )
    assert stored_ids == [c.id for c in regenerated.cells]


def test_install_cell_points_at_the_configured_repository():
    """The Colab install cell is derived from the one repository address in _config.yml."""
    repo = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))[
        "repository"
    ]
    target = f"git+{repo['url']}@{repo['branch']}"
    for md in SOURCES:
        import jupytext

        first = next(
            c for c in jupytext.read(md).cells if c.cell_type == "code"
        )
        assert "klnotes-install" in first.metadata.get("tags", []), (
            f"{md.name}: first code cell is not the install cell"
        )
        assert "remove-cell" in first.metadata["tags"], (
            f"{md.name}: the install cell must be hidden on the site"
        )
        assert target in first.source, (
            f"{md.name}: install cell does not install from {target}"
        )
