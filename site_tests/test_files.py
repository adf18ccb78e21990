"""Checks of the built site's files (no browser): run after ``jupyter-book build``.

Links and anchors resolve (``klnotes.pdf`` may be absent outside CI), pages weigh under
1.5 MB, figures are opaque, light, 2x and described, chapters offer their notebook and
the PDF, cells tagged ``deeper`` are marked, figure text keeps the style's sizes.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest
from sitepaths import CHAPTERS, IN_CI, PAGES, SITE

MAX_PAGE_BYTES = 1.5 * 2**20
PDF = "klnotes.pdf"
# klnotes.plotting renders figures at 2x (200 dpi for a figure laid out at 100 dpi)
MIN_FIGURE_DPI = 190
MIN_ALT_WORDS = 4  # a caption, not a file name


class Page(HTMLParser):
    """What these checks read of a page: its links, ids, images, and elements tagged
    ``deeper`` without the class. The standard library's parser reads a chapter page
    4x faster than BeautifulSoup builds its tree, and the link check reads them all."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.images: list[str] = []
        self.unmarked = 0
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs) -> None:
        found = dict(attrs)
        if found.get("id") is not None:
            self.ids.add(found["id"])
        if tag == "a" and found.get("href") is not None:
            self.hrefs.append(found["href"])
        if tag == "img" and found.get("src") is not None:
            self.images.append(found["src"])
        classes = (found.get("class") or "").split()
        self.unmarked += "tag_deeper" in classes and "deeper" not in classes


@functools.cache
def read(path: Path) -> Page:
    return Page(path)


def test_every_internal_link_and_anchor_resolves():
    broken = []
    for page in sorted(
        p for p in SITE.rglob("*.html") if "_static" not in p.parts
    ):
        for href in read(page).hrefs:
            parts = urlsplit(href)
            if parts.scheme or href.startswith(("mailto:", "javascript:")):
                continue
            target = (
                (page.parent / unquote(parts.path)).resolve()
                if parts.path
                else page
            )
            target = target / "index.html" if target.is_dir() else target
            if not target.exists():
                if (
                    target.name != PDF or IN_CI
                ):  # the web book may be built alone
                    broken.append(
                        f"{page.relative_to(SITE)}: {href} (no file)"
                    )
            elif parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in read(target).ids:
                    broken.append(
                        f"{page.relative_to(SITE)}: {href} (no anchor)"
                    )
    assert not broken, "\n".join(broken[:30])


def test_page_weight():
    """Each page's HTML (gzip, as served) and images (figures included) under 1.5 MB."""
    sizes = {}
    for rel in PAGES:
        page = SITE / rel
        images = {
            (page.parent / unquote(src)).resolve()
            for src in read(page).images
            if not urlsplit(src).scheme
        }
        sizes[rel] = len(gzip.compress(page.read_bytes())) + sum(
            p.stat().st_size for p in images if p.exists()
        )
    (SITE.parent / "page_weight.json").write_text(json.dumps(sizes, indent=1))
    heavy = {k: v for k, v in sizes.items() if v > MAX_PAGE_BYTES}
    assert not heavy, f"pages over 1.5 MB: {heavy}"


def test_figures_are_opaque_light_sharp_and_described():
    """A light opaque background (dark mode), 2x resolution, the caption as alt text."""
    from PIL import Image

    bad, seen = [], 0
    for rel in PAGES:
        html = (SITE / rel).read_text(encoding="utf-8")
        for alt, src in re.findall(
            r'<img alt="([^"]*)"[^>]*src="([^"]*_images/[^"]*)"', html
        ):
            name, seen = f"{rel}: {Path(src).name[:12]}…", seen + 1
            with Image.open((SITE / rel).parent / unquote(src)) as img:
                dpi = img.info.get("dpi", (0, 0))[0]
                corners = np.asarray(img.convert("RGBA"), dtype=float)[
                    [0, 0, -1, -1], [0, -1, 0, -1]
                ]
            if not (
                np.all(corners[:, 3] == 255) and np.all(corners[:, :3] > 240)
            ):
                bad.append(
                    f"{name} background not opaque and light: {corners.tolist()}"
                )
            if rel in CHAPTERS and dpi < MIN_FIGURE_DPI:
                bad.append(
                    f"{name} at {dpi:.0f} dpi (re-execute with klnotes.plotting)"
                )
            words = len(alt.split()) if "_images/" not in alt else 0
            if rel in CHAPTERS and words < MIN_ALT_WORDS:
                bad.append(f"{name} has alt text {alt!r}")
    assert seen and bad == [], "\n".join(bad)


@pytest.mark.parametrize("rel", CHAPTERS)
def test_chapter_offers_its_notebook_for_download_and_links_the_pdf(rel):
    hrefs = read(SITE / rel).hrefs
    name = Path(rel).stem + ".ipynb"
    assert any(h.endswith(name) and "_sources" in h for h in hrefs), (
        f"{rel}: no .ipynb download"
    )
    assert (SITE / "_sources" / "book" / name).is_file()
    assert f"../{PDF}" in hrefs, f"{rel}: no link to the typeset book {PDF}"


def test_optional_material_is_marked_deeper():
    unmarked = [rel for rel in PAGES if read(SITE / rel).unmarked]
    assert not unmarked, (
        f"cells tagged deeper without the class deeper: {unmarked}"
    )


def test_chapters_keep_the_figure_style_font_sizes():
    """No figure text set below klnotes.plotting's smallest size (legible on a phone)."""
    from klnotes.plotting import SMALL_FONT_SIZE

    pattern = re.compile(r"fontsize[\"']?\s*[=:]\s*(\d+(?:\.\d+)?)")
    small = [
        f"{nb.name}: fontsize {size}"
        for nb in sorted((SITE / "_sources" / "book").glob("*.ipynb"))
        for size in pattern.findall(nb.read_text(encoding="utf-8"))
        if float(size) < SMALL_FONT_SIZE
    ]
    assert not small, f"figure text below {SMALL_FONT_SIZE} pt: {small}"
