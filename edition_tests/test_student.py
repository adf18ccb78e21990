"""The student edition (_build/student/html, from scripts/build_student.py).

Each solution of the full edition's doctrees (gated ones merged) gives distinctive
pieces (its longest run of text, of five words or more, and its longest code line
found nowhere else), each on the full site's page and nowhere in the student
edition, which keeps every exercise.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from docutils import nodes
from sphinx_exercise.nodes import solution_node

from edition_tests import (
    SITE,
    STEMS,
    STUDENT,
    doctree,
    exercise_labels,
    soup,
    squash,
)

NOT_PROSE = (nodes.math, nodes.math_block, nodes.literal_block, nodes.literal)


def _code_lines(node: nodes.Node) -> list[str]:
    """The code lines (no comments, 25 characters or more) of the cells under ``node``."""
    return [
        line.strip()
        for cell in node.findall(nodes.container)
        if cell.get("nb_element") == "cell_code_source"
        for line in cell.astext().splitlines()
        if len(line.strip()) >= 25 and not line.strip().startswith("#")
    ]


def _is_prose(text: nodes.Text) -> bool:
    node = text.parent
    if isinstance(node, nodes.title):
        return False
    while node is not None and not isinstance(node, NOT_PROSE):
        node = node.parent
    return node is None


def _pieces(solution: solution_node, everywhere: list[str]) -> list[str]:
    """Distinctive text of one solution: see the module's docstring."""
    prose = [
        " ".join(t.astext().split())
        for t in solution.findall(nodes.Text)
        if _is_prose(t)
    ]
    longest = max(prose, key=len, default="")
    pieces = [longest] if len(longest.split()) >= 5 else []
    # a code line that also stands outside this solution (the chapter body runs
    # the same call) proves nothing about the solution being removed
    code = _code_lines(solution)
    unique = [c for c in code if everywhere.count(c) == code.count(c)]
    return pieces + ([max(unique, key=len)] if unique else [])


def solutions(stem: str) -> list[tuple[str, list[str]]]:
    """``(exercise label, [distinctive pieces])`` for each solution of a chapter."""
    tree = doctree(stem)
    everywhere = _code_lines(tree)
    return [
        (s["target_label"], _pieces(s, everywhere))
        for s in tree.findall(solution_node)
    ]


@cache
def page_text(site: Path, stem: str) -> str:
    page = soup(site, f"book/{stem}.html")
    return squash((page.find("main") or page).get_text(""))


@pytest.mark.parametrize("stem", STEMS)
def test_every_exercise_has_a_solution_in_the_sources(stem):
    labels = exercise_labels(stem)
    solved = {label for label, _ in solutions(stem)}
    assert labels and labels == solved, (
        f"{stem}: no solution to {labels - solved}"
    )


@pytest.mark.parametrize("stem", STEMS)
def test_solution_absent_from_student_edition(stem):
    for label, pieces in solutions(stem):
        assert pieces, f"solution to {label}: no distinctive text to check"
        for piece in map(squash, pieces):
            assert piece in page_text(SITE, stem), (
                f"{label}: {piece!r} not on the full site's page"
            )
            assert piece not in page_text(STUDENT, stem), (
                f"{label}: solution text in the student edition: {piece!r}"
            )


@pytest.mark.parametrize("stem", STEMS)
def test_exercises_present_and_no_solution_markup(stem):
    page = soup(STUDENT, f"book/{stem}.html")
    assert not page.select(".solution"), "a solution in the student edition"
    assert "Solutionto" not in page_text(STUDENT, stem)
    for label in exercise_labels(stem):
        assert page.find(id=label) is not None, f"exercise {label} missing"


def test_no_solution_anywhere_in_the_student_site():
    for page in STUDENT.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert 'class="solution' not in text, page
        assert "solution-content" not in text, page


def test_no_notebook_or_source_to_download():
    """The notebooks hold the solutions: the student edition ships none of them."""
    assert not list(STUDENT.rglob("*.ipynb")), "a notebook in the edition"
    assert not (STUDENT / "_sources").exists(), "page sources in the edition"
    # launch links only to the lab sheets (no solutions), not to the chapters
    launch = re.findall(
        r'href="(https://(?:colab\.research\.google\.com|mybinder\.org)[^"]*)"',
        (STUDENT / "book" / "02_gibbs.html").read_text(encoding="utf-8"),
    )
    assert all("labs/student/" in url for url in launch), launch


def test_text_describes_the_student_edition():
    """No page promises what this edition leaves out; no button leads to solutions."""
    promises = re.compile(r"drop-down|rocket|worked solution", re.IGNORECASE)
    for path in STUDENT.rglob("*.html"):
        page = soup(STUDENT, path.relative_to(STUDENT).as_posix())
        text = (page.find("main") or page).get_text(" ")
        assert not promises.search(text), (path.name, promises.search(text))
        assert not page.select(".btn-source-repository-button"), path.name
    assert "thisisthestudentedition" in page_text(STUDENT, "intro").lower()
