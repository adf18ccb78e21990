"""The book's other editions: the PDF (LaTeX) settings and the student edition.

PDF (``scripts/build_pdf.sh``)
    Jupyter Book's LaTeX builder with XeLaTeX (``_config.yml``, ``latex:``). This
    extension adds the LaTeX settings that ``_config.yml`` cannot express well: A4 paper,
    code and outputs that wrap at the margin instead of running off the page (Sphinx's
    ``sphinxVerbatim`` with forced wrapping, also inside long tokens), and fonts that
    carry every character the chapters use (Greek, ‖, →, …).

Student edition (``scripts/build_student.py``)
    The same site built with sphinx-exercise's ``hide_solutions``. That option drops
    ``{solution}`` directives, but a *gated* solution (``{solution-start}`` …
    ``{solution-end}``) keeps everything between its two markers, including its code
    cells, because the ``solution-start`` directive returns nothing and the content
    after it is ordinary document content. Here ``solution-start`` leaves a marker node
    instead, and a transform that runs before sphinx-exercise merges gated solutions
    removes the marker, every sibling up to the matching ``solution-end`` and that
    node itself. The HTML then holds no solution text at all (tested by
    ``edition_tests/test_student.py``).
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx_exercise.directive import SolutionStartDirective
from sphinx_exercise.nodes import solution_end_node

LOGGER = logging.getLogger(__name__)

LATEX_PREAMBLE = r"""
% fonts with the Greek, arrows and symbols the chapters use in text and code
\usepackage{fontspec}
\setmainfont{TeX Gyre Pagella}
\setsansfont{TeX Gyre Heros}
\setmonofont{FreeMono}[Scale=0.92]
\usepackage{newunicodechar}
\newunicodechar{‖}{\ensuremath{\Vert}}
"""


class student_cut_start(nodes.Element):
    """Where a gated solution began (student edition only; removed before writing)."""


class StudentSolutionStart(SolutionStartDirective):
    def run(self):
        result = super().run()
        if self.env.app.config.hide_solutions:
            return [student_cut_start()]
        return result


class CutGatedSolutions(SphinxTransform):
    """Remove gated solutions whole: marker, content, ``solution-end``."""

    default_priority = 5  # before sphinx-exercise's MergeGatedSolutions (10)

    def apply(self, **kwargs) -> None:
        for marker in list(self.document.findall(student_cut_start)):
            parent = marker.parent
            start = parent.index(marker)
            end = next(
                (i for i in range(start + 1, len(parent.children))
                 if isinstance(parent.children[i], solution_end_node)),
                None,
            )
            if end is None:
                LOGGER.warning("solution-start without a solution-end in the same block",
                               location=marker)
                parent.remove(marker)
                continue
            for child in parent.children[start : end + 1]:
                parent.remove(child)


def latex_settings(app: Sphinx, config: Config) -> None:
    elements = dict(config.latex_elements or {})
    elements.setdefault("papersize", "a4paper")
    elements.setdefault("pointsize", "11pt")
    elements.setdefault("fontpkg", LATEX_PREAMBLE)
    # sphinxVerbatim: wrap long lines, also inside tokens without spaces
    elements.setdefault(
        "sphinxsetup",
        "verbatimwrapslines=true, verbatimforcewraps=true, verbatimmaxunderfull=2, "
        "verbatimhintsturnover=false",
    )
    config.latex_elements = elements


def setup(app: Sphinx) -> dict[str, bool]:
    app.setup_extension("sphinx_exercise")  # so that the override below wins
    app.add_node(student_cut_start)
    app.add_directive("solution-start", StudentSolutionStart, override=True)
    app.add_transform(CutGatedSolutions)
    app.connect("config-inited", latex_settings)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
