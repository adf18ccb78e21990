"""The book's other editions: the PDF (LaTeX) settings and the student edition.

PDF (``scripts/build_pdf.sh``)
    Jupyter Book's LaTeX builder with XeLaTeX (``_config.yml``, ``latex:``). This
    extension adds the LaTeX settings that ``_config.yml`` cannot express well: A4 paper,
    code and outputs that wrap at the margin instead of running off the page (Sphinx's
    ``sphinxVerbatim`` with forced wrapping, also inside long tokens), and fonts that
    carry every character the chapters use (Greek, ‖, →, …).

Student edition (``scripts/build_student.py``)
    The same site built with sphinx-exercise's ``hide_solutions``, without the
    notebook downloads and launch buttons (the notebooks hold the solutions). That option drops
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

import shutil
import subprocess
from pathlib import Path

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
% math in Pagella too (sphinx-jupyterbook-latex loads unicode-math again later: no-op)
\usepackage{unicode-math}
\setmathfont{TeX Gyre Pagella Math}
% proofs (book/_ext/editions.py, _visit_proof): indented, a QED box at the end
\newenvironment{sphinxklproof}%
  {\par\medskip\begingroup\leftskip=1em\relax}%
  {\hfill\ensuremath{\square}\par\endgroup\medskip}
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
                (
                    i
                    for i in range(start + 1, len(parent.children))
                    if isinstance(parent.children[i], solution_end_node)
                ),
                None,
            )
            if end is None:
                LOGGER.warning(
                    "solution-start without a solution-end in the same block",
                    location=marker,
                )
                parent.remove(marker)
                continue
            for child in parent.children[start : end + 1]:
                parent.remove(child)


def student_settings(app: Sphinx, config: Config) -> None:
    """The student edition says what it is, and offers no route to the solutions.

    The notebooks (``_sources/*.ipynb``, the download button) and the Binder/Colab
    buttons (which open the repository's notebooks) hold the solutions, so the student
    edition copies no sources and shows neither.
    """
    if config.hide_solutions:
        config.html_copy_source = False
        options = dict(config.html_theme_options or {})
        options["use_download_button"] = False
        options["launch_buttons"] = {}
        if not options.get("announcement"):  # Jupyter Book's default is ""
            options["announcement"] = (
                "Student edition: the exercises are here, their solutions are not."
            )
        config.html_theme_options = options


def plain_notebook_buttons(
    app: Sphinx, pagename, templatename, context, doctree
):
    """The Binder and Colab buttons open ``notebooks/<chapter>.ipynb``, the chapter
    without MyST markup (``scripts/clean_notebooks.py``), instead of ``book/``'s."""
    stem = Path(pagename).name
    if not (Path(app.srcdir) / "notebooks" / f"{stem}.ipynb").exists():
        return
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            if group.get("label") == "launch-buttons" and "url" in button:
                url = button["url"].replace(
                    f"{pagename}.ipynb", f"notebooks/{stem}.ipynb"
                )
                button["url"] = url


def plain_notebook_downloads(app: Sphinx, exception) -> None:
    """The ``.ipynb`` download button serves the plain notebook too."""
    if exception is None and app.builder.format == "html":
        for plain in (Path(app.srcdir) / "notebooks").glob("*.ipynb"):
            copy = Path(app.outdir) / "_sources" / "book" / plain.name
            if copy.exists():
                shutil.copyfile(plain, copy)


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
    # no "Proof Index" / "Python Module Index" chapters at the end of the PDF: they list
    # labels (thm-gibbs) rather than names; the general index stays
    config.latex_domain_indices = False
    # jupyterBook.cls requires bbm.sty; ship a stand-in where TeX has none
    if shutil.which("kpsewhich"):
        found = subprocess.run(
            ["kpsewhich", "bbm.sty"], capture_output=True, text=True
        )
        if not found.stdout.strip():
            extra = list(config.latex_additional_files or [])
            extra.append(str(Path(__file__).parent / "latex" / "bbm.sty"))
            config.latex_additional_files = extra


# ---------------------------------------------------------------- LaTeX: labels, numbers
# sphinx-proof writes \label{None:thm-x} in LaTeX (it cannot find the document of a
# node inside the assembled book) and leaves the theorem number out of the box title;
# sphinx-exercise writes \label{exercise:ex-x}. Sphinx's own references point to
# \label{docname:id}, so cross-references to theorems and exercises did not resolve in
# the PDF. These LaTeX visitors write Sphinx's label (and keep sphinx-exercise's) and put
# the number Sphinx assigned (the one the site shows) into the title.


def _latex_labels(self, node) -> str:
    docname = self.curfilestack[-1] if self.curfilestack else ""
    ids = list(node.get("ids", []))
    if node.get("label") and node["label"] not in ids:
        ids.append(node["label"])
    return (
        "".join(
            rf"\phantomsection\label{{{self.idescape(f'{docname}:{i}')}}}"
            for i in ids
        )
        + "\n"
    )


def _sphinx_number(self, node, figtype: str) -> str:
    docname = self.curfilestack[-1] if self.curfilestack else ""
    ids = node.get("ids", [])
    number = self.builder.env.toc_fignumbers.get(docname, {}).get(figtype, {})
    return ".".join(map(str, number.get(ids[0], ()))) if ids else ""


def _visit_proof_enumerable(self, node) -> None:
    from sphinx_proof.nodes import latex_admonition_start

    self.body.append(_latex_labels(self, node))
    self.body.append(latex_admonition_start)


def _depart_proof_enumerable(self, node) -> None:
    from sphinx_proof.nodes import (
        latex_admonition_end,
        latex_admonition_start,
        list_rindex,
    )

    number = _sphinx_number(self, node, node.get("countertype", ""))
    idx = list_rindex(self.body, latex_admonition_start) + 2
    self.body.insert(idx, f"{node.get('realtype', '').title()} {number}")
    self.body.append(latex_admonition_end)


def _visit_proof_unenumerable(self, node) -> None:
    from sphinx_proof.nodes import latex_admonition_start

    self.body.append(_latex_labels(self, node))
    self.body.append(latex_admonition_start)


def _visit_exercise(self, node) -> None:
    from sphinx_exercise.latex import LaTeXMarkup

    self.body.append(_latex_labels(self, node))
    self.body.append(
        "\\phantomsection \\label{"
        + f"exercise:{node.attributes['label']}"
        + "}\n"
    )
    self.body.append(LaTeXMarkup().visit_admonition())


def _visit_proof(self, node) -> None:
    """A proof as books set it: an italic "Proof." lead-in, the argument, a QED box.

    sphinx-proof wraps the proof in an admonition without a title, which LaTeX renders
    as a box with an empty title bar (the first paragraph becomes the title argument).
    """
    body = (
        node.children[0]
        if node.children and isinstance(node.children[0], nodes.admonition)
        else node
    )
    paragraphs = list(body.findall(nodes.paragraph))
    if (
        paragraphs
        and paragraphs[0].children
        and isinstance(paragraphs[0][0], nodes.Text)
    ):
        first = paragraphs[0][0]
        if first.astext().startswith("Proof. "):
            paragraphs[0].replace(
                first, nodes.Text(first.astext()[len("Proof. ") :])
            )
            paragraphs[0].insert(0, nodes.emphasis("", "Proof. "))
    self.body.append("\n\\begin{sphinxklproof}\n")
    for child in body.children:
        child.walkabout(self)
    self.body.append("\n\\end{sphinxklproof}\n")
    raise nodes.SkipNode


def _depart_nothing(self, node) -> None:
    pass


def _register_latex_visitors(app: Sphinx) -> None:
    import sphinx_exercise.nodes as ex
    import sphinx_proof.nodes as pf
    from sphinx_proof.proof_type import PROOF_TYPES

    for name in PROOF_TYPES:
        app.registry.add_translation_handlers(
            pf.NODE_TYPES[name],
            latex=(_visit_proof_enumerable, _depart_proof_enumerable),
        )
    app.registry.add_translation_handlers(
        pf.unenumerable_node,
        latex=(_visit_proof_unenumerable, pf.depart_unenumerable_node),
    )
    app.registry.add_translation_handlers(
        pf.proof_node, latex=(_visit_proof, _depart_nothing)
    )
    app.registry.add_translation_handlers(
        ex.exercise_node, latex=(_visit_exercise, ex.depart_exercise_node)
    )
    app.registry.add_translation_handlers(
        ex.exercise_enumerable_node,
        latex=(_visit_exercise, ex.depart_exercise_enumerable_node),
    )


# sphinx-jupyterbook-latex turns the toc's parts into LaTeX parts and sets
# numfig_secnum_depth = 2 so that LaTeX numbers equations and figures by chapter. Sphinx
# uses the same setting for the numbers it assigns (theorems, exercises), which then
# become chapter.section.n ("Theorem 2.7.1") instead of the site's "Theorem 2.1". Assign
# Sphinx's numbers with the site's depth, then give the LaTeX writer jupyterbook-latex's.
_SECNUM = "_klnotes_latex_secnum_depth"


def _latex_numbering_like_site(app: Sphinx) -> None:
    if app.builder.format == "latex":
        setattr(app, _SECNUM, app.config.numfig_secnum_depth)
        app.config.numfig_secnum_depth = getattr(
            app, "_klnotes_site_secnum_depth", 1
        )


def _latex_numbering_for_writer(app: Sphinx, doctree, docname) -> None:
    if app.builder.format == "latex" and hasattr(app, _SECNUM):
        app.config.numfig_secnum_depth = getattr(app, _SECNUM)


def _remember_site_depth(app: Sphinx, config: Config) -> None:
    app._klnotes_site_secnum_depth = config.numfig_secnum_depth  # type: ignore[attr-defined]


def setup(app: Sphinx) -> dict[str, bool]:
    app.setup_extension("sphinx_exercise")  # so that the overrides below win
    app.setup_extension("sphinx_proof")
    _register_latex_visitors(app)
    app.connect("config-inited", _remember_site_depth, priority=100)
    app.connect("builder-inited", _latex_numbering_like_site, priority=900)
    # LaTeXBuilder.write emits no write-started; it resolves the assembled book
    # (doctree-resolved) after the numbers are assigned and before its writer starts
    app.connect("doctree-resolved", _latex_numbering_for_writer)
    app.add_node(student_cut_start)
    app.add_directive("solution-start", StudentSolutionStart, override=True)
    app.add_transform(CutGatedSolutions)
    app.connect("config-inited", latex_settings)
    app.connect("config-inited", student_settings)
    app.connect("html-page-context", plain_notebook_buttons, priority=600)
    app.connect("build-finished", plain_notebook_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
