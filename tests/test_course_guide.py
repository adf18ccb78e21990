"""The course guide (book/_ext/course_guide.py) on a small made-up book, built by Sphinx
with the extensions the real book uses for its chapters."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.application import Sphinx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import course_guide as cg  # noqa: E402

FRONT = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
  language: python
---
"""
CHAPTER_1 = """
(ch-one)=
# One

$$
a = b
$$ (eq-one)

```{exercise} Two coins
:label: ex-1-coins

*Computation · difficulty 1 of 3*

Compute it.
```

```{exercise} No header
:label: ex-1-bare

Do it.
```
"""
CHAPTER_2 = """
(ch-two)=
# Two

One two three four five. See {eq}`eq-one` and {ref}`ch-two`.

```{code-cell} ipython3
:tags: [remove-cell]
import hidden
```

```{code-cell} ipython3
x = 1

y = 2
```

```{admonition} Going deeper: six more words here
:class: deeper

Seven eight nine ten.

$$
c = d
$$
```

```{code-cell} ipython3
:tags: [deeper]
z = 3
```

```{exercise} Chain rule
:label: ex-2-chain

*Proof · difficulty 2 of 3*

Show it.
```

```{solution} ex-2-chain
:class: dropdown

Many words in the solution that must not count towards reading time.

$$
e = f
$$
```

```{solution-start} ex-1-coins
:class: dropdown
```

Gated words that do not count either.

```{code-cell} ipython3
w = 4
```

```{solution-end}
```
"""
GUIDE = """# Guide

Assign {klnotes-ex}`ex-2-chain, ex-1-coins`.

```{klnotes-chapter-times}
```

```{klnotes-chapter-dependencies}
```

```{klnotes-exercise-table}
```
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    src = tmp_path_factory.mktemp("book")
    (src / "book").mkdir()
    (src / "book" / "01_one.md").write_text(FRONT + CHAPTER_1)
    (src / "book" / "02_two.md").write_text(FRONT + CHAPTER_2)
    (src / "book" / "execution_times.json").write_text(
        '{"02_two": {"seconds": 4.0, "date": "d", "python": "p", "numpy": "n"}}'
    )
    (src / "a_guide.md").write_text(GUIDE)
    (src / "index.md").write_text(
        "# Demo\n\n```{toctree}\na_guide\nbook/01_one\nbook/02_two\n```\n"
    )
    (src / "conf.py").write_text(
        f"import sys; sys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['myst_nb', 'sphinx_exercise', 'course_guide']\n"
        "nb_execution_mode = 'off'\nmyst_enable_extensions = ['dollarmath', "
        "'amsmath']\nmyst_dmath_double_inline = True\n"
    )
    warnings = io.StringIO()
    out = src / "_build"
    app = Sphinx(src, src, out, out / ".doctrees", "html", warning=warnings)
    app.build()
    page = (out / "a_guide.html").read_text(encoding="utf-8")
    return app.env, BeautifulSoup(page, "html.parser"), warnings.getvalue()


def rows(soup, i):
    table = soup.select("table")[i]
    return [
        [c.get_text(" ", strip=True) for c in r.select("th, td")]
        for r in table.select("tr")
    ]


def test_counts_core_and_optional_without_solutions_or_hidden_cells(built):
    env, _, _ = built
    two = env.klnotes_guide["book/02_two"]
    # core: the title, the prose (a reference reads as one word), the
    # exercise ("Exercise", its title, header and body); 2 code lines
    assert two["core"] == [1 + (5 + 4) + (1 + 2 + 5 + 2), 0, 2]
    # optional: the deeper box's title and text, its equation, the deeper cell
    assert two["optional"] == [6 + 4, 1, 1]
    assert {"ch-two"} <= two["labels"] and "eq-one" in two["cited"]


def test_reading_rule():
    assert cg.reading_minutes(1000, 10, 75) == 15  # 5 + 5 + 5 minutes
    assert cg.reading_minutes(1001, 10, 75) == 20
    assert cg.reading_minutes(0, 0, 0) == 0


@pytest.mark.parametrize(
    "kind", ["Proof", "Derivation", "Computation", "Coding"]
)
@pytest.mark.parametrize("level", ["1", "2", "3"])
def test_every_header_form(kind, level):
    assert cg.HEADER.match(f"{kind} · difficulty {level} of 3").groups() == (
        kind,
        level,
    )
    assert not cg.HEADER.match(f"{kind} · difficulty 4 of 3")


def test_chapter_times_table(built):
    _, soup, _ = built
    table = rows(soup, 0)
    assert table[0][:4] == [
        "Chapter",
        "Words (core + optional)",
        "Core",
        "Optional",
    ]
    assert table[2][0] == "2. Two" and table[2][-1] == "4 s"
    assert table[1][-1] == "not measured"


def test_dependencies_point_backwards(built):
    env, soup, _ = built
    assert cg.dependencies(env) == {"book/02_two": {"book/01_one": ["eq-one"]}}
    assert rows(soup, 1)[2] == ["2. Two", "ch. 1 (eq-one)"]


def test_exercises_from_the_registry(built):
    _, soup, warnings = built
    table = rows(soup, 2)
    assert table[1:] == [
        ["ch. 1", "Two coins", "Computation", "1 of 3"],
        ["ch. 1", "No header", "—", "—"],
        ["ch. 2", "Chain rule", "Proof", "2 of 3"],
    ]
    assert "exercise ex-1-bare lacks" in warnings
    assert warnings.count("lacks") == 1
    assign = " ".join(soup.select("p")[0].get_text().split())
    assert assign == "Assign Chain rule (ch. 2); Two coins (ch. 1)."
    links = [a["href"] for a in soup.select("p")[0].select("a")]
    assert links == [
        "book/02_two.html#ex-2-chain",
        "book/01_one.html#ex-1-coins",
    ]


def test_guide_page_is_reread_when_a_chapter_or_a_time_changes(built):
    env, _, _ = built
    deps = {Path(d).name for d in env.dependencies["a_guide"]}
    assert {"01_one.md", "02_two.md", "execution_times.json"} <= deps
