"""The course guide's tables, counted from Sphinx's own data (no MyST parsing).

Reading a chapter ``book/NN_topic`` records from its doctree the words, display
equations and code lines shown (not in solutions; nodes of class ``deeper`` and
cells tagged ``deeper`` are optional reading), its labels and the labels it cites.
Exercises come from sphinx-exercise's registry. Chapters are read first
(``env-before-read-docs``), so the guide pages see them all.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx_exercise.nodes import exercise_subtitle, solution_node

LOGGER = logging.getLogger(__name__)
CHAPTER = re.compile(r"^book/(\d\d)_\w+$")
WORD = re.compile(r"[\w'’-]+")
HEADER = re.compile(
    r"^(Proof|Derivation|Computation|Coding) · difficulty ([123]) of 3$"
)
READING_RULE = (
    "Reading time = words of prose / 200 per minute + 30 s per display "
    "equation + 4 s per line of code shown, rounded up to 5 minutes. "
    "Solutions and hidden cells are not counted. Optional: the 'Going "
    "deeper' boxes and cells."
)


def reading_minutes(words: int, equations: int, code_lines: int) -> int:
    seconds = 60 * words / 200 + 30 * equations + 4 * code_lines
    return 5 * math.ceil(seconds / 300 - 1e-9) if seconds else 0


def count(node: nodes.Node, tally: dict[str, list[int]], part="core") -> None:
    """Add words, equations and code lines under ``node`` to ``tally[part]``."""
    if isinstance(
        node, (solution_node, nodes.comment, nodes.raw, nodes.system_message)
    ):
        return
    if isinstance(node, nodes.Element):
        tags = node.get("cell_metadata", {}).get("tags", [])
        if "deeper" in node["classes"] or "deeper" in tags:
            part = "optional"
        if node.get("nb_element") == "cell_code_output":
            return
        if node.get("nb_element") == "cell_code_source":
            code = node.astext().splitlines()
            tally[part][2] += sum(1 for line in code if line.strip())
            return
    if isinstance(node, nodes.math_block):
        tally[part][1] += 1
    elif isinstance(node, nodes.math):
        tally[part][0] += 1  # an inline formula reads as about one word
    elif isinstance(node, nodes.Text):
        tally[part][0] += len(WORD.findall(node.astext()))
    else:
        for child in node.children:
            count(child, tally, part)


def read_chapter(app, doctree: nodes.document) -> None:
    """Record a chapter's counts, labels and cited labels (doctree-read)."""
    env = app.env
    if not CHAPTER.match(env.docname):
        return
    tally = {"core": [0, 0, 0], "optional": [0, 0, 0]}
    count(doctree, tally)
    labels = set()
    for node in doctree.findall(nodes.Element):
        labels.update(node["names"])
        if node.get("label"):
            labels.add(node["label"].lower())
    cited = {
        x["reftarget"].lower()
        for x in doctree.findall(nodes.Element)
        if x.tagname == "pending_xref"
        and x["refdomain"] in ("std", "math", "prf")
        and x["reftype"] in ("ref", "numref", "eq")
    }
    title = next(doctree.findall(nodes.title)).astext()
    guide = _data(env)
    guide[env.docname] = {"title": title, **tally}
    guide[env.docname].update(labels=labels, cited=cited)


def _data(env) -> dict:
    if not hasattr(env, "klnotes_guide"):
        env.klnotes_guide = {}
    return env.klnotes_guide


def chapters(env) -> list[tuple[str, dict]]:
    return sorted(_data(env).items())


def number(docname: str) -> str:
    return str(int(CHAPTER.match(docname)[1]))


def dependencies(env) -> dict[str, dict[str, list[str]]]:
    """``{chapter: {earlier chapter: [labels it cites there]}}``."""
    owner = {lab: doc for doc, c in chapters(env) for lab in c["labels"]}
    deps: dict[str, dict[str, list[str]]] = {}
    for doc, c in chapters(env):
        for label in sorted(c["cited"]):
            if owner.get(label, doc) < doc:
                deps.setdefault(doc, {}).setdefault(owner[label], [])
                deps[doc][owner[label]].append(label)
    return deps


