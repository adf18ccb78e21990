"""The whole-book PDF (_build/pdf/klnotes.pdf, from scripts/build_pdf.sh).

Reads the text with ``pdftotext`` and renders pages with ``pdftoppm`` (poppler-utils).
Rendered pages (a proof, a figure, exercises, the tables, the index) are kept in
``_build/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from PIL import Image, ImageStat

ROOT = Path(__file__).resolve().parent.parent
PDF = ROOT / "_build" / "pdf" / "klnotes.pdf"
SHOTS = ROOT / "_build" / "screenshots"


def _need(tool: str) -> str:
    path = shutil.which(tool)
    assert path, (
        f"{tool} is not installed (Debian: apt-get install poppler-utils)"
    )
    return path


@cache
def pages() -> tuple[str, ...]:
    """The text of every page (pdftotext ends each page with a form feed)."""
    assert PDF.exists(), f"{PDF} is missing: run scripts/build_pdf.sh first"
    out = subprocess.run(
        [_need("pdftotext"), str(PDF), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return tuple(out.stdout.split("\f")[:-1])


def page_count() -> int:
    return len(pages())


def page_text(page: int) -> str:
    return pages()[page - 1]


def all_text() -> str:
    return "\n".join(pages())


def squash(text: str) -> str:
    """Whitespace-free text, for comparing across line breaks and code wrapping."""
    text = text.replace("’", "'")
    return re.sub(r"[\s↪␣]+", "", text)  # ↪ and ␣ mark wrapped code lines


def chapter_titles() -> list[str]:
    titles = []
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md")):
        title = next(
            ln[2:].strip()
            for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.startswith("# ")
        )
        titles.append(title)
    return titles


def code_corpus() -> str:
    """Every code cell's source and printed output, as the PDF shows them (squashed)."""
    parts = []
    for path in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            parts.append("".join(cell["source"]))
            for out in cell.get("outputs", []):
                parts.append("".join(out.get("text", "")))
                parts.append(
                    "".join(out.get("data", {}).get("text/plain", ""))
                )
    return squash("\n".join(parts))


def test_page_count_is_sane():
    n = page_count()
    # 7 chapters of 2,000-4,000 words with figures, code and solutions, plus front and
    # back matter: ~150 pages today. Far fewer means chapters went missing; far more
    # means something (an output, a table) exploded.
    assert 80 <= n <= 400, f"{n} pages"


def test_title_page_and_contents():
    assert "Kullback" in page_text(1), "page 1 is not the title page"
    front = "\n".join(page_text(i) for i in range(2, min(8, page_count()) + 1))
    assert "contents" in front.lower(), (
        "no table of contents in the first pages"
    )


def test_every_chapter_title_is_there():
    text = squash(all_text())
    missing = [t for t in chapter_titles() if squash(t) not in text]
    assert not missing, f"chapter titles missing from the PDF: {missing}"


def test_no_unresolved_reference():
    bad = [
        (i, line)
        for i in range(1, page_count() + 1)
        for line in page_text(i).splitlines()
        if "??" in line
    ]
    assert not bad, f"unresolved references (??): {bad[:10]}"


def test_no_raw_tex_in_prose():
    """A ``$`` or ``\\(`` in the text is leaked TeX, unless it is code or its output."""
    code = code_corpus()
    leaks = []
    for i in range(1, page_count() + 1):
        for line in page_text(i).splitlines():
            if ("$" in line or "\\(" in line) and squash(line) not in code:
                leaks.append((i, line.strip()))
    assert not leaks, f"raw TeX in the PDF text (page, line): {leaks[:10]}"


def test_hidden_install_cell_is_absent():
    text = all_text()
    assert "klnotes[testing] @ git+" not in text
    assert "install klnotes (the book's helper package)" not in text


def test_exercises_solutions_bibliography():
    text = all_text()
    n_ex = len(re.findall(r"^Exercise \d+\.\d+", text, re.MULTILINE))
    n_sol = len(
        re.findall(r"^Solution to Exercise \d+\.\d+", text, re.MULTILINE)
    )
    n_src = sum(
        len(
            re.findall(
                r"^(`{3,}|:{3,})\{exercise(-start)?\}",
                p.read_text(encoding="utf-8"),
                re.MULTILINE,
            )
        )
        for p in (ROOT / "chapters").glob("[0-9][0-9]_*.md")
    )
    assert n_ex >= n_src, (
        f"{n_ex} exercises in the PDF, {n_src} in the sources"
    )
    assert n_sol >= n_src, (
        f"{n_sol} solutions in the PDF, {n_src} exercises in the sources"
    )
    assert (
        re.search(r"Kullback.{0,40}Leibler", text, re.DOTALL)
        and "Bibliography" in text
    )


def _render(page: int, out: Path, dpi: int = 100) -> Path:
    stem = out.with_suffix("")
    subprocess.run(
        [
            _need("pdftoppm"),
            "-r",
            str(dpi),
            "-png",
            "-singlefile",
            "-f",
            str(page),
            "-l",
            str(page),
            str(PDF),
            str(stem),
        ],
        check=True,
    )
    return stem.with_suffix(".png")


