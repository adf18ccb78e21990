"""The plain notebooks (notebooks/) number things as the built site does.

``scripts/clean_notebooks.py`` numbers equations, theorems, exercises and figures
itself; here each number is compared with the one the site prints next to the labelled
element in ``_build/html``. The site's buttons must lead to those notebooks.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "scripts"))
import clean_notebooks  # noqa: E402


def test_every_number_is_the_sites():
    pages = [
        BeautifulSoup(
            (SITE / "book" / f"{stem}.html").read_text(encoding="utf-8"),
            "html.parser",
        )
        for stem in clean_notebooks.chapters()
    ]
    numbers = clean_notebooks.Numbers().labels
    wrong = []
    for label, number in numbers.items():
        if label.startswith("ch-"):  # chapter titles, not numbers
            continue
        found = [
            el
            for page in pages
            for el in page.find_all(id=[label, f"equation-{label}"])
        ]
        shown = found[0].get_text(" ", strip=True) if found else None
        if not shown or not shown.startswith(number):
            wrong.append((label, number, shown and shown[:40]))
    assert len(numbers) > 100 and not wrong, wrong


def test_buttons_open_the_plain_notebooks():
    page = (SITE / "book" / "05_vae.html").read_text(encoding="utf-8")
    assert "blob/main/notebooks/05_vae.ipynb" in page  # Colab
    assert "urlpath=tree/notebooks/05_vae.ipynb" in page  # Binder
    assert "blob/main/book/05_vae.ipynb" not in page
    served = SITE / "_sources" / "book" / "05_vae.ipynb"
    assert (
        served.read_bytes()
        == (ROOT / "notebooks" / "05_vae.ipynb").read_bytes()
    )