def exercises(env) -> list[dict]:
    """Every exercise (sphinx-exercise's registry) with its header line."""
    found = []
    registry = getattr(env, "sphinx_exercise_registry", {})
    for label, entry in registry.items():
        if not entry["type"].startswith("exercise"):
            continue
        node = entry["node"]
        sub = next(node.findall(exercise_subtitle), None)
        title = sub.astext().strip("() ") if sub else ""
        first = next(node.findall(nodes.paragraph), None)
        header = first.astext() if first else ""
        match = HEADER.match(header)
        emphasis = first is not None and isinstance(first[0], nodes.emphasis)
        ex = {"label": label, "doc": entry["docname"], "title": title}
        ex["line"] = node.line
        ex["type"], ex["level"] = match.groups() if match else ("—", "—")
        if not (match and emphasis and title):
            ex["problem"] = f"title {title!r}, first line {header[:40]!r}"
        found.append(ex)
    return sorted(found, key=lambda e: (e["doc"], e["line"] or 0))


def table(header: list[str], rows: list[list], widths: list[int]):
    group = nodes.tgroup("", cols=len(header))
    group += [nodes.colspec(colwidth=w) for w in widths]
    body = []
    for cells in [header, *rows]:
        row = nodes.row()
        for cell in cells:
            text = nodes.Text(cell) if isinstance(cell, str) else cell
            row += nodes.entry("", nodes.paragraph("", "", text))
        body.append(row)
    group += nodes.thead("", body[0])
    group += nodes.tbody("", *body[1:])
    return nodes.table("", group, classes=["colwidths-given"])


def link(env, doc: str, text: str, label: str = "") -> nodes.Node:
    """A link to a chapter, or to a label (resolved by the builder)."""
    kind, target = ("ref", label) if label else ("doc", f"/{doc}")
    ref = pending_xref("", nodes.inline("", text), refdomain="std")
    ref.attributes.update(reftype=kind, reftarget=target, refdoc=env.docname)
    ref["refexplicit"] = True
    return ref


class GuideDirective(SphinxDirective):
    def chapter_link(self, doc: str, long: bool = True) -> nodes.Node:
        title = _data(self.env)[doc]["title"]
        text = f"{number(doc)}. {title}" if long else f"ch. {number(doc)}"
        return link(self.env, doc, text)

    def run(self) -> list[nodes.Node]:
        self.env.klnotes_guide_pages = getattr(
            self.env, "klnotes_guide_pages", set()
        ) | {self.env.docname}
        return self.build()


def load_times(srcdir: str) -> dict[str, dict]:
    path = Path(srcdir, "book", "execution_times.json")
    return json.loads(path.read_text()) if path.exists() else {}


class ChapterTimes(GuideDirective):
    def build(self) -> list[nodes.Node]:
        times = load_times(self.env.srcdir)
        rows, total = [], [0, 0, 0.0]
        for doc, c in chapters(self.env):
            core, extra = (
                reading_minutes(*c[k]) for k in ("core", "optional")
            )
            run = times.get(doc.removeprefix("book/"), {}).get("seconds")
            total = [total[0] + core, total[1] + extra, total[2] + (run or 0)]
            words = f"{c['core'][0]:,} + {c['optional'][0]:,}"
            ran = f"{run:.0f} s" if run is not None else "not measured"
            cells = [f"{core} min", f"{extra} min", ran]
            rows.append([self.chapter_link(doc), words, *cells])
        sums = [f"{total[0]} min", f"{total[1]} min", f"{total[2]:.0f} s"]
        rows.append(["Total", "", *sums])
        head = ["Chapter", "Words (core + optional)", "Core", "Optional"]
        table_ = table([*head, "Running"], rows, [40, 18, 12, 12, 14])
        rule = f"{READING_RULE} Running: the execution-time page."
        return [table_, nodes.paragraph("", rule)]


