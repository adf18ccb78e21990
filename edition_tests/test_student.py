"""The student edition (_build/student/html, from scripts/build_student.py).

For every solution in ``chapters/*.md`` the test takes distinctive pieces of it (the
longest run of plain words in its prose, and its longest code line) and checks that
each piece appears on the chapter's page of the full edition (``_build/html``, so the
pieces are real page text) and appears nowhere in the student edition. Every exercise
must still be in the student edition.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
FULL = ROOT / "_build" / "html"
STUDENT = ROOT / "_build" / "student" / "html"
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
PLAIN_WORD = re.compile(r"^[A-Za-z][A-Za-z'’,;.-]*$")
FENCE = re.compile(r"^(`{3,}|:{3,})\{([a-z-]+(?::[a-z-]+)?)\}\s*(.*)$")


def _blocks(lines: list[str]):
    """``(name, argument, first line, last line)`` of each fenced MyST directive."""
    stack: list[tuple[str, str, str, int]] = []
    for i, line in enumerate(lines):
        if m := FENCE.match(line.strip()):
            stack.append((m[1], m[2], m[3].strip(), i))
        elif stack and set(line.strip()) == {stack[-1][0][0]}:
            if len(line.strip()) >= len(stack[-1][0]):
                _, name, arg, start = stack.pop()
                yield name, arg, start, i


def _source(path: Path) -> list[str]:
    """A chapter source's lines, its front matter blanked (line numbers kept)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    end = lines.index("---", 1) if lines and lines[0] == "---" else -1
    return [""] * (end + 1) + lines[end + 1 :]


def exercise_labels(path: Path) -> set[str]:
    lines = _source(path)
    found = set()
    for name, _arg, start, end in _blocks(lines):
        if name in ("exercise", "exercise-start"):
            for line in lines[start + 1 : end]:
                if m := re.match(r"^:label:\s*(\S+)", line.strip()):
                    found.add(m[1])
    return found


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip()


def _squash(text: str) -> str:
    """No whitespace: code is split into highlighted spans, prose into lines."""
    return re.sub(r"\s+", "", text.replace("’", "'"))


@cache
def page_text(site: Path, stem: str) -> str:
    path = site / "book" / f"{stem}.html"
    assert path.exists(), (
        f"{path} is missing: build the site and the student edition first"
    )
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main") or soup
    return _squash(main.get_text(""))


@cache
def student_html(stem: str) -> str:
    return (STUDENT / "book" / f"{stem}.html").read_text(encoding="utf-8")


def _longest_plain_run(text: str) -> str:
    """The longest run of ordinary words (no math, code, markup) in a piece of MyST."""
    best: list[str] = []
    run: list[str] = []
    for word in _norm(
        re.sub(
            r"\$[^$]*\$|`[^`]*`|\{[^}]*\}|\*\*?|\[[^\]]*\]\([^)]*\)",
            " | ",
            text,
        )
    ).split(" "):
        if PLAIN_WORD.match(word):
            run.append(word)
            if len(run) > len(best):
                best = list(run)
        else:
            run = []
    return " ".join(best).rstrip(",;.")


