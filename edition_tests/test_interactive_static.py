"""Interactive figures in the editions without a browser script: the PDF and the
student site show each one as its static image, under the same caption as the site."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import NavigableString, Tag

from edition_tests import SITE, STEMS, STUDENT, all_text, soup, squash


def figures(site: Path) -> dict[str, tuple[str, Tag]]:
    """{caption text: (page, figure element)} of the chapters' numbered figures."""
    found = {}
    for stem in STEMS:
        for fig in soup(site, f"book/{stem}.html").select(
            "figure, div.figure"
        ):
            if cap := fig.select_one("figcaption, .caption"):
                found[" ".join(cap.get_text(" ").split())] = (stem, fig)
    return found


INTERACTIVE = {
    cap: stem
    for cap, (stem, fig) in figures(SITE).items()
    if fig.select_one(".klnotes-interactive")
}


def test_every_chapter_has_an_interactive_figure():
    assert len(STEMS) >= 7 and set(INTERACTIVE.values()) == set(STEMS)


@pytest.mark.parametrize("caption", sorted(INTERACTIVE))
def test_student_site_and_pdf_show_the_static_image(caption):
    stem, fig = figures(STUDENT)[caption]
    assert fig.select_one(".klnotes-interactive") is None, f"{stem}: live"
    img = fig.select_one("img")
    assert img is not None and (STUDENT / "book" / img["src"]).is_file()
    page = (STUDENT / "book" / f"{stem}.html").read_text(encoding="utf-8")
    assert "vega-bundle" not in page
    lead = _lead(fig.select_one("figcaption, .caption"))
    assert len(lead) >= 12 and lead in squash(all_text()), (
        f"caption not in the PDF: {caption}"
    )


def _lead(caption: Tag) -> str:
    """The caption's words before its first formula, without the number (the
    PDF sets the formulas differently), whitespace removed, at most 40 letters."""
    text = []
    for node in caption.descendants:
        if isinstance(node, Tag) and (
            node.name in ("mjx-container", "math")
            or "math" in node.get("class", [])
        ):
            break
        if isinstance(node, NavigableString) and not node.find_parent(
            class_="caption-number"
        ):
            text.append(str(node))
    return squash("".join(text))[:40]