def _pages_with(*patterns: str) -> list[int]:
    """The pages (numbered from 1) on which every pattern matches."""
    return [
        i
        for i, text in enumerate(pages(), start=1)
        if all(re.search(p, text, re.M) for p in patterns)
    ]


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
    found = _pages_with(*patterns)
    assert found, f"no page matches {patterns}"
    page = found[0]
    SHOTS.mkdir(parents=True, exist_ok=True)
    png = _render(page, SHOTS / f"{name}_p{page}.png")
    with Image.open(png) as im:
        gray = im.convert("L")
        w, h = gray.size
        assert 0.6 < w / h < 0.8, (
            f"page {page} is not portrait A4-like: {w}x{h}"
        )
        stat = ImageStat.Stat(gray)
        # printed page: mostly white, but with real ink on it
        assert 180 < stat.mean[0] < 254, (
            f"page {page} looks blank or black: {stat.mean[0]:.0f}"
        )
        # the text block stays inside the margins: the outer 3% strips are blank
        strip = int(0.03 * w)
        for box in ((0, 0, strip, h), (w - strip, 0, w, h)):
            assert ImageStat.Stat(gray.crop(box)).extrema[0][0] > 200, (
                f"ink in the margin of page {page}"
            )


# ------------------------------------------------------------- the LaTeX log
LATEX = ROOT / "_build" / "latex"


@cache
def latex_log() -> str:
    return (LATEX / "klnotes.log").read_text(
        encoding="utf-8", errors="replace"
    )


def table_lines() -> list[tuple[int, int]]:
    """Line ranges of the tables in klnotes.tex."""
    lines = (LATEX / "klnotes.tex").read_text(encoding="utf-8").splitlines()
    starts = [
        i for i, ln in enumerate(lines, 1) if "\\sphinxattablestart" in ln
    ]
    ends = [i for i, ln in enumerate(lines, 1) if "\\sphinxattableend" in ln]
    return list(zip(starts, ends, strict=True))


def test_log_counts_are_recorded_and_glyphs_and_tables_fit():
    """Every character has a glyph; no table cell sticks out more than 5 pt."""
    log = latex_log()
    missing = re.findall(r"^Missing character: There is no (.)", log, re.M)
    boxes = re.findall(
        r"^Overfull \\([hv])box \(([\d.]+)pt too \w+\)(?:.*?lines? (\d+))?",
        log,
        re.M,
    )
    tables = table_lines()
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
    }
    (ROOT / "_build" / "pdf" / "latex_log.json").write_text(json.dumps(counts))
    assert counts["tables"] >= 5, counts  # the measure sees the tables
    assert not missing, (
        f"glyphs missing from the fonts: {sorted(set(missing))}"
    )
    assert counts["overfull_hbox_in_tables_over_5pt"] == 0, (counts, in_tables)


def test_one_bibliography_without_blank_pages():
    tex = (LATEX / "klnotes.tex").read_text(encoding="utf-8")
    labels = re.findall(r"\\bibitem\[([^\]]+)\]", tex)
    assert labels and len(labels) == len(set(labels)), "duplicate labels"
    assert tex.count("\\begin{sphinxthebibliography}") == 1
    assert not re.search(r"\\chapter\{Bibliography\}", tex), "an empty chapter"
    # the docstrings' references stay readable where the API page lists them
    api = [i for i in _pages_with(r"^klnotes\.\w+\(") if i < page_count() - 5]
    assert any("[1] T. M. Cover" in page_text(i) for i in api)
    bare = [  # a line of bare reference numbers, numpydoc's list for LaTeX
        (i, ln)
        for i in api
        for ln in page_text(i).splitlines()
        if re.fullmatch(r"(\[\d+\],?\s*)+", ln.strip())
    ]
    assert not bare, bare
    blank = [i for i in range(2, page_count()) if not page_text(i).strip()]
    assert not blank, f"blank pages: {blank}"


def test_index_names_theorems_and_exercises():
    titles = []
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md")):
        text = path.read_text(encoding="utf-8")
        titles += re.findall(
            r"^`{3,}\{prf:(?:theorem|lemma)\} (.+)$", text, re.M
        )
    start = _pages_with(r"^INDEX$")[-1]
    index = squash(
        "".join(page_text(i) for i in range(start, page_count() + 1))
    )
    # a long title wraps within its index column: its first words are on one line
    missing = [
        t for t in titles if squash(" ".join(t.split()[:4])) not in index
    ]
    assert titles and not missing, f"not in the index: {missing}"
    assert "exercises" in index


def test_intro_pages_have_no_contents_running_head():
    intro = _pages_with(r"What the book covers")
    assert intro and not any(
        "CONTENTS" in page_text(i) for i in range(intro[0], intro[0] + 3)
    )


def test_no_box_title_stranded_at_a_page_foot():
    out = subprocess.run(
        [_need("pdftotext"), "-layout", str(PDF), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    title = re.compile(
        r"^\s*(Theorem|Lemma|Proposition|Definition|Exercise|Solution to "
        r"Exercise) \d+\.\d+"
    )
    stranded = []
    for number, page in enumerate(out.split("\f"), start=1):
        lines = [ln for ln in page.splitlines() if ln.strip()]
        if len(lines) > 2 and title.match(lines[-2]):  # the last is the footer
            stranded.append((number, lines[-2].strip()))
    assert not stranded, f"box titles at the foot of a page: {stranded}"
