"""Directives for the course guide (``book/course_guide.md``), computed from the sources.

Nothing on the course guide that can be counted is typed by hand:

``klnotes-chapter-times``
    One row per chapter: words of prose, display equations, lines of code, the reading
    time those give (the rule is :data:`READING_RULE`, printed under the table) and the
    running time last measured on this machine (``_build/execution_times.json``, written
    by the test suite's nbval run and by ``scripts/execute_notebooks.py``; "not
    measured" when absent).
``klnotes-chapter-dependencies``
    Which chapters build on which: chapter B depends on an earlier chapter A when B's
    source cross-references a label (equation, theorem, section, exercise) defined in A.
    Rendered as a figure drawn with matplotlib at build time (a PNG, so it works offline
    and in the PDF) and a table listing the labels behind every arrow.
``klnotes-exercise-table``
    Every ``{exercise}`` in ``chapters/*.md``: chapter, title (linked to the exercise),
    type and difficulty, parsed from the header line that CONTRIBUTING.md prescribes,
    ``*Proof · difficulty 2 of 3*``. An exercise without a title or a valid header line
    logs a warning naming the file, the line and the label, so ``-W`` fails.

The parsing lives in plain functions (:func:`parse_chapter`, :func:`parse_exercises`)
so that tests can call them on a file without Sphinx.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

LOGGER = logging.getLogger(__name__)

#: Reading speeds behind the reading-time column (stated on the page).
WORDS_PER_MINUTE = 200
SECONDS_PER_EQUATION = 30
SECONDS_PER_CODE_LINE = 4
READING_RULE = (
    f"Reading time = words of prose / {WORDS_PER_MINUTE} per minute "
    f"+ {SECONDS_PER_EQUATION} s per display equation "
    f"+ {SECONDS_PER_CODE_LINE} s per line of code shown, "
    "rounded up to 5 minutes. Solutions are not counted (they are read "
    "when an exercise is worked), nor is the hidden install cell."
)

EXERCISE_TYPES = ("Proof", "Derivation", "Computation", "Coding")
HEADER_RE = re.compile(
    r"^\*(?P<type>"
    + "|".join(EXERCISE_TYPES)
    + r") · difficulty (?P<level>[123]) of 3\*$"
)
FENCE_RE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[a-z-]+(?::[a-z-]+)?)\}\s*(?P<arg>.*)$"
)
LABEL_DEF_RE = re.compile(r"^\((?P<label>[A-Za-z0-9_.:-]+)\)=\s*$")
OPTION_LABEL_RE = re.compile(r"^:label:\s*(?P<label>\S+)\s*$")
REF_RE = re.compile(
    r"\{(?:ref|numref|eq|prf:ref|doc)\}`(?:[^`<]*<)?(?P<target>[^`>]+)>?`"
)


@dataclass
class Exercise:
    chapter: str  # file stem, e.g. "02_gibbs"
    path: Path
    lineno: int
    label: str
    title: str
    type: str | None = None
    level: int | None = None
    problem: str | None = None  # why the header is missing or invalid


@dataclass
class ChapterStats:
    stem: str
    title: str
    words: int = 0
    equations: int = 0
    code_lines: int = 0
    labels: set[str] = field(default_factory=set)
    references: dict[str, list[str]] = field(
        default_factory=dict
    )  # target -> [where]

    @property
    def reading_minutes(self) -> int:
        seconds = (
            60 * self.words / WORDS_PER_MINUTE
            + SECONDS_PER_EQUATION * self.equations
            + SECONDS_PER_CODE_LINE * self.code_lines
        )
        return max(5, 5 * math.ceil(seconds / 300 - 1e-9))


def _strip_front_matter(lines: list[str]) -> list[str]:
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                return [""] * (i + 1) + lines[i + 1 :]
    return lines


def _blocks(lines: list[str]):
    """Yield ``(kind, name, arg, start, end)`` for the top-level and nested fenced blocks.

    ``kind`` is "directive"; ``start``/``end`` are the 0-based indices of the opening and
    closing fence lines. Fences close on a line holding the same fence (or longer).
    """
    stack: list[tuple[str, str, str, int]] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        m = FENCE_RE.match(stripped)
        if m:
            stack.append((m["fence"], m["name"], m["arg"].strip(), i))
            continue
        if stack:
            fence = stack[-1][0]
            if (
                stripped
                and set(stripped) == {fence[0]}
                and len(stripped) >= len(fence)
            ):
                _fence, name, arg, start = stack.pop()
                yield name, arg, start, i


def parse_chapter(path: Path) -> ChapterStats:
    """Word, equation and code-line counts, defined labels and references of a chapter."""
    lines = _strip_front_matter(path.read_text(encoding="utf-8").splitlines())
    title = next(
        (ln[2:].strip() for ln in lines if ln.startswith("# ")), path.stem
    )
    stats = ChapterStats(stem=path.stem, title=title)
    excluded = [False] * len(lines)  # lines that are not prose
    in_solution = [False] * len(lines)
    blocks = sorted(_blocks(lines), key=lambda b: b[2])
    gated_start: int | None = None
    for (
        name,
        _arg,
        start,
        end,
    ) in blocks:  # first pass: where the solutions are
        if name == "solution":
            for k in range(start, end + 1):
                in_solution[k] = True
        elif name == "solution-start":
            gated_start = start
        elif name == "solution-end" and gated_start is not None:
            for k in range(gated_start, end + 1):
                in_solution[k] = True
            gated_start = None
    for name, _arg, start, end in blocks:
        body = lines[start + 1 : end]
        options = [ln for ln in body if re.match(r"^\s*:[a-z-]+:", ln)]
        if name == "code-cell":
            tags = " ".join(options)
            if (
                "remove-cell" not in tags
                and "remove-input" not in tags
                and not in_solution[start]
            ):
                stats.code_lines += sum(
                    1
                    for ln in body
                    if ln.strip() and not re.match(r"^\s*:[a-z-]+:", ln)
                )
            for k in range(start, end + 1):
                excluded[k] = True
        elif name == "math":
            stats.equations += 0 if in_solution[start] else 1
            for k in range(start, end + 1):
                excluded[k] = True
        if name not in ("code-cell", "math"):
            excluded[start] = excluded[end] = True
            for k in range(start + 1, end):
                if re.match(r"^\s*:[a-z-]+:", lines[k]):
                    excluded[k] = True
    text_lines: list[str] = []
    in_math = False
    for k, line in enumerate(lines):
        m = LABEL_DEF_RE.match(line.strip())
        if m:
            stats.labels.add(m["label"])
            continue
        m = OPTION_LABEL_RE.match(line.strip())
        if m:
            stats.labels.add(m["label"])
        for ref in REF_RE.finditer(line):
            stats.references.setdefault(ref["target"].strip(), []).append(
                f"line {k + 1}"
            )
        if excluded[k]:
            continue
        stripped = line.strip()
        if in_math or stripped.startswith("$$"):
            # a display equation: $$ ... $$ on one line or several, maybe with a label
            if not in_math:
                stats.equations += 0 if in_solution[k] else 1
                one_line = stripped.count("$$") >= 2
            closing = (not in_math and one_line) or (
                in_math and "$$" in stripped
            )
            if closing:
                in_math = False
                lab = re.search(r"\$\$\s*\((?P<label>[^)]+)\)\s*$", stripped)
                if lab:
                    stats.labels.add(lab["label"])
            else:
                in_math = True
            continue
        if in_solution[k]:
            continue
        text_lines.append(line)
    text = "\n".join(text_lines)
    text = re.sub(
        r"\$[^$]+\$", " x ", text
    )  # an inline formula reads as about one word
    text = re.sub(
        r"\{[a-z:-]+\}`[^`]*`", " x ", text
    )  # a role reads as about one word
    stats.words = len(re.findall(r"[\w'’-]+", text))
    return stats


def parse_exercises(path: Path) -> list[Exercise]:
    """Every ``{exercise}`` (or ``{exercise-start}``) in a chapter source, with its header."""
    lines = _strip_front_matter(path.read_text(encoding="utf-8").splitlines())
    found = []
    for name, arg, start, end in _blocks(lines):
        if name not in ("exercise", "exercise-start"):
            continue
        body = (
            lines[start + 1 : end]
            if name == "exercise"
            else lines[start + 1 :]
        )
        label, k = "", 0
        while k < len(body) and re.match(r"^\s*:[a-z-]+:", body[k]):
            m = OPTION_LABEL_RE.match(body[k].strip())
            if m:
                label = m["label"]
            k += 1
        while k < len(body) and not body[k].strip():
            k += 1
        first = body[k].strip() if k < len(body) else ""
        ex = Exercise(path.stem, path, start + 1, label, arg)
        m = HEADER_RE.match(first)
        if m:
            ex.type, ex.level = m["type"], int(m["level"])
        elif first.startswith("*") and "difficulty" in first:
            ex.problem = f"malformed header line {first!r}"
        else:
            ex.problem = "no header line"
        if not label:
            ex.problem = (
                ex.problem + "; " if ex.problem else ""
            ) + "no :label:"
        elif not arg:
            ex.problem = (ex.problem + "; " if ex.problem else "") + "no title"
        found.append(ex)
    return sorted(found, key=lambda e: e.lineno)


def chapter_sources(srcdir: Path) -> list[Path]:
    return sorted((srcdir / "chapters").glob("[0-9][0-9]_*.md"))


def dependencies(stats: list[ChapterStats]) -> dict[str, dict[str, list[str]]]:
    """``{later stem: {earlier stem: [labels referenced]}}`` from backward references."""
    owner = {label: s.stem for s in stats for label in s.labels}
    deps: dict[str, dict[str, list[str]]] = {}
    for s in stats:
        for target in s.references:
            src = owner.get(target)
            if src is not None and src < s.stem:
                deps.setdefault(s.stem, {}).setdefault(src, []).append(target)
    return deps


# --------------------------------------------------------------------------- rendering


def _doc_link(env, stem: str, text: str) -> addnodes.pending_xref:
    ref = addnodes.pending_xref(
        "",
        refdomain="std",
        reftype="doc",
        reftarget=f"/book/{stem}",
        refdoc=env.docname,
        refexplicit=True,
    )
    ref += nodes.inline("", text)
    return ref


def _label_link(env, label: str, text: str) -> addnodes.pending_xref:
    ref = addnodes.pending_xref(
        "",
        refdomain="std",
        reftype="ref",
        reftarget=label,
        refdoc=env.docname,
        refexplicit=True,
    )
    ref += nodes.inline("", text)
    return ref


def _table(
    header: list[str], rows: list[list[nodes.Node | str]], widths: list[int]
) -> nodes.table:
    table, tgroup = (
        nodes.table(classes=["colwidths-given"]),
        nodes.tgroup(cols=len(header)),
    )
    table += tgroup
    for w in widths:
        tgroup += nodes.colspec(colwidth=w)

    def row(cells):
        r = nodes.row()
        for c in cells:
            entry = nodes.entry()
            para = nodes.paragraph()
            para += nodes.Text(c) if isinstance(c, str) else c
            entry += para
            r += entry
        return r

    thead, tbody = nodes.thead(), nodes.tbody()
    thead += row(header)
    for r in rows:
        tbody += row(r)
    tgroup += thead
    tgroup += tbody
    return table


def _chapter_number(stem: str) -> str:
    return str(int(stem[:2]))


class _GuideDirective(SphinxDirective):
    has_content = False

    def sources(self) -> list[Path]:
        paths = chapter_sources(Path(self.env.srcdir))
        for p in paths:
            self.env.note_dependency(str(p))
        return paths


class ChapterTimes(_GuideDirective):
    def run(self) -> list[nodes.Node]:
        times_file = Path(self.env.srcdir) / "_build" / "execution_times.json"
        times = (
            json.loads(times_file.read_text(encoding="utf-8"))
            if times_file.exists()
            else {}
        )
        rows = []
        total_read, total_run, measured = 0, 0.0, 0
        for path in self.sources():
            s = parse_chapter(path)
            seconds = times.get(s.stem, {}).get("seconds")
            if isinstance(seconds, (int, float)):
                run = f"{seconds:.0f} s"
                total_run += seconds
                measured += 1
            else:
                run = "not measured"
            total_read += s.reading_minutes
            rows.append(
                [
                    _doc_link(
                        self.env,
                        s.stem,
                        f"{_chapter_number(s.stem)}. {s.title}",
                    ),
                    f"{s.words:,}",
                    str(s.equations),
                    str(s.code_lines),
                    f"{s.reading_minutes} min",
                    run,
                ]
            )
        total_run_text = (
            f"{total_run:.0f} s"
            if measured == len(rows)
            else (
                f"{total_run:.0f} s ({measured} measured)"
                if measured
                else "not measured"
            )
        )
        rows.append(
            [
                nodes.strong("", "Total"),
                "",
                "",
                "",
                f"{total_read} min",
                total_run_text,
            ]
        )
        table = _table(
            [
                "Chapter",
                "Words",
                "Display equations",
                "Code lines",
                "Reading",
                "Running",
            ],
            rows,
            [42, 9, 11, 9, 11, 18],
        )
        rule = nodes.paragraph(
            "",
            READING_RULE
            + (
                " Running time: the last full run of the chapter on the machine that built "
                "this page (the test suite or scripts/execute_notebooks.py), from "
                "_build/execution_times.json."
            ),
        )
        return [table, rule]


class ChapterDependencies(_GuideDirective):
    def run(self) -> list[nodes.Node]:
        stats = [parse_chapter(p) for p in self.sources()]
        deps = dependencies(stats)
        titles = {s.stem: s.title for s in stats}
        out: list[nodes.Node] = []
        image = self._draw(stats, deps)
        if image is not None:
            out.append(image)
        rows = []
        for s in stats:
            on = deps.get(s.stem, {})
            if on:
                cell = nodes.inline()
                for i, (src, labels) in enumerate(sorted(on.items())):
                    if i:
                        cell += nodes.Text("; ")
                    cell += _doc_link(
                        self.env, src, f"ch. {_chapter_number(src)}"
                    )
                    cell += nodes.Text(
                        " (" + ", ".join(sorted(set(labels))) + ")"
                    )
            else:
                cell = nodes.Text("the introduction only")
            rows.append(
                [
                    _doc_link(
                        self.env,
                        s.stem,
                        f"{_chapter_number(s.stem)}. {titles[s.stem]}",
                    ),
                    cell,
                ]
            )
        out.append(
            _table(
                ["Chapter", "Builds on (the labels it cites)"], rows, [40, 60]
            )
        )
        return out

    def _draw(self, stats: list[ChapterStats], deps) -> nodes.Node | None:
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:  # the table below says the same
            return None
        stems = [s.stem for s in stats]
        # layer = length of the longest chain of dependencies leading to the chapter
        layer: dict[str, int] = {}
        for stem in stems:
            layer[stem] = 1 + max(
                (layer[d] for d in deps.get(stem, {})), default=-1
            )
        by_layer: dict[int, list[str]] = {}
        for stem in stems:
            by_layer.setdefault(layer[stem], []).append(stem)
        import textwrap

        from matplotlib.patches import FancyBboxPatch

        dx, dy, bw, bh = (
            1.45,
            0.8,
            1.1,
            0.62,
        )  # layer spacing, row spacing, box size
        pos = {}
        for lay, members in by_layer.items():
            for j, stem in enumerate(members):
                pos[stem] = (lay * dx, -dy * (j - (len(members) - 1) / 2))
        width = max(by_layer) + 1
        height = max(len(m) for m in by_layer.values())
        fig, ax = plt.subplots(
            figsize=(1.25 * width + 0.3, 0.75 * height + 0.4), dpi=200
        )
        for s in stats:
            x, y = pos[s.stem]
            ax.add_patch(
                FancyBboxPatch(
                    (x - bw / 2, y - bh / 2),
                    bw,
                    bh,
                    boxstyle="round,pad=0,rounding_size=0.06",
                    fc="#e8f0fb",
                    ec="#3b6eb5",
                    lw=1.0,
                    zorder=2,
                )
            )
            short = s.title.split(":")[0].split(",")[0]
            label = "\n".join(textwrap.wrap(short, 16)[:2])
            ax.text(
                x,
                y,
                f"{_chapter_number(s.stem)}. {label}",
                ha="center",
                va="center",
                fontsize=6.5,
                zorder=3,
            )
        for later, on in deps.items():
            for earlier in on:
                (x1, y1), (x2, y2) = pos[earlier], pos[later]
                ax.annotate(
                    "",
                    xy=(x2 - bw / 2, y2),
                    xytext=(x1 + bw / 2, y1),
                    zorder=4,
                    arrowprops=dict(
                        arrowstyle="-|>",
                        color="0.35",
                        lw=0.9,
                        shrinkA=0,
                        shrinkB=1,
                        mutation_scale=8,
                    ),
                )
        ax.set_xlim(-bw / 2 - 0.05, (width - 1) * dx + bw / 2 + 0.05)
        ax.set_ylim(
            -dy * (height - 1) / 2 - bh / 2 - 0.05,
            dy * (height - 1) / 2 + bh / 2 + 0.05,
        )
        ax.set_aspect("equal")
        ax.axis("off")
        out_dir = Path(self.env.srcdir) / "_build" / "generated"
        out_dir.mkdir(parents=True, exist_ok=True)
        png = out_dir / "chapter_dependencies.png"
        fig.savefig(png, bbox_inches="tight")
        plt.close(fig)
        figure = nodes.figure()
        figure += nodes.image(
            uri="/_build/generated/chapter_dependencies.png",
            alt="Chapters as boxes; an arrow from chapter A to chapter B "
            "means that B cites an equation, result or section of A.",
            width="90%",
        )
        figure += nodes.caption(
            "",
            "Which chapters build on which: an arrow A → B means that "
            "chapter B cites a label defined in chapter A (computed from "
            "the sources at build time).",
        )
        return figure


class ExerciseTable(_GuideDirective):
    def run(self) -> list[nodes.Node]:
        rows = []
        titles = {
            p.stem: parse_chapter(p).title
            for p in chapter_sources(Path(self.env.srcdir))
        }
        for path in self.sources():
            for ex in parse_exercises(path):
                if ex.problem:
                    LOGGER.warning(
                        "exercise %r in %s (line %d) lacks the header CONTRIBUTING.md "
                        "prescribes (a title after {exercise} and the first body line "
                        "'*Proof · difficulty 2 of 3*'): %s",
                        ex.label,
                        path.relative_to(self.env.srcdir),
                        ex.lineno,
                        ex.problem,
                        location=self.get_location(),
                        type="klnotes",
                        subtype="exercise-header",
                    )
                title = ex.title or ex.label or "(untitled)"
                link = (
                    _label_link(self.env, ex.label, title)
                    if ex.label
                    else nodes.Text(title)
                )
                rows.append(
                    [
                        _doc_link(
                            self.env, ex.chapter, _chapter_number(ex.chapter)
                        ),
                        link,
                        ex.type or "—",
                        f"{ex.level} of 3" if ex.level else "—",
                    ]
                )
        del titles
        return [
            _table(
                ["Ch.", "Exercise", "Type", "Difficulty"],
                rows,
                [8, 60, 18, 14],
            )
        ]


def exercise_role(
    name, rawtext, text, lineno, inliner, options=None, content=None
):
    """``{klnotes-ex}`ex-1-support, ex-2-mirror``: links to exercises, shown by title.

    The titles come from the chapter sources, so a syllabus names the exercises as the
    chapters do; an unknown label is an error.
    """
    env = inliner.document.settings.env
    known = {
        ex.label: ex
        for path in chapter_sources(Path(env.srcdir))
        for ex in parse_exercises(path)
    }
    result: list[nodes.Node] = []
    messages = []
    for i, label in enumerate(x.strip() for x in text.split(",")):
        if i:
            result.append(nodes.Text("; "))
        ex = known.get(label)
        if ex is None:
            messages.append(
                inliner.reporter.error(
                    f"klnotes-ex: no exercise labelled {label!r} in chapters/*.md",
                    line=lineno,
                )
            )
            result.append(nodes.literal("", label))
            continue
        result.append(_label_link(env, label, ex.title or label))
        result.append(nodes.Text(f" (ch. {_chapter_number(ex.chapter)})"))
    return result, messages


def setup(app: Sphinx) -> dict[str, bool]:
    app.add_role("klnotes-ex", exercise_role)
    app.add_directive("klnotes-chapter-times", ChapterTimes)
    app.add_directive("klnotes-chapter-dependencies", ChapterDependencies)
    app.add_directive("klnotes-exercise-table", ExerciseTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
