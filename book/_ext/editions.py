"""The book's other editions: the PDF (LaTeX) settings and the student edition.

PDF (``scripts/build_pdf.sh``)
    Jupyter Book's LaTeX builder with XeLaTeX (``_config.yml``, ``latex:``). This
    extension adds the LaTeX settings that ``_config.yml`` cannot express well: A4 paper,
    code and outputs that wrap at the margin instead of running off the page (Sphinx's
    ``sphinxVerbatim`` with forced wrapping, also inside long tokens), fonts that
    carry every character the chapters use (Greek, ‖, →, subscript digits, …),
    table column widths, box titles kept with their bodies, one bibliography, and
    index entries for every named theorem and exercise. The full site publishes the
    PDF as ``klnotes.pdf``, which the header's ".pdf" button opens.

Plain notebooks (``scripts/clean_notebooks.py``)
    The Binder and Colab buttons and the ``.ipynb`` download serve
    ``notebooks/NN_topic.ipynb``, the chapters without MyST markup.

Student edition (``scripts/build_student.py``)
    The same site built with ``student_edition = True``: the Sphinx tag ``student``,
    no notebook downloads, launch or repository buttons (the notebooks hold the
    solutions), and no solutions. sphinx-exercise's own ``hide_solutions`` is not used:
    it drops ``{solution}`` directives but leaves the content of a *gated* solution
    (``{solution-start}`` … ``{solution-end}``), code cells included, in the page.
    Here every solution, gated ones once sphinx-exercise has merged them, is removed
    from the doctree (tested by ``edition_tests/test_student.py``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

from docutils import nodes
from PIL import ImageFont
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_exercise.nodes import solution_node

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


# after the sphinx package: keep box titles with their bodies, subscript digits that the
# text font lacks, no running head "CONTENTS" over the introduction
LATEX_AFTER_SPHINX = r"""
\usepackage{needspace}
\AtBeginEnvironment{sphinxadmonition}{\needspace{10\baselineskip}}
\newunicodechar{ᵘ}{\textsuperscript{u}}
""" + "".join(
    rf"\newunicodechar{{{chr(0x2080 + d)}}}{{\textsubscript{{{d}}}}}" + "\n"
    for d in range(10)
)


class DropSolutions(SphinxTransform):
    """The student edition: every solution removed, gated ones included."""

    default_priority = 11  # after sphinx-exercise's MergeGatedSolutions (10)

    def apply(self, **kwargs) -> None:
        if self.config.student_edition:
            for node in list(self.document.findall(solution_node)):
                node.parent.remove(node)


def student_settings(app: Sphinx, config: Config) -> None:
    """The student edition says what it is, and offers no route to the solutions.

    The notebooks (``_sources/*.ipynb``, the download button) and the Binder/Colab
    buttons (which open the repository's notebooks) hold the solutions, so the student
    edition copies no sources and shows neither.
    """
    if config.student_edition:
        app.tags.add("student")  # {only} student / not student in the pages
        config.html_copy_source = False
        options = dict(config.html_theme_options or {})
        options["use_download_button"] = False
        options["use_repository_button"] = (
            False  # its notebooks hold the solutions
        )
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
    elements["preamble"] = elements.get("preamble", "") + LATEX_AFTER_SPHINX
    elements.setdefault("extraclassoptions", "openany")  # no blank pages
    elements.setdefault(
        "tableofcontents", r"\sphinxtableofcontents\markboth{}{}"
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


# ---------------------------------------------------------------- LaTeX: tables, references
LINE = 451.0  # points: A4 less Sphinx's 1 in margins
PAD = 14.0  # points around a cell's text: 2 \tabcolsep and a little air
_NO_WIDTH = {
    "mathrm",
    "mathbb",
    "mathcal",
    "operatorname",
    "text",
    "left",
    "right",
}
_OPERATORS = {"log", "exp", "sup", "inf", "max", "min", "det", "lim", "tr"}
_COMMAND = re.compile(r"\\([A-Za-z]+)")


@cache
def _measure() -> Callable[[str], float]:
    """Width in points of a string in the PDF's 11 pt text font (characters x 5.5 pt
    when the font file cannot be found)."""
    found = shutil.which("fc-match") and subprocess.run(
        ["fc-match", "-f", "%{file}", "TeX Gyre Pagella"],
        capture_output=True,
        text=True,
    )
    try:
        font = ImageFont.truetype(found.stdout, 10.95)  # type: ignore[union-attr]
        return font.getlength
    except (AttributeError, OSError):
        return lambda text: 5.5 * len(text)


def _math_text(tex: str) -> str:
    """Roughly what a formula prints: a fraction as wide as its wider part, scripts
    at two thirds, a command one symbol (an operator its name: log, exp)."""
    tex = re.sub(r"\\t?frac(\d)(\d)", r"\1", tex)
    frac = r"\\t?frac\{([^{}]*)\}\{([^{}]*)\}"
    tex = re.sub(frac, lambda m: max(m[1], m[2], key=len), tex)
    tex = re.sub(
        r"[_^]\{([^{}]*)\}", lambda m: m[1][: -(-2 * len(m[1]) // 3)], tex
    )
    tex = _COMMAND.sub(
        lambda m: (
            "" if m[1] in _NO_WIDTH else (m[1] if m[1] in _OPERATORS else "x")
        ),
        tex,
    )
    return re.sub(r"[{}_^\s]|\\[,;!]", "", tex)


def _math_pieces(tex: str) -> list[str]:
    """A formula cut where TeX may break it: after a relation or a binary operator
    outside braces."""
    tex = re.sub(
        r"\\(le|ge|in)\b", lambda m: {"le": "≤", "ge": "≥"}.get(m[1], "∈"), tex
    )
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(tex):
        depth += (ch == "{") - (ch == "}")
        if depth == 0 and ch in "=<>+-≤≥∈":
            pieces.append(tex[start : i + 1])
            start = i + 1
    return [*pieces, tex[start:]]


def _widths(node: nodes.Node) -> tuple[float, float]:
    """Printed width of a table cell's content on one line, and of its widest
    unbreakable part: a formula between relations and operators (the relation stays
    on the line), or a word, which TeX may hyphenate or break after a dash."""
    measure, total, least = _measure(), 0.0, 0.0
    for part in node.findall(lambda n: isinstance(n, nodes.Text | nodes.math)):
        if isinstance(part, nodes.math):  # math is set wider than text
            pieces = _math_pieces(part.astext())
            units = [1.2 * measure(_math_text(p)) for p in pieces]
            total, least = total + sum(units), max([least, *units])
        elif not isinstance(part.parent, nodes.math):
            for word in part.astext().split():
                total += measure(word + " ")
                for piece in re.split(r"(?<=[–-])", word):
                    if re.fullmatch(r"[a-z]{7,}\W?", word):  # hyphenated
                        piece = piece[: len(piece) // 2 + 1] + "-"
                    least = max(least, measure(piece))
    return total, least


class LatexTableColumns(SphinxPostTransform):
    """Column widths for the PDF's tables from their contents.

    Left to itself, Sphinx sets a table with ``tabulary``, which underestimates
    cells holding math and clips them (the notation tables, chapter 7's summary). Here
    each column gets at least its longest formula or word, and the rest of the line
    in proportion to how much text it holds; cells are set ragged right. Upstream:
    sphinx-doc/sphinx#3447 (tabulary widths; reworked by sphinx-doc/sphinx#13705,
    which the pinned Sphinx 7.4 does not have).
    """

    default_priority = 700
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for table in list(self.document.findall(nodes.table)):
            prev = table.previous_sibling()
            if isinstance(prev, addnodes.tabular_col_spec):
                continue
            rows = list(table.findall(nodes.row))
            cols = max(len(r.children) for r in rows)
            natural, least = [1.0] * cols, [1.0] * cols
            for row in rows:
                for j, entry in enumerate(row.children):
                    total, longest = _widths(entry)
                    natural[j] = max(natural[j], total)
                    least[j] = max(least[j], longest)
            room = LINE - PAD * cols
            spare = room - sum(least)
            if sum(natural) <= room:
                widths = natural
            elif spare > 0:  # each its widest part, the rest as text needs it
                extra = [n - m for n, m in zip(natural, least, strict=True)]
                widths = [
                    m + spare * e / sum(extra)
                    for m, e in zip(least, extra, strict=True)
                ]
            else:
                widths = [m * room / sum(least) for m in least]
            spec = "".join(
                r">{\raggedright\arraybackslash}"
                rf"\X{{{round(1000 * (w + PAD) / LINE)}}}{{1000}}"
                for w in widths
            )
            table.parent.insert(
                table.parent.index(table), addnodes.tabular_col_spec(spec=spec)
            )


class LatexOneBibliography(SphinxPostTransform):
    """One bibliography at the end of the PDF.

    Sphinx's LaTeX writer gathers every citation of the book into one list at the end
    (``BibliographyTransform``, priority 750), where the numbered references of the API
    docstrings ("[1]" of one function, "[1]" of the next) mix with the book's entries.
    Before that, each docstring reference becomes a paragraph where the docstring
    lists it; and the bibliography page, whose list moves to the end, is dropped, so
    that no chapter is left holding one sentence. Upstream: sphinx-doc/sphinx#4775
    (the empty chapter) and sphinx-doc/sphinx#5893 (where the list goes).
    """

    default_priority = 700
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        docstring = [  # numpydoc names them r<hash>-<n>; the book's are bibtex's
            cit
            for cit in self.document.findall(nodes.citation)
            if any(re.match(r"r[0-9a-f]+-", name) for name in cit["names"])
        ]
        ids = {i for cit in docstring for i in cit["ids"]}
        # numpydoc repeats a docstring's references as a line "[1], [2]" for LaTeX
        for para in list(self.document.findall(nodes.paragraph)):
            refs = [
                c
                for c in para.children
                if isinstance(c, nodes.citation_reference)
            ]
            if (
                refs
                and all(r.get("refname") in ids for r in refs)
                and not "".join(
                    c.astext()
                    for c in para.children
                    if not isinstance(c, nodes.citation_reference)
                ).strip(", \n")
            ):
                para.parent.remove(para)
        for cit in docstring:
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
        sections = {}  # the page holding the bibliography: only its entries stay
        for cit in self.document.findall(nodes.citation):
            section = cit.parent
            while not isinstance(section, nodes.section):
                section = section.parent
            sections.setdefault(id(section), (section, []))[1].append(cit)
        for section, citations in sections.values():
            keep = nodes.target(ids=section["ids"])
            section.replace_self([keep, *citations])


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


def _index(self, entry: str) -> None:
    """An index entry here, escaped as Sphinx escapes its own."""
    try:
        self.visit_index(
            addnodes.index(entries=[("single", entry, "", "", None)])
        )
    except nodes.SkipNode:
        pass


def _visit_proof_enumerable(self, node) -> None:
    from sphinx_proof.nodes import latex_admonition_start

    self.body.append(_latex_labels(self, node))
    title = node.get("title", "").strip().removeprefix("(").removesuffix(")")
    if title:  # the index points to theorems and definitions by name
        _index(self, title)
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
    subtitle = re.search(
        r"\((.+)\)\s*$", node[0].astext() if node.children else ""
    )
    if subtitle:  # the title reads "Exercise 1.1 (subtitle)" by now
        _index(self, f"exercises; {subtitle[1]}")
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
    app.add_config_value("student_edition", False, "env")
    app.add_transform(DropSolutions)
    app.add_post_transform(LatexTableColumns)
    app.add_post_transform(LatexOneBibliography)
    app.connect("config-inited", latex_settings)
    app.connect("config-inited", student_settings)
    app.connect("html-page-context", header_buttons, priority=600)
    app.connect("build-finished", plain_notebook_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