def solutions(path: Path) -> list[tuple[str, list[str]]]:
    """``(exercise label, [distinctive pieces])`` for each solution in a chapter source."""
    lines = _source(path)
    found = []
    start: tuple[str, int] | None = None
    for name, arg, a, b in sorted(_blocks(lines), key=lambda t: t[2]):
        if name == "solution":
            found.append((arg, lines[a + 1 : b]))
        elif name == "solution-start":
            start = (arg, b)
        elif name == "solution-end" and start is not None:
            found.append((start[0], lines[start[1] + 1 : a]))
            start = None
    out = []
    for label, body in found:
        prose, code, in_code = [], [], False
        for line in body:
            if re.match(r"^(`{3,}|:{3,})\{code-cell\}", line.strip()):
                in_code = True
                # the page shows the cell between the prose before and
                # after it: a run of plain words must not span the cell
                prose.append("|")
                continue
            if in_code and re.match(r"^`{3,}\s*$", line.strip()):
                in_code = False
                continue
            if re.match(r"^\s*:[a-z-]+:", line):
                continue
            (code if in_code else prose).append(line)
        pieces = []
        run = _longest_plain_run("\n".join(prose))
        if len(run.split()) >= 5:
            pieces.append(run)
        else:  # a solution that is all formulas: its longest inline formula (the site
            # keeps the TeX source in the page for MathJax)
            formulas = re.findall(
                r"(?<!\$)\$([^$]{20,})\$(?!\$)", "\n".join(prose)
            )
            if formulas:
                pieces.append(max(formulas, key=len))
        # a code line that also stands outside this solution (the chapter body
        # runs the same call) proves nothing about the solution being removed
        everywhere = [line.strip() for line in lines]
        code_lines = [
            c.strip()
            for c in code
            if len(c.strip()) >= 25
            and not c.strip().startswith("#")
            and everywhere.count(c.strip())
            == [b.strip() for b in body].count(c.strip())
        ]
        if code_lines:
            pieces.append(max(code_lines, key=len))
        out.append((label, pieces))
    return out


CASES = [
    (p.stem, label, pieces) for p in CHAPTERS for label, pieces in solutions(p)
]


def test_every_exercise_has_a_solution_in_the_sources():
    for path in CHAPTERS:
        labels = exercise_labels(path)
        solved = {label for label, _ in solutions(path)}
        assert labels == solved, (
            f"{path.name}: exercises {labels - solved} have no solution"
        )


@pytest.mark.parametrize(
    "stem, label, pieces", CASES, ids=[c[1] for c in CASES]
)
def test_solution_absent_from_student_edition(stem, label, pieces):
    assert pieces, f"solution to {label}: no distinctive text found to check"
    for piece in pieces:
        norm = _squash(piece)
        assert norm in page_text(FULL, stem), (
            f"{label}: {piece!r} not on the full site's page"
        )
        assert norm not in page_text(STUDENT, stem), (
            f"{label}: solution text in the student edition: {piece!r}"
        )
    assert f'id="{label}"' in student_html(stem) or label in student_html(stem)


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_exercises_present_and_no_solution_markup(path):
    html = student_html(path.stem)
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.select(".solution"), (
        "a solution element in the student edition"
    )
    assert "Solutionto" not in page_text(STUDENT, path.stem)
    for label in exercise_labels(path):
        assert soup.find(id=label) is not None, f"exercise {label} missing"


def test_no_solution_anywhere_in_the_student_site():
    for page in STUDENT.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert (
            'class="solution' not in text and "solution-content" not in text
        ), page


def test_no_notebook_or_source_to_download():
    """The notebooks hold the solutions: the student edition ships none of them."""
    assert not list(STUDENT.rglob("*.ipynb")), (
        "a notebook in the student edition"
    )
    assert not (STUDENT / "_sources").exists(), (
        "page sources in the student edition"
    )
    # launch links only to the lab sheets (no solutions), not to the chapters
    launch = re.findall(
        r'href="(https://(?:colab\.research\.google\.com|mybinder\.org)[^"]*)"',
        student_html("02_gibbs"),
    )
    assert all("labs/student/" in url for url in launch), launch


def test_text_describes_the_student_edition():
    """No page promises what this edition leaves out; no button leads to solutions."""
    promises = re.compile(r"drop-down|rocket|worked solution", re.IGNORECASE)
    for page in STUDENT.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        text = (soup.find("main") or soup).get_text(" ")
        assert not promises.search(text), (page.name, promises.search(text))
        assert not soup.select(".btn-source-repository-button"), page.name
    assert "thisisthestudentedition" in page_text(STUDENT, "intro").lower()
