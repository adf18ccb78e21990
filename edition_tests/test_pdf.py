"""The whole-book PDF (_build/pdf/klnotes.pdf, from scripts/build_pdf.sh), read with
poppler's ``pdftotext``; pages rendered by ``pdftoppm`` (a proof, a figure, exercises,
the tables, the index) stay in ``_build/screenshots/`` for a person to look at."""

from __future__ import annotations

import json
import re
from functools import cache

import nbformat
import pytest
from PIL import Image, ImageStat

from edition_tests import (
    PDF,
    ROOT,
    STEMS,
    all_text,
    exercise_labels,
    pages,
    poppler,
    squash,
    text_outputs,
)

LATEX = ROOT / "_build" / "latex"
SHOTS = ROOT / "_build" / "screenshots"


def pages_with(*patterns: str) -> list[int]:
    """The pages (numbered from 1) on which every pattern matches."""
    return [
        i
        for i, text in enumerate(pages(), start=1)
        if all(re.search(p, text, re.M) for p in patterns)
    ]


@cache
def code_corpus() -> str:
    """Every code cell's source and printed output, as the PDF shows them (squashed)."""
    parts = []
    for stem in STEMS:
        nb = nbformat.read(ROOT / "book" / f"{stem}.ipynb", as_version=4)
        parts += [c.source for c in nb.cells if c.cell_type == "code"]
        parts += text_outputs(nb)
    return squash("\n".join(parts))


def test_page_count_is_sane():
    # 360 pages today: far fewer means chapters went missing; far more means
    # something (an output, a table) exploded
    assert 80 <= len(pages()) <= 400, f"{len(pages())} pages"


def test_title_page_and_contents():
    assert "Kullback" in pages()[0], "page 1 is not the title page"
    front = "\n".join(pages()[1:8]).lower()
    assert "contents" in front, "no table of contents in the first pages"


def source(stem: str) -> str:
    return (ROOT / "chapters" / f"{stem}.md").read_text(encoding="utf-8")


def test_every_chapter_title_is_there():
    titles = [re.search(r"^# (.+)$", source(s), re.M)[1] for s in STEMS]
    missing = [t for t in titles if squash(t) not in squash(all_text())]
    assert not missing, f"chapter titles missing from the PDF: {missing}"


@pytest.mark.parametrize(
    "what, shows",
    [
        ("unresolved references (??)", lambda line: "??" in line),
        (  # a $ or \( is leaked TeX, unless it is code or its output
            "raw TeX in the prose",
            lambda line: (
                ("$" in line or "\\(" in line)
                and squash(line) not in code_corpus()
            ),
        ),
        (
            "the hidden install cell",
            lambda line: (
                "klnotes[testing] @ git+" in line
                or "install klnotes (the book's helper package)" in line
            ),
        ),
    ],
)
def test_no_line_shows(what, shows):
    found = [
        (i, line.strip())
        for i, text in enumerate(pages(), start=1)
        for line in text.splitlines()
        if shows(line)
    ]
    assert not found, f"{what} in the PDF (page, line): {found[:10]}"


def test_exercises_solutions_bibliography():
    text = all_text()
    n_ex = len(re.findall(r"^Exercise \d+\.\d+", text, re.M))
    n_sol = len(re.findall(r"^Solution to Exercise \d+\.\d+", text, re.M))
    n_src = sum(len(exercise_labels(stem)) for stem in STEMS)
    assert n_ex >= n_src, f"{n_ex} exercises in the PDF, {n_src} in the book"
    assert n_sol >= n_src, f"{n_sol} solutions in the PDF, {n_src} exercises"
    assert re.search(r"Kullback.{0,40}Leibler", text, re.S)
    assert "Bibliography" in text


@pytest.mark.parametrize(
    "name, patterns",
    [
        ("pdf_proof", [r"^Proof\.", r"□"]),
        ("pdf_figure", [r"^Fig\. \d+\.\d+"]),
        ("pdf_exercise", [r"^Exercise \d+\.\d+", r"^Solution to Exercise"]),
        ("pdf_ch6_exercise_titles", [r"^Exercise 6\.\d+ \(k\d"]),
        ("pdf_summary_table", [r"Summary table", r"^where in"]),
        ("pdf_notation_table", [r"^Symbol$", r"^Meaning$", r"^from$"]),
        ("pdf_index", [r"^INDEX$"]),
    ],
)
def test_rendered_pages(name, patterns):
    found = pages_with(*patterns)
    assert found, f"no page matches {patterns}"
    page, stem = found[0], SHOTS / f"{name}_p{found[0]}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    one_page = ["-f", page, "-l", page, "-singlefile"]
    poppler("pdftoppm", "-r", 100, "-png", *one_page, PDF, stem)
    with Image.open(stem.with_suffix(".png")) as im:
        gray = im.convert("L")
    w, h = gray.size
    assert 0.6 < w / h < 0.8, f"page {page} is not portrait A4-like: {w}x{h}"
    mean = ImageStat.Stat(gray).mean[0]
    # printed page: mostly white, but with real ink on it
    assert 180 < mean < 254, f"page {page} looks blank or black: {mean:.0f}"
    # the text block stays inside the margins: the outer 3% strips are blank
    strip = int(0.03 * w)
    for box in ((0, 0, strip, h), (w - strip, 0, w, h)):
        darkest = ImageStat.Stat(gray.crop(box)).extrema[0][0]
        assert darkest > 200, f"ink in the margin of page {page}"