class ExecutionTimes(GuideDirective):
    def build(self) -> list[nodes.Node]:
        times, rows = load_times(self.env.srcdir), []
        for doc, _c in chapters(self.env):
            t = times.get(doc.removeprefix("book/"))
            when = (
                t and f"{t['date']}, Python {t['python']}, NumPy {t['numpy']}"
            )
            ran = f"{t['seconds']:.1f}" if t else "not measured"
            rows.append([self.chapter_link(doc), ran, when or ""])
        return [table(["Chapter", "Seconds", "Measured"], rows, [50, 15, 35])]


class ChapterDependencies(GuideDirective):
    def build(self) -> list[nodes.Node]:
        deps, rows = dependencies(self.env), []
        for doc, _c in chapters(self.env):
            on = sorted(deps.get(doc, {}).items())
            cell = nodes.inline("", "" if on else "the introduction only")
            for i, (earlier, labels) in enumerate(on):
                cell += nodes.Text("; " if i else "")
                cell += self.chapter_link(earlier, long=False)
                cell += nodes.Text(f" ({', '.join(labels)})")
            rows.append([self.chapter_link(doc), cell])
        head = ["Chapter", "Builds on (the labels it cites)"]
        return [table(head, rows, [40, 60])]


class ExerciseTable(GuideDirective):
    def build(self) -> list[nodes.Node]:
        rows, found = [], {ex["doc"] for ex in exercises(self.env)}
        for doc in sorted(set(_data(self.env)) - found):
            LOGGER.warning("chapter %s has no exercise", doc, location=doc)
        for ex in exercises(self.env):
            if "problem" in ex:
                LOGGER.warning(
                    "exercise %s lacks a title or the header line "
                    "'*Proof · difficulty 2 of 3*' (CONTRIBUTING.md): %s",
                    ex["label"],
                    ex["problem"],
                    location=(ex["doc"], ex["line"]),
                    type="klnotes",
                    subtype="exercise-header",
                )
            title = ex["title"] or ex["label"]
            level = f"{ex['level']} of 3" if ex["level"] != "—" else "—"
            chapter = self.chapter_link(ex["doc"], long=False)
            to = link(self.env, ex["doc"], title, ex["label"])
            rows.append([chapter, to, ex["type"], level])
        head = ["Ch.", "Exercise", "Type", "Difficulty"]
        return [table(head, rows, [8, 60, 18, 14])]


def exercise_role(
    name, rawtext, text, lineno, inliner, options=None, content=None
):
    """Exercises named by label, shown by title with their chapter."""
    env = inliner.document.settings.env
    known = {ex["label"]: ex for ex in exercises(env)}
    out: list[nodes.Node] = []
    messages = []
    for i, label in enumerate(x.strip() for x in text.split(",")):
        out.append(nodes.Text("; " if i else ""))
        if label not in known:
            msg = f"klnotes-ex: no exercise labelled {label!r}"
            messages.append(inliner.reporter.error(msg, line=lineno))
            continue
        ex = known[label]
        out.append(link(env, ex["doc"], ex["title"] or label, label))
        out.append(nodes.Text(f" (ch. {number(ex['doc'])})"))
    return out, messages


def chapters_first(app, env, docnames: list[str]) -> None:
    """Read the chapters before the pages that tabulate them."""
    docnames.sort(key=lambda doc: not CHAPTER.match(doc))


def outdated(app, env, added, changed, removed) -> list[str]:
    """The guide pages are re-read whenever a chapter is."""
    if any(CHAPTER.match(d) for d in added | changed | removed):
        return sorted(getattr(env, "klnotes_guide_pages", set()))
    return []


def purge(app, env, docname: str) -> None:
    _data(env).pop(docname, None)


def setup(app) -> dict[str, bool]:
    app.add_role("klnotes-ex", exercise_role)
    app.add_directive("klnotes-chapter-times", ChapterTimes)
    app.add_directive("klnotes-execution-times", ExecutionTimes)
    app.add_directive("klnotes-chapter-dependencies", ChapterDependencies)
    app.add_directive("klnotes-exercise-table", ExerciseTable)
    app.connect("env-before-read-docs", chapters_first)
    app.connect("env-get-outdated", outdated)
    app.connect("env-purge-doc", purge)
    app.connect("doctree-read", read_chapter)
    # the guide pages need every chapter read before them: serial reading only
    return {"parallel_read_safe": False, "parallel_write_safe": True}
