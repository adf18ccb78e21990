"""The ``klnotes-execution-times`` directive: a table of each chapter's last run time.

Stored notebooks carry no timings (a re-run must not change a tracked file). Instead,
``scripts/execute_notebooks.py`` and the nbval run of the test suite (``conftest.py``)
merge each chapter's measured run time into ``_build/execution_times.json``; this
directive reads that file and renders a table linking to each chapter. Chapters with
no measurement on this machine yet are marked "not measured".
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


def _row(*cells: nodes.Node) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += (
            cell
            if isinstance(cell, nodes.paragraph)
            else nodes.paragraph("", "", cell)
        )
        row += entry
    return row


class ExecutionTimes(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        book = Path(self.env.srcdir) / "book"
        table, tgroup = nodes.table(), nodes.tgroup(cols=3)
        table += tgroup
        for width in (60, 20, 20):
            tgroup += nodes.colspec(colwidth=width)
        thead, tbody = nodes.thead(), nodes.tbody()
        thead += _row(
            nodes.Text("Chapter"),
            nodes.Text("Code cells"),
            nodes.Text("Seconds"),
        )
        total = 0.0
        times_file = Path(self.env.srcdir) / "_build" / "execution_times.json"
        times = (
            json.loads(times_file.read_text(encoding="utf-8"))
            if times_file.exists()
            else {}
        )
        for path in sorted(book.glob("[0-9][0-9]_*.ipynb")):
            self.env.note_dependency(str(path))
            nb = json.loads(path.read_text(encoding="utf-8"))
            seconds = times.get(path.stem, {}).get("seconds")
            cells = sum(1 for c in nb["cells"] if c["cell_type"] == "code")
            link = addnodes.pending_xref(
                "",
                nodes.inline("", path.stem),
                refdomain="std",
                reftype="doc",
                reftarget=f"/book/{path.stem}",
                refdoc=self.env.docname,
                refexplicit=False,
            )
            shown = (
                f"{seconds:.1f}"
                if isinstance(seconds, (int, float))
                else "not measured"
            )
            total += seconds if isinstance(seconds, (int, float)) else 0.0
            tbody += _row(link, nodes.Text(str(cells)), nodes.Text(shown))
        tbody += _row(
            nodes.strong("", "Total"),
            nodes.Text(""),
            nodes.strong("", f"{total:.1f}"),
        )
        tgroup += thead
        tgroup += tbody
        measured = sorted(
            {
                (
                    t.get("date"),
                    t.get("python"),
                    t.get("numpy"),
                    t.get("cores"),
                    t.get("by"),
                )
                for t in times.values()
            },
            key=str,
        )
        notes = [
            nodes.paragraph(
                "",
                f"Measured on {date} by {by} with Python {py} and NumPy {npv} on a {cores}-core machine.",
            )
            for date, py, npv, cores, by in measured
            if date
        ]
        return [table, *notes]


def setup(app: Sphinx) -> dict[str, bool]:
    app.add_directive("klnotes-execution-times", ExecutionTimes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
