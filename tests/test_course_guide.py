"""The course guide's parsers (book/_ext/course_guide.py), on small made-up chapters and
on the real ones."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import course_guide as cg  # noqa: E402

CHAPTER = """---
jupytext:
  text_representation:
    format_name: myst
---

(ch-demo)=
# A demo chapter

Five words of prose here. See {ref}`ch-other` and {eq}`eq-other`.

$$
a = b
$$ (eq-demo)

```{code-cell} ipython3
:tags: [remove-cell, klnotes-install]
import hidden
```

```{code-cell} ipython3
x = 1
y = 2
```

```{exercise} Chain rule for KL
:label: ex-9-chain

*Proof · difficulty 2 of 3*

Show that it holds.
```

```{solution} ex-9-chain
:class: dropdown

Many words in the solution that must not count towards reading time at all.
```

```{exercise}
:label: ex-9-bare

Do it.
```

```{exercise} Bad header
:label: ex-9-bad

*Proof · difficulty 4 of 3*

Hmm.
```

```{solution-start} ex-9-bare
:class: dropdown
```

Gated words that do not count either.

```{code-cell} ipython3
z = 3
```

```{solution-end}
```
"""


@pytest.fixture
def chapter(tmp_path: Path) -> Path:
    path = tmp_path / "09_demo.md"
    path.write_text(CHAPTER, encoding="utf-8")
    return path


def test_exercise_headers(chapter: Path):
    found = {e.label: e for e in cg.parse_exercises(chapter)}
    assert list(found) == ["ex-9-chain", "ex-9-bare", "ex-9-bad"]
    good = found["ex-9-chain"]
    assert (good.title, good.type, good.level, good.problem) == (
        "Chain rule for KL",
        "Proof",
        2,
        None,
    )
    assert found["ex-9-bare"].problem == "no header line; no title"
    assert (
        "malformed header" in found["ex-9-bad"].problem
        and found["ex-9-bad"].level is None
    )


def test_every_header_form(tmp_path: Path):
    for kind in cg.EXERCISE_TYPES:
        for level in (1, 2, 3):
            path = tmp_path / "01_x.md"
            path.write_text(
                f"```{{exercise}} T\n:label: ex-x\n\n"
                f"*{kind} · difficulty {level} of 3*\n\nBody.\n```\n"
            )
            (ex,) = cg.parse_exercises(path)
            assert (ex.type, ex.level, ex.problem) == (kind, level, None)


def test_counts_and_reading_rule(chapter: Path):
    s = cg.parse_chapter(chapter)
    assert s.title == "A demo chapter"
    assert s.equations == 1
    assert (
        s.code_lines == 2
    )  # the hidden install cell and the solution's code do not count
    assert {
        "ch-demo",
        "eq-demo",
        "ex-9-chain",
        "ex-9-bare",
        "ex-9-bad",
    } <= s.labels
    assert {"ch-other", "eq-other"} <= set(s.references)
    # prose outside solutions only: nothing from the two solutions is counted
    assert s.words < 40
    # rule: 200 words/min + 30 s per equation + 4 s per code line, rounded up to 5 min
    s.words, s.equations, s.code_lines = 1000, 10, 75  # 5 + 5 + 5 minutes
    assert s.reading_minutes == 15
    s.words = 1001
    assert s.reading_minutes == 20


def test_dependencies_only_point_backwards(tmp_path: Path):
    a = tmp_path / "01_a.md"
    b = tmp_path / "02_b.md"
    a.write_text(
        "(ch-a)=\n# A\n\n$$\nx\n$$ (eq-a)\n\nSee {ref}`chapter 2 <ch-b>`.\n"
    )
    b.write_text("(ch-b)=\n# B\n\nUses {eq}`eq-a`.\n")
    deps = cg.dependencies([cg.parse_chapter(a), cg.parse_chapter(b)])
    assert deps == {"02_b": {"01_a": ["eq-a"]}}


def test_real_chapters_parse():
    paths = cg.chapter_sources(ROOT)
    assert len(paths) >= 7
    labels = []
    for path in paths:
        s = cg.parse_chapter(path)
        assert s.words > 500 and s.code_lines > 20, path.name
        exercises = cg.parse_exercises(path)
        assert exercises, f"{path.name} has no exercises"
        assert all(e.label for e in exercises), path.name
        labels += [e.label for e in exercises]
    assert len(labels) == len(set(labels)), "duplicate exercise labels"
