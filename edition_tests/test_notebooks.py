"""The plain notebooks (notebooks/, numbered by ``scripts/clean_notebooks.py``)
number equations, theorems, exercises and figures as the built site does, and the
site's buttons lead to them."""

from __future__ import annotations

from edition_tests import ROOT, SITE, STEMS, clean_notebooks, soup


def test_every_number_is_the_sites():
    shown = {}  # the text of every element with an id, on the chapter pages
    for stem in STEMS:
        for el in soup(SITE, f"book/{stem}.html").find_all(id=True):
            # a figure's number is in its caption (an interactive one has text
            # of its own before it)
            number = el.select_one(".caption-number") or el
            label = el["id"].removeprefix("equation-")
            shown[label] = number.get_text(" ", strip=True)
    numbers = clean_notebooks.Numbers().labels
    wrong = [
        (label, number, shown.get(label, "")[:40])
        for label, number in numbers.items()
        if not label.startswith("ch-")  # chapter titles, not numbers
        and not shown.get(label, "").startswith(number)
    ]
    assert len(numbers) > 100 and not wrong, wrong


def test_buttons_open_the_plain_notebooks():
    page = (SITE / "book" / "05_vae.html").read_text(encoding="utf-8")
    assert "blob/main/notebooks/05_vae.ipynb" in page  # Colab
    assert "urlpath=tree/notebooks/05_vae.ipynb" in page  # Binder
    assert "blob/main/book/05_vae.ipynb" not in page
    served = (SITE / "_sources" / "book" / "05_vae.ipynb").read_bytes()
    assert served == (ROOT / "notebooks" / "05_vae.ipynb").read_bytes()
