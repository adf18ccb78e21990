"""The ``klnotes-execution-times`` directive: a table of each chapter's last run time.

``scripts/execute_notebooks.py`` stores the wall time of each full run in the notebook
metadata (``metadata.klnotes.execution_seconds``); this directive reads it from every
chapter notebook (``book/NN_*.ipynb``) and renders a table linking to the chapter.
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
        entry += cell if isinstance(cell, nodes.paragraph) else nodes.paragraph("", "", cell)
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
        thead += _row(nodes.Text("Chapter"), nodes.Text("Code cells"), nodes.Text("Seconds"))
        total = 0.0
        for path in sorted(book.glob("[0-9][0-9]_*.ipynb")):
            self.env.note_dependency(str(path))
            nb = json.loads(path.read_text(encoding="utf-8"))
            seconds = nb.get("metadata", {}).get("klnotes", {}).get("execution_seconds")
            cells = sum(1 for c in nb["cells"] if c["cell_type"] == "code")
            link = addnodes.pending_xref(
                "", nodes.inline("", path.stem), refdomain="std", reftype="doc",
                reftarget=f"/book/{path.stem}", refdoc=self.env.docname, refexplicit=False,
            )
            shown = f"{seconds:.1f}" if isinstance(seconds, (int, float)) else "not recorded"
            total += seconds if isinstance(seconds, (int, float)) else 0.0
            tbody += _row(link, nodes.Text(str(cells)), nodes.Text(shown))
        tbody += _row(nodes.strong("", "Total"), nodes.Text(""), nodes.strong("", f"{total:.1f}"))
        tgroup += thead
        tgroup += tbody
        return [table]


def setup(app: Sphinx) -> dict[str, bool]:
    app.add_directive("klnotes-execution-times", ExecutionTimes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
