"""The course guide's tables, counted from Sphinx's own data (no MyST parsing).

Reading a chapter ``book/NN_topic`` records from its doctree the words, display
equations and code lines shown (not in solutions; nodes of class ``deeper`` and
cells tagged ``deeper`` are optional reading), its labels and the labels it cites.
Exercises come from sphinx-exercise's registry. Chapters are read first
(``env-before-read-docs``), so the guide pages see them all; the guide pages
are read again when a chapter is added (``env-get-outdated``).
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
XREFS = ("ref", "numref", "eq")  # the roles that cite a label
WORD = re.compile(r"[\w'’-]+")
HEADER = re.compile(
    r"^(Proof|Derivation|Computation|Coding) · difficulty ([123]) of 3$"
)
READING_RULE = (
    "Reading time = words of prose / 200 per minute + 30 s per display "
    "equation + 4 s per line of code shown, rounded up to 5 minutes. "
    "Solutions and hidden cells are not counted. Optional: the 'Going "
    "deeper' boxes and cells. Running: the execution-time page."
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
    if not CHAPTER.match(app.env.docname):
        return
    tally = {"core": [0, 0, 0], "optional": [0, 0, 0]}
    count(doctree, tally)
    labels, cited = set(), set()
    for node in doctree.findall(nodes.Element):
        labels.update(node["names"])
        if node.get("label"):
            labels.add(node["label"].lower())
        if isinstance(node, pending_xref) and node["reftype"] in XREFS:
            cited.add(node["reftarget"].lower())
    title = next(doctree.findall(nodes.title)).astext()
    chapter = {"title": title, "labels": labels, "cited": cited, **tally}
    _data(app.env)[app.env.docname] = chapter


def _data(env) -> dict:
    return vars(env).setdefault("klnotes_guide", {})


def _pages(env) -> set[str]:
    """The pages that show a guide table."""
    return vars(env).setdefault("klnotes_guide_pages", set())


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
    for label, entry in getattr(env, "sphinx_exercise_registry", {}).items():
        if not entry["type"].startswith("exercise"):
            continue
        node = entry["node"]
        sub = next(node.findall(exercise_subtitle), None)
        title = sub.astext().strip("() ") if sub else ""
        first = next(node.findall(nodes.paragraph), None)
        header = first.astext() if first else ""
        ex = {"label": label, "doc": entry["docname"], "title": title}
        ex["line"], ex["type"], ex["level"] = node.line, "—", "—"
        if match := HEADER.match(header):
            ex["type"], ex["level"] = match[1], f"{match[2]} of 3"
        if not (match and isinstance(first[0], nodes.emphasis) and title):
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


def chapter_link(env, doc: str, long: bool = True) -> nodes.Node:
    title = _data(env)[doc]["title"]
    text = f"{number(doc)}. {title}" if long else f"ch. {number(doc)}"
    return link(env, doc, text)


def chapter_times(env, times: dict) -> list[nodes.Node]:
    rows, total = [], [0, 0, 0.0]
    for doc, c in chapters(env):
        core, extra = (reading_minutes(*c[k]) for k in ("core", "optional"))
        run = times.get(doc.removeprefix("book/"), {}).get("seconds")
        total = [total[0] + core, total[1] + extra, total[2] + (run or 0)]
        words = f"{c['core'][0]:,} + {c['optional'][0]:,}"
        ran = f"{run:.0f} s" if run is not None else "not measured"
        cells = [f"{core} min", f"{extra} min", ran]
        rows.append([chapter_link(env, doc), words, *cells])
    sums = [f"{total[0]} min", f"{total[1]} min", f"{total[2]:.0f} s"]
    rows.append(["Total", "", *sums])
    head = ["Chapter", "Words (core + optional)", "Core", "Optional"]
    table_ = table([*head, "Running"], rows, [40, 18, 12, 12, 14])
    return [table_, nodes.paragraph("", READING_RULE)]


def execution_times(env, times: dict) -> list[nodes.Node]:
    rows = []
    for doc, _c in chapters(env):
        t = times.get(doc.removeprefix("book/"))
        when = t and f"{t['date']}, Python {t['python']}, NumPy {t['numpy']}"
        ran = f"{t['seconds']:.1f}" if t else "not measured"
        rows.append([chapter_link(env, doc), ran, when or ""])
    return [table(["Chapter", "Seconds", "Measured"], rows, [50, 15, 35])]


def chapter_dependencies(env, times: dict) -> list[nodes.Node]:
    deps, rows = dependencies(env), []
    for doc, _c in chapters(env):
        on = sorted(deps.get(doc, {}).items())
        cell = nodes.inline("", "" if on else "the introduction only")
        for i, (earlier, labels) in enumerate(on):
            cell += nodes.Text("; " if i else "")
            cell += chapter_link(env, earlier, long=False)
            cell += nodes.Text(f" ({', '.join(labels)})")
        rows.append([chapter_link(env, doc), cell])
    return [
        table(["Chapter", "Builds on (the labels it cites)"], rows, [40, 60])
    ]


def exercise_table(env, times: dict) -> list[nodes.Node]:
    rows, found = [], {ex["doc"] for ex in exercises(env)}
    for doc in sorted(set(_data(env)) - found):
        LOGGER.warning("chapter %s has no exercise", doc, location=doc)
    for ex in exercises(env):
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
        to = link(env, ex["doc"], ex["title"] or ex["label"], ex["label"])
        chapter = chapter_link(env, ex["doc"], long=False)
        rows.append([chapter, to, ex["type"], ex["level"]])
    head = ["Ch.", "Exercise", "Type", "Difficulty"]
    return [table(head, rows, [8, 60, 18, 14])]


TABLES = {
    "klnotes-chapter-times": chapter_times,
    "klnotes-execution-times": execution_times,
    "klnotes-chapter-dependencies": chapter_dependencies,
    "klnotes-exercise-table": exercise_table,
}


class GuideTable(SphinxDirective):
    """One of TABLES; the page is re-read when a chapter or a time changes."""

    def run(self) -> list[nodes.Node]:
        _pages(self.env).add(self.env.docname)
        path = Path(self.env.srcdir, "book", "execution_times.json")
        self.env.note_dependency(str(path))
        for doc, _c in chapters(self.env):
            self.env.note_dependency(self.env.doc2path(doc))
        times = json.loads(path.read_text()) if path.exists() else {}
        return TABLES[self.name](self.env, times)


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


def guide_pages_outdated(app, env, added, changed, removed) -> list[str]:
    """A chapter added: the guide pages are read again. (A guide page
    depends on each chapter it saw, so a changed or removed one already
    makes Sphinx read it again; a new one is not among them.)"""
    if any(CHAPTER.match(doc) for doc in added):
        return sorted(_pages(env))
    return []


def forget(app, env, doc: str) -> None:
    """A page read again or removed: its records go (env-purge-doc)."""
    _data(env).pop(doc, None)
    _pages(env).discard(doc)


def chapters_first(app, env, docnames: list[str]) -> None:
    """Read the chapters before the pages that tabulate them."""
    docnames.sort(key=lambda doc: not CHAPTER.match(doc))


def setup(app) -> dict[str, bool]:
    app.add_role("klnotes-ex", exercise_role)
    for name in TABLES:
        app.add_directive(name, GuideTable)
    app.connect("env-before-read-docs", chapters_first)
    app.connect("env-get-outdated", guide_pages_outdated)
    app.connect("env-purge-doc", forget)
    app.connect("doctree-read", read_chapter)
    # the guide pages need every chapter read before them: serial reading only
    # env_version: an environment from before the list of guide pages is
    # not reused
    return {
        "parallel_read_safe": False,
        "parallel_write_safe": True,
        "env_version": 1,
    }
