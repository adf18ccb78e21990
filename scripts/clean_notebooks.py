"""Write the chapters as plain Jupyter notebooks: notebooks/NN_topic.ipynb.

    python scripts/clean_notebooks.py [--check]   (--check: exit 1 if stale)

Jupyter and Colab show the MyST of book/NN_topic.ipynb as literal text. These
copies keep its cells and outputs and resolve the markup as the site does:
citations as linked author-year text (and a reference list), references as the
site's numbers, theorems and exercises as headed paragraphs, solutions folded
in <details>, labelled displays with \\tag. Blocks come from myst-parser's
markdown-it parser, citations from pybtex (both used by the book).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import yaml
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser
from pybtex.database import parse_file
from pybtex.plugin import find_plugin

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "notebooks"
MD = create_md_parser(
    MdParserConfig(enable_extensions={"dollarmath", "amsmath", "colon_fence"}),
    RendererHTML,
)
ROLE = re.compile(r"\{([a-z:-]+)\}`([^`]*)`")
DIRECTIVE = re.compile(r"\{([a-z:-]+)\}\s*(.*)")
NAMES = {"prf:" + k: k.title() for k in ("theorem", "lemma", "proposition")}
NAMES |= {"prf:definition": "Definition", "exercise": "Exercise"}
BIB = parse_file(ROOT / "book" / "references.bib")


def chapters() -> list[str]:
    """Stems of the numbered chapters, in the order (and numbers) of _toc.yml."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [
        Path(c["file"]).name
        for part in toc["parts"]
        if part.get("numbered")
        for c in part["chapters"]
    ]


def notebook(stem: str) -> dict:
    return json.loads((ROOT / "book" / f"{stem}.ipynb").read_text("utf-8"))


def blocks(text: str):
    """Top-level markdown-it tokens, each with ``(name, argument, options,
    body)`` if it is a directive fence (else None)."""
    for tok in MD.parse(text):
        if tok.level or not tok.map or tok.type.endswith("_close"):
            continue
        m = "fence" in tok.type and DIRECTIVE.match(tok.info)
        if not m:
            yield tok, None
            continue
        lines, options = tok.content.splitlines(), {}
        while lines and (o := re.match(r"^:([\w-]+):\s*(.*)$", lines[0])):
            options[o[1]] = o[2].strip()
            lines.pop(0)
        yield tok, (m[1], m[2], options, "\n".join(lines).strip("\n"))


