"""The book's other editions: the PDF's Sphinx-side fixes and the student edition.

PDF (``scripts/build_pdf.sh``): paper, fonts, code wrapping and the tables' column
type are ``latex_elements`` in ``_config.yml``; here the theorems' and exercises'
numbers, anchors and index entries, proofs as books set them, and one bibliography.
The full site publishes the PDF as ``klnotes.pdf`` (the header's ".pdf" button).

Plain notebooks (``scripts/clean_notebooks.py``): the Binder and Colab buttons and
the ``.ipynb`` download serve ``notebooks/NN_topic.ipynb``, without MyST markup.

Student edition (``scripts/build_student.py``): ``student_edition = True`` gives the
tag ``student``, no solutions and no route to them.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.writers.latex import LaTeXTranslator
from sphinx_exercise.nodes import (
    exercise_enumerable_node,
    exercise_node,
    solution_node,
)
from sphinx_proof.nodes import NODE_TYPES, proof_node, unenumerable_node


class DropSolutions(SphinxTransform):
    """The student edition: every solution removed, gated ones included.

    sphinx-exercise's own ``hide_solutions`` keeps a gated solution's content
    and its end marker, on which the HTML writer fails. Upstream:
    executablebooks/sphinx-exercise#89 (open); this can go with the release
    that fixes it, once the edition tests pass with ``hide_solutions``."""

    default_priority = 11  # after sphinx-exercise's MergeGatedSolutions (10)

    def apply(self, **kwargs) -> None:
        if self.config.student_edition:
            for node in list(self.document.findall(solution_node)):
                node.parent.remove(node)


def student_settings(app: Sphinx, config: Config) -> None:
    """The student edition says what it is, and copies no page sources and shows no
    download, launch or repository button: they lead to the solutions."""
    if config.student_edition:
        app.tags.add("student")  # {only} student / not student in the pages
        config.html_copy_source = False
        options = dict(config.html_theme_options or {})
        options["use_download_button"] = False
        options["use_repository_button"] = False
        options["launch_buttons"] = {}
        if not options.get("announcement"):  # Jupyter Book's default is ""
            options["announcement"] = (
                "Student edition: the exercises are here, their solutions are not."
            )
        config.html_theme_options = options


def header_buttons(app: Sphinx, pagename, templatename, context, doctree):
    """The header's buttons lead to the other editions: ".pdf" opens the typeset book
    (``klnotes.pdf``) instead of printing the page; Binder and Colab open
    ``notebooks/<chapter>.ipynb``, the chapter without MyST markup."""
    stem = Path(pagename).name
    plain = (Path(app.srcdir) / "notebooks" / f"{stem}.ipynb").exists()
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            if button.get("label") == "download-pdf-button":
                button.pop("javascript", None)  # window.print()
                url = context["pathto"]("klnotes.pdf", 1)
                button.update(
                    type="link", url=url, tooltip="The typeset book (PDF)"
                )
            elif plain and group.get("label") == "launch-buttons":
                if "url" in button:
                    button["url"] = button["url"].replace(
                        f"{pagename}.ipynb", f"notebooks/{stem}.ipynb"
                    )


def plain_notebook_downloads(app: Sphinx, exception) -> None:
    """The ``.ipynb`` download button serves the plain notebook too, and the typeset
    PDF (``scripts/build_pdf.sh``) is published with the full edition as klnotes.pdf."""
    if exception is None and app.builder.format == "html":
        pdf = Path(app.srcdir) / "_build" / "pdf" / "klnotes.pdf"
        if pdf.exists() and not app.config.student_edition:
            shutil.copyfile(pdf, Path(app.outdir) / "klnotes.pdf")
        for plain in (Path(app.srcdir) / "notebooks").glob("*.ipynb"):
            copy = Path(app.outdir) / "_sources" / "book" / plain.name
            if copy.exists():
                shutil.copyfile(plain, copy)


def latex_numbers_like_site(app: Sphinx) -> None:
    """sphinx-jupyterbook-latex sets ``numfig_secnum_depth = 2`` when the toc has
    parts, so that LaTeX numbers equations by chapter; Sphinx would then number
    theorems and exercises 2.7.1 instead of the site's 2.1. The site's depth stays,
    and LaTeX's counters (figures, tables, equations) are reset at that depth, by
    chapter: Sphinx's writer, counting from the part, passes ``numfigreset=0``.
    No upstream report found: sphinx-jupyterbook-latex sets the depth on
    purpose (executablebooks/sphinx-jupyterbook-latex#88, merged) and
    ignores a user's value; this can go when it respects that value."""
    if app.builder.format == "latex":
        depth = app.config.overrides.get("numfig_secnum_depth", 1)
        app.config.numfig_secnum_depth = depth
        reset = (
            rf"\makeatletter\def\spx@opt@numfigreset{{{depth}}}\makeatother"
        )
        context = app.builder.context  # made from latex_elements at init
        context["preamble"] = f"{context.get('preamble', '')}\n{reset}\n"


# Sphinx's escaping of LaTeX ids: it uses no state of the translator, only
# the escaping tables that the LaTeX builder's init sets up
idescape = LaTeXTranslator.idescape


def _raw(tex: str) -> nodes.raw:
    return nodes.raw("", tex, format="latex")


class LatexBoxes(SphinxPostTransform):
    """Theorems, exercises and proofs in the PDF.

    sphinx-proof finds a box's document through a parent section named by the page
    title; a labelled chapter's is named by its label, so it wrote
    ``\\label{None:thm-x}`` and no number (``find_parent`` in sphinx-proof
    0.4's nodes.py; no upstream report found: the patch of ``names`` can go
    when sphinx-proof reads the box's ``docname``). Each box gets a link anchor (Sphinx's
    references want ``<docname>:<label>``, sphinx-exercise writes ``exercise:<label>``)
    and, when it has a title, an index entry. A proof loses its untitled box: an
    italic "Proof." lead-in, the argument, a QED box (``sphinxklproof``).
    """

    default_priority = 700
    formats = ("latex",)
    BOXES = (*NODE_TYPES.values(), unenumerable_node)
    EXERCISES = (exercise_node, exercise_enumerable_node)

    def run(self, **kwargs) -> None:
        for section in self.document.findall(nodes.section):
            if title := self.env.titles.get(section.get("docname")):
                section["names"].append(title.astext().lower())
        kinds = (*self.BOXES, *self.EXERCISES)
        for box in list(self.document.findall(lambda n: isinstance(n, kinds))):
            if isinstance(box, self.EXERCISES):
                # escaped by Sphinx's own rule, as its \hyperref are
                label = idescape(None, f"{box['docname']}:{box['label']}")
                new = [_raw(rf"\phantomsection\label{{{label}}}")]
                subtitle = re.search(r"\((.+)\)\s*$", box[0].astext())
                entry = subtitle and f"exercises; {subtitle[1]}"
            else:  # sphinx-proof writes the label
                new = [_raw(r"\phantomsection")]
                entry = box.get("title", "").strip()
                entry = entry.removeprefix("(").removesuffix(")")
            if entry:
                new.append(
                    addnodes.index(entries=[("single", entry, "", "", None)])
                )
            at = box.parent.index(box)
            box.parent[at:at] = new
        for proof in list(self.document.findall(proof_node)):
            body = (
                proof[0] if isinstance(proof[0], nodes.admonition) else proof
            )
            para = next(body.findall(nodes.paragraph), None)
            first = para and para[0]
            if isinstance(first, nodes.Text) and first.startswith("Proof. "):
                para.replace(first, nodes.Text(first[len("Proof. ") :]))
                para.insert(0, nodes.emphasis("", "Proof. "))
            proof.replace_self(
                [
                    _raw("\n\\begin{sphinxklproof}\n"),
                    *body.children,
                    _raw("\n\\end{sphinxklproof}\n"),
                ]
            )


class LatexOneBibliography(SphinxPostTransform):
    """One bibliography at the end of the PDF, where Sphinx's LaTeX writer moves
    every citation: the API docstrings' "[1]" of one function and "[1]" of the next
    stay paragraphs where they are listed (numpydoc's LaTeX-only "[1], [2]" line
    goes), and the bibliography page, left holding one sentence, is dropped.
    Upstream: sphinx-doc/sphinx#4775 (the empty chapter), #5893 (where it
    goes), both open; this can go when both are fixed in a Sphinx that
    Jupyter Book uses."""

    default_priority = 40  # before OnlyNodeTransform (50) keeps {only} latex
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for only in list(self.document.findall(addnodes.only)):
            if isinstance(only.parent, addnodes.desc_content):  # numpydoc's
                only.parent.remove(only)
        book = []
        for cit in list(self.document.findall(nodes.citation)):
            # numpydoc names a docstring's references r<hash>-<n>
            if not any(re.match(r"r[0-9a-f]+-", n) for n in cit["names"]):
                book.append(cit)  # bibtex's
                continue
            label = f"[{cit[0].astext()}]"
            for ref in list(self.document.findall(nodes.citation_reference)):
                if ref.get("refname") in cit["ids"]:
                    ref.replace_self(nodes.inline("", label, ids=ref["ids"]))
            para = nodes.paragraph("", label + " ", ids=cit["ids"])
            for child in cit.children[1:]:
                para.extend(
                    child.children
                    if isinstance(child, nodes.paragraph)
                    else [child]
                )
            cit.replace_self(para)
        # the page holding them goes; the writer moves them to the end
        if book:
            page = book[0].parent
            while not isinstance(page, nodes.section):
                page = page.parent
            page.replace_self([nodes.target(ids=page["ids"]), *book])


def setup(app: Sphinx) -> dict[str, bool]:
    app.add_config_value("student_edition", False, "env")
    app.add_transform(DropSolutions)
    app.add_post_transform(LatexBoxes)
    app.add_post_transform(LatexOneBibliography)
    app.connect("config-inited", student_settings)
    # after sphinx-jupyterbook-latex's builder-inited (500)
    app.connect("builder-inited", latex_numbers_like_site, priority=900)
    app.connect("html-page-context", header_buttons, priority=600)
    app.connect("build-finished", plain_notebook_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
