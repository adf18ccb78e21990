"""Tests of the built editions (PDF, student site): ``nox -s pdf student`` (after
``nox -s book``) builds them, ``nox -s editions`` runs these; a missing build fails.
Shared: the built sites' pages and the full edition's doctrees, each read once.
"""

from __future__ import annotations

import pickle
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

from bs4 import BeautifulSoup
from docutils import nodes
from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
STUDENT = ROOT / "_build" / "student" / "html"
PDF = ROOT / "_build" / "pdf" / "klnotes.pdf"
sys.path.insert(0, str(ROOT / "scripts"))
import clean_notebooks  # noqa: E402
from fresh_env import text_outputs  # noqa: E402, F401 (for test_pdf)

STEMS = clean_notebooks.chapters()  # the numbered chapters, in the toc's order


def squash(text: str) -> str:
    """Whitespace-free text, to compare across line breaks, code wrapping (the PDF
    marks wrapped code lines with ↪ and ␣) and highlighted spans."""
    return re.sub(r"[\s↪␣]+", "", text.replace("’", "'"))


@cache
def soup(site: Path, page: str) -> BeautifulSoup:
    """A page of a built site, parsed once (callers must not change it). The
    typeset formulas are emptied first: the tests read text, and the formulas'
    markup is most of a page (parsing it took half the tests' time)."""
    path = site / page
    assert path.exists(), f"{path} is missing: build the site(s) first"
    html = re.sub(
        r"(<mjx-container\b[^>]*>).*?</mjx-container>",
        r"\1</mjx-container>",
        path.read_text(encoding="utf-8"),
        flags=re.S,
    )
    return BeautifulSoup(html, "html.parser")


@cache
def doctree(stem: str) -> nodes.document:
    """A chapter as the full edition's build resolved it (_build/.doctrees)."""
    path = ROOT / "_build" / ".doctrees" / "book" / f"{stem}.doctree"
    assert path.exists(), f"{path} is missing: build the site first"
    return pickle.loads(path.read_bytes())


def exercise_labels(stem: str) -> set[str]:
    kinds = (exercise_node, exercise_enumerable_node)
    tree = doctree(stem)
    return {n["label"] for n in tree.findall(lambda n: isinstance(n, kinds))}


def poppler(tool: str, *args: object) -> str:
    """Run a poppler tool on the PDF; its standard output."""
    path = shutil.which(tool)
    assert path, f"{tool} is missing (Debian: apt-get install poppler-utils)"
    assert PDF.exists(), f"{PDF} is missing: run scripts/build_pdf.sh first"
    cmd = [path, *map(str, args)]
    return subprocess.run(
        cmd, capture_output=True, text=True, check=True
    ).stdout


@cache
def pages(*flags: str) -> tuple[str, ...]:
    """The text of every PDF page (pdftotext ends each page with a form feed)."""
    return tuple(poppler("pdftotext", *flags, PDF, "-").split("\f")[:-1])


def all_text() -> str:
    return "\n".join(pages())
