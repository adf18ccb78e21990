"""Write the chapters as plain Jupyter notebooks: notebooks/NN_topic.ipynb.

    python scripts/clean_notebooks.py            (write them)
    python scripts/clean_notebooks.py --check    (exit 1 if any is out of date)

The stored executed chapters (book/NN_topic.ipynb) are written in MyST, which Jupyter,
JupyterLab and Colab show as literal text. These copies have the same cells and outputs
with the markup resolved the way the site resolves it: citations as author-year text
linked to the DOI or URL of their book/references.bib entry (and a reference list at the
end), equation, theorem, exercise and figure references as the site's numbers ("(3.4)",
"Theorem 2.6"), theorems and exercises as headed paragraphs, solutions collapsed in
<details>, labelled displays with \\tag. The Binder and Colab buttons and the notebook
download of the site use them (book/_ext/editions.py). Block structure comes from
myst-parser's markdown-it parser; citations from pybtex (both dependencies of the book).
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
    """Stems of the numbered chapters, in the order (and so the numbers) of _toc.yml."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [
        Path(c["file"]).name
        for part in toc["parts"]
        if part.get("numbered")
        for c in part["chapters"]
    ]


def directive_parts(content: str) -> tuple[dict[str, str], str]:
    """Split a directive's ``:key: value`` options from its body."""
    lines, options = content.splitlines(), {}
    while lines and (m := re.match(r"^:([\w-]+):\s*(.*)$", lines[0])):
        options[m.group(1)] = m.group(2).strip()
        lines.pop(0)
    return options, "\n".join(lines).strip("\n")


def notebook(stem: str) -> dict:
    return json.loads((ROOT / "book" / f"{stem}.ipynb").read_text("utf-8"))


def directive(tok) -> re.Match | None:
    """``{name} argument`` of a directive fence, None for any other token."""
    if tok.type in ("fence", "colon_fence"):
        return DIRECTIVE.match(tok.info)
    return None


def blocks(text: str):
    """Top-level markdown-it tokens with their line ranges (directive fences included)."""
    for tok in MD.parse(text):
        if tok.level == 0 and tok.map and not tok.type.endswith("_close"):
            yield tok


class Numbers:
    """What the site prints for a reference to each label, numbered as Sphinx does:
    per chapter, one counter per kind of theorem, exercises, labelled displays, figures.
    ``edition_tests/test_notebooks.py`` checks every number against the built site."""

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
        for tok in blocks(text):
            if tok.type == "math_block_label":
                self.add(tok.info, "eq", "({})")
            elif tok.type == "myst_target":
                target = tok.content
            elif tok.type == "heading_open" and target:
                self.labels[target] = text.splitlines()[tok.map[0]].lstrip(
                    "# "
                )
                target = None
            elif m := directive(tok):
                options, body = directive_parts(tok.content)
                if m.group(1) in NAMES:
                    label = options["label"]
                    self.add(label, m.group(1), NAMES[m.group(1)] + " {}")
                    self.titles[label] = m.group(2)
                self.walk(body)


def cite(keys: str, cited: list[str]) -> str:
    """``{cite}`a,b``` -> [Author and Other, year; Author et al., year], linked."""
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
    """Inline roles as the site prints them (a role is ``{name}`content```)."""

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


def convert(text: str, nums: Numbers, cited: list[str]) -> str:
    """One MyST markdown cell -> plain Jupyter markdown."""
    lines, out, pos = text.splitlines(), [], 0
    for tok in blocks(text):
        start, end = tok.map
        out += lines[pos:start]
        pos = end
        if tok.type == "myst_target":
            continue
        if tok.type == "math_block_label":
            n = nums.labels[tok.info].strip("()")
            out.append(f"$$\n{tok.content.strip()}\n\\tag{{{n}}}\n$$")
            continue
        if not (m := directive(tok)):
            out.append(roles("\n".join(lines[start:end]), nums, cited))
            continue
        name, arg = m.groups()
        if name == "tabularcolumns":  # the PDF's column widths
            continue
        options, body = directive_parts(tok.content)
        body = convert(body, nums, cited)
        if name in NAMES:
            title = roles(arg, nums, cited)
            head = nums.labels[options["label"]] + (
                f" ({title})" if title else ""
            )
            out.append(
                f"#### {head}\n\n{body}"
                if name == "exercise"
                else f"**{head}.**" + glue(body)
            )
        elif name == "prf:proof":
            end = "\n\n" if body.endswith("$$") else " "
            out.append("*Proof.*" + glue(body) + end + "$\\square$")
        elif name in ("solution", "solution-start"):
            title = roles(nums.titles.get(arg, ""), nums, cited)
            head = f"Solution to {nums.labels[arg]}" + (
                f" ({title})" if title else ""
            )
            out.append(
                f"<details>\n<summary>{head}</summary>\n\n{body}\n\n</details>"
                if name == "solution"  # a gated solution spans several cells
                else f"##### {head}\n\n{body}".rstrip()
            )
        elif name == "solution-end":
            out.append("*(End of the solution.)*")
        elif name in ("admonition", "dropdown"):  # e.g. "Going deeper: ..."
            title = roles(arg, nums, cited)
            folded = name == "dropdown" or "dropdown" in options.get(
                "class", ""
            )
            out.append(
                f"<details>\n<summary>{title}</summary>\n\n{body}\n\n</details>"
                if folded
                else f"\n***\n\n**{title}**\n\n{body}\n\n***\n"
            )
        else:
            raise ValueError(
                f"no plain rendering for the directive {{{name}}}"
            )
    out += lines[pos:]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def references(cited: list[str]) -> str:
    """The entries a chapter cites, formatted and sorted as the bibliography is."""
    style = find_plugin("pybtex.style.formatting", "plain")()
    entries = style.format_bibliography(BIB, cited)
    return "## References\n\n" + "\n".join(
        "- " + " ".join(e.text.render_as("markdown").split()) for e in entries
    )


def clean(stem: str, nums: Numbers) -> dict:
    """The chapter's notebook with plain markdown cells and a reference list."""
    nb, cited = notebook(stem), []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text = convert("".join(cell["source"]), nums, cited)
            cell["source"] = text.splitlines(keepends=True)
    if cited:
        source = references(cited).splitlines(keepends=True)
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
