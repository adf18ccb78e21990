"""Interactive figures in the editions without a browser script: the PDF and the
student site show each one as its static image, under the same caption as the site."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, NavigableString

from edition_tests.test_pdf import all_text, squash

ROOT = Path(__file__).resolve().parent.parent
SITE, STUDENT = ROOT / "_build" / "html", ROOT / "_build" / "student" / "html"


@cache
def _figures(site: Path) -> dict[str, tuple[str, BeautifulSoup]]:
    """{caption text: (page, figure element)} of the chapters' numbered figures."""
    found = {}
    for page in sorted((site / "book").glob("[0-9][0-9]_*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for fig in soup.select("figure, div.figure"):
            cap = fig.select_one("figcaption, .caption")
            if cap is not None:
                text = " ".join(cap.get_text(" ").split())
                found[text] = (page.name, fig)
    return found


INTERACTIVE = {
    cap: page
    for cap, (page, fig) in _figures(SITE).items()
    if fig.select_one(".klnotes-interactive")
}


def test_every_chapter_has_an_interactive_figure():
    pages = {p.name for p in (SITE / "book").glob("[0-9][0-9]_*.html")}
    assert len(pages) >= 7 and set(INTERACTIVE.values()) == pages


@pytest.mark.parametrize("caption", sorted(INTERACTIVE))
def test_student_site_and_pdf_show_the_static_image(caption):
    page, fig = _figures(STUDENT)[caption]
    assert fig.select_one(".klnotes-interactive") is None, (
        f"{page}: still live"
    )
    img = fig.select_one("img")
    assert img is not None and (STUDENT / "book" / img["src"]).is_file()
    assert "vega-bundle" not in (STUDENT / "book" / page).read_text("utf-8")
    lead = _lead(fig.select_one("figcaption, .caption"))
    assert len(lead) >= 12 and lead in squash(all_text()), (
        f"caption not in the PDF: {caption}"
    )


def _lead(caption) -> str:
    """The caption's words before its first formula, without the number (the
    PDF sets the formulas differently), whitespace removed, at most 40 letters."""
    for number in caption.select(".caption-number"):
        number.decompose()
    text = []
    for node in caption.descendants:
        if getattr(node, "name", None) in ("mjx-container", "math"):
            break
        if getattr(node, "get", None) and "math" in node.get("class", []):
            break
        if isinstance(node, NavigableString):
            text.append(str(node))
    return squash("".join(text))[:40]