def test_log_counts_are_recorded_and_glyphs_and_tables_fit():
    """Every character has a glyph; no table cell sticks out more than 5 pt."""
    log = (LATEX / "klnotes.log").read_text(encoding="utf-8", errors="replace")
    missing = re.findall(r"^Missing character: There is no (.)", log, re.M)
    boxes = re.findall(
        r"^Overfull \\([hv])box \(([\d.]+)pt too \w+\)(?:.*?lines? (\d+))?",
        log,
        re.M,
    )
    tex = (LATEX / "klnotes.tex").read_text(encoding="utf-8").splitlines()
    # \sphinxattablestart, \sphinxatlongtablestart and their ends
    starts = [i for i, ln in enumerate(tex, 1) if "tablestart" in ln]
    ends = [i for i, ln in enumerate(tex, 1) if "tableend" in ln]
    tables = list(zip(starts, ends, strict=True))
    in_tables = [
        (float(pt), int(line))
        for kind, pt, line in boxes
        if kind == "h" and any(a <= int(line or 0) <= b for a, b in tables)
    ]
    counts = {
        "missing_characters": len(missing),
        "overfull_hbox": sum(k == "h" for k, _, _ in boxes),
        "overfull_vbox": sum(k == "v" for k, _, _ in boxes),
        "overfull_hbox_in_tables": len(in_tables),
        "overfull_hbox_in_tables_over_5pt": sum(pt > 5 for pt, _ in in_tables),
        "tables": len(tables),
        "undefined_references": len(
            re.findall(r"^LaTeX Warning: (?:Hyper r|R)eference", log, re.M)
        ),
    }
    (ROOT / "_build" / "pdf" / "latex_log.json").write_text(json.dumps(counts))
    assert counts["tables"] >= 5, counts  # the measure sees the tables
    # every table has its columns set ({tabularcolumns} or :widths:), none is
    # left to tabulary's guess (T), which clips math, or to longtable's l
    specs = re.findall(
        r"\\begin\{(?:tabulary|tabular|longtable)\}.*", "\n".join(tex)
    )
    guessed = [s for s in specs if not re.search(r"\\X\{|K\{", s)]
    assert len(specs) == len(tables) and not guessed, guessed
    assert not missing, (
        f"glyphs missing from the fonts: {sorted(set(missing))}"
    )
    assert counts["overfull_hbox_in_tables_over_5pt"] == 0, (counts, in_tables)
    assert counts["undefined_references"] == 0, counts  # e.g. None:thm-x


def test_one_bibliography_without_blank_pages():
    tex = (LATEX / "klnotes.tex").read_text(encoding="utf-8")
    labels = re.findall(r"\\bibitem\[([^\]]+)\]", tex)
    assert labels and len(labels) == len(set(labels)), "duplicate labels"
    assert tex.count("\\begin{sphinxthebibliography}") == 1
    assert not re.search(r"\\chapter\{Bibliography\}", tex), "an empty chapter"
    # the docstrings' references stay readable where the API page lists them
    api = [i for i in pages_with(r"^klnotes\.\w+\(") if i < len(pages()) - 5]
    assert any("[1] T. M. Cover" in pages()[i - 1] for i in api)
    bare = [  # a line of bare reference numbers, numpydoc's list for LaTeX
        (i, ln)
        for i in api
        for ln in pages()[i - 1].splitlines()
        if re.fullmatch(r"(\[\d+\],?\s*)+", ln.strip())
    ]
    assert not bare, bare
    blank = [i for i, text in enumerate(pages()[1:-1], 2) if not text.strip()]
    assert not blank, f"blank pages: {blank}"


def test_index_names_theorems_and_exercises():
    theorem = re.compile(r"^`{3,}\{prf:(?:theorem|lemma)\} (.+)$", re.M)
    titles = [t for stem in STEMS for t in theorem.findall(source(stem))]
    index = squash("".join(pages()[pages_with(r"^INDEX$")[-1] - 1 :]))
    # a long title wraps within its index column: its first words are on one line
    missing = [
        t for t in titles if squash(" ".join(t.split()[:4])) not in index
    ]
    assert titles and not missing, f"not in the index: {missing}"
    assert "exercises" in index
    # each box title carries the site's number: "Theorem 2.2 (Gibbs' inequality)"
    text = squash(all_text())
    unnumbered = [
        t
        for t in titles
        if not re.search(r"\d\.\d+\(" + re.escape(squash(t)[:12]), text)
    ]
    assert not unnumbered, f"box titles without a number: {unnumbered}"


def test_intro_pages_have_no_contents_running_head():
    intro = pages_with(r"What the book covers")
    assert intro and not any(
        "CONTENTS" in t for t in pages()[intro[0] - 1 : intro[0] + 2]
    )


def test_no_box_title_stranded_at_a_page_foot():
    title = re.compile(
        r"^\s*(Theorem|Lemma|Proposition|Definition|Exercise|Solution to "
        r"Exercise) \d+\.\d+"
    )
    stranded = []
    for number, page in enumerate(pages("-layout"), start=1):
        lines = [ln for ln in page.splitlines() if ln.strip()]
        if len(lines) > 2 and title.match(lines[-2]):  # the last is the footer
            stranded.append((number, lines[-2].strip()))
    assert not stranded, f"box titles at the foot of a page: {stranded}"