class Numbers:
    """What the site prints for a reference to each label, numbered as Sphinx
    does: per chapter, one counter per kind of theorem, exercises, labelled
    displays, figures (``edition_tests/test_notebooks.py`` compares them)."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self.titles: dict[str, str] = {}
        for self.chapter, stem in enumerate(chapters(), start=1):
            self.count: Counter[str] = Counter()
            for cell in notebook(stem)["cells"]:
                meta = cell["metadata"].get("mystnb", {}).get("figure", {})
                if cell["cell_type"] == "markdown":
                    self.walk("".join(cell["source"]))
                elif "name" in meta:
                    self.add(meta["name"], "fig", "Fig. {}")

    def add(self, label: str, kind: str, form: str) -> None:
        self.count[kind] += 1
        self.labels[label] = form.format(f"{self.chapter}.{self.count[kind]}")

    def walk(self, text: str) -> None:
        target = None
        for tok, d in blocks(text):
            if tok.type == "math_block_label":
                self.add(tok.info, "eq", "({})")
            elif tok.type == "myst_target":
                target = tok.content
            elif tok.type == "heading_open" and target:
                heading = text.splitlines()[tok.map[0]]
                self.labels[target], target = heading.lstrip("# "), None
            elif d:
                name, arg, options, body = d
                if name in NAMES:
                    label = options["label"]
                    self.add(label, name, NAMES[name] + " {}")
                    self.titles[label] = arg
                self.walk(body)


def cite(keys: str, cited: list[str]) -> str:
    """``{cite}`a,b``` -> [Author and Other, year; Author et al., year]."""
    parts = []
    for key in (k.strip() for k in keys.split(",")):
        entry = BIB.entries[key]
        last = [p.last_names[0] for p in entry.persons["author"]]
        who = f"{last[0]} et al." if len(last) > 2 else " and ".join(last)
        text = f"{who}, {entry.fields['year']}"
        doi, url = entry.fields.get("doi"), entry.fields.get("url")
        link = f"https://doi.org/{doi}" if doi else url
        parts.append(f"[{text}]({link})" if link else text)
        if key not in cited:
            cited.append(key)
    return "[" + "; ".join(parts) + "]"


def roles(text: str, nums: Numbers, cited: list[str]) -> str:
    """Inline roles (``{name}`content```) as the site prints them."""

    def one(m: re.Match) -> str:
        role, content = m.groups()
        explicit = re.match(r"^(.*?)\s*<([^<>]+)>$", content, re.S)
        shown, target = explicit.groups() if explicit else (None, content)
        if role.startswith("cite"):
            return cite(content, cited)
        if shown is not None or role == "term":
            return shown or content
        return nums.labels[target]

    return ROLE.sub(one, text)


def glue(text: str) -> str:
    """Continue a paragraph with ``text``, or start a new block if it opens one."""
    block = re.match(r"^(\$\$|[-*>|<#]|\d+\.)", text) or text.endswith("$$")
    return ("\n\n" if block else " ") + text


FOLD = "<details>\n<summary>{}</summary>\n\n{{body}}\n\n</details>"
FORMS = dict.fromkeys(NAMES, "**{head}.**{glued}") | {  # directive -> text
    "exercise": "#### {head}\n\n{body}",
    "prf:proof": "*Proof.*{glued}",
    "solution": FOLD.format("Solution to {head}"),
    "solution-start": "##### Solution to {head}\n\n{body}",  # spans cells
    "solution-end": "*(End of the solution.)*",
    "dropdown": FOLD.format("{title}"),  # e.g. "Going deeper: ..."
    "admonition": "\n***\n\n**{title}**\n\n{body}\n\n***\n",
}


def convert(text: str, nums: Numbers, cited: list[str]) -> str:
    """One MyST markdown cell -> plain Jupyter markdown."""
    lines, out, pos = text.splitlines(), [], 0
    for tok, d in blocks(text):
        start, end = tok.map
        out += lines[pos:start]
        pos = end
        if tok.type == "math_block_label":
            n = nums.labels[tok.info].strip("()")
            out.append(f"$$\n{tok.content.strip()}\n\\tag{{{n}}}\n$$")
        elif not d and tok.type != "myst_target":
            out.append(roles("\n".join(lines[start:end]), nums, cited))
        if not d:
            continue
        name, arg, options, body = d
        if name == "tabularcolumns":  # the PDF's column widths
            continue
        body = convert(body, nums, cited)
        label = options.get("label", "")
        if name.startswith("solution"):  # its argument: the exercise's label
            label, arg = arg, nums.titles.get(arg, "")
        title = roles(arg, nums, cited)
        head = nums.labels.get(label, "") + (f" ({title})" if title else "")
        if name == "admonition" and "dropdown" in options.get("class", ""):
            name = "dropdown"
        if name not in FORMS:
            raise ValueError(f"no plain rendering for the directive {name}")
        qed = ("\n\n" if body.endswith("$$") else " ") + "$\\square$"
        glued = glue(body) + (qed if name == "prf:proof" else "")
        parts = {"head": head, "title": title, "body": body, "glued": glued}
        out.append(FORMS[name].format(**parts))
    out += lines[pos:]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def clean(stem: str, nums: Numbers) -> dict:
    """The chapter's notebook with plain markdown cells and a reference list."""
    nb, cited = notebook(stem), []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text = convert("".join(cell["source"]), nums, cited)
            cell["source"] = text.splitlines(keepends=True)
    if cited:  # sorted and formatted as the bibliography is
        style = find_plugin("pybtex.style.formatting", "plain")()
        entries = style.format_bibliography(BIB, cited)
        text = "## References\n\n" + "\n".join(
            "- " + " ".join(e.text.render_as("markdown").split())
            for e in entries
        )
        source = text.splitlines(keepends=True)
        nb["cells"].append(
            {
                "cell_type": "markdown",
                "id": "references",
                "metadata": {},
                "source": source,
            }
        )
    return nb


def render(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    nums, stale = Numbers(), []
    OUT.mkdir(exist_ok=True)
    for stem in chapters():
        path, text = OUT / f"{stem}.ipynb", render(clean(stem, nums))
        if "--check" not in argv:
            path.write_text(text, encoding="utf-8")
        elif not path.exists() or path.read_text("utf-8") != text:
            stale.append(path.name)
    if stale:
        print("out of date; run scripts/clean_notebooks.py:", *stale)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
