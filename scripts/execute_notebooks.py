"""Generate the stored, executed chapter notebooks from their text sources.

The one loop for changing a chapter: edit ``chapters/NN_topic.md`` (MyST Markdown),
then run

    python scripts/execute_notebooks.py                          # every chapter
    python scripts/execute_notebooks.py chapters/01_definition.md  # one (or its .ipynb)
    python scripts/execute_notebooks.py --check                  # sources vs notebooks

Each chapter is read from its Markdown source with jupytext, executed top to bottom in
a fresh ``python3`` kernel from the ``book/`` directory (as nbval and Jupyter run it),
and written to ``book/NN_topic.ipynb``, the file that nbval compares and the site
renders. A cell that raises stops the run and nothing is written.

The stored notebook holds nothing that changes from run to run unless an output really
changed: execution counts are 1, 2, 3, ...; cell ids are derived from the cell's source
(so they are the same on every run and machine); no timestamps, timings or Python patch
versions are stored. Re-executing an unchanged chapter therefore leaves the file
byte-for-byte unchanged (the script says "unchanged"). Wall times go to
``_build/execution_times.json`` (not under version control), which the site's
execution-time page reads.

``--check`` executes nothing: it reports every chapter whose notebook is missing or
whose cells differ from the source (the same comparison as ``tests/test_sources.py``),
and exits 1 if there is one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import numpy as np
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "chapters"
BOOK = ROOT / "book"
TIMES = ROOT / "_build" / "execution_times.json"
KERNELSPEC = {
    "name": "python3",
    "display_name": "Python 3",
    "language": "python",
}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}
# cell metadata a stored notebook keeps; everything else (execution timestamps,
# editor state) is per-run churn
KEPT_CELL_METADATA = ("mystnb", "tags")


def pair(path: Path) -> tuple[Path, Path]:
    """The (source .md, notebook .ipynb) pair that ``path`` (either of them) belongs to."""
    stem = path.stem
    return SOURCES / f"{stem}.md", BOOK / f"{stem}.ipynb"


def chapter_stems() -> list[str]:
    return sorted(p.stem for p in SOURCES.glob("[0-9][0-9]_*.md"))


def _cell_key(cell: nbformat.NotebookNode) -> tuple[str, str, str]:
    meta = {
        k: cell.metadata[k] for k in KEPT_CELL_METADATA if k in cell.metadata
    }
    return cell.cell_type, cell.source, json.dumps(meta, sort_keys=True)


def differences(md: Path, ipynb: Path) -> list[str]:
    """Where the notebook's cells (type, source, kept metadata) differ from the source's."""
    if not ipynb.exists():
        return [f"{ipynb.relative_to(ROOT)} is missing"]
    src = [_cell_key(c) for c in jupytext.read(md).cells]
    out = [_cell_key(c) for c in nbformat.read(ipynb, as_version=4).cells]
    problems = []
    if len(src) != len(out):
        problems.append(
            f"{len(src)} cells in the source, {len(out)} in the notebook"
        )
    for i, (a, b) in enumerate(zip(src, out, strict=False)):
        if a != b:
            what = (
                "type"
                if a[0] != b[0]
                else "source"
                if a[1] != b[1]
                else "metadata"
            )
            first = a[1].splitlines()[0] if a[1] else ""
            problems.append(
                f"cell {i} differs in its {what} (source cell starts {first[:60]!r})"
            )
    return problems


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Make the stored notebook a function of its sources and outputs only."""
    nb.metadata = nbformat.NotebookNode(
        kernelspec=dict(KERNELSPEC), language_info=dict(LANGUAGE_INFO)
    )
    nb.nbformat, nb.nbformat_minor = 4, 5
    seen: dict[str, int] = {}
    for cell in nb.cells:
        cell.metadata = nbformat.NotebookNode(
            {
                k: cell.metadata[k]
                for k in KEPT_CELL_METADATA
                if k in cell.metadata
            }
        )
        digest = hashlib.sha1(
            f"{cell.cell_type}\n{cell.source}".encode()
        ).hexdigest()[:12]
        seen[digest] = seen.get(digest, 0) + 1
        cell.id = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    return nb


def merge_streams(
    outputs: list[nbformat.NotebookNode],
) -> list[nbformat.NotebookNode]:
    """Join consecutive stream outputs of the same name.

    How a cell's printing is split into stream messages depends on when the kernel
    flushed, i.e. on timing; the joined text does not.
    """
    merged: list[nbformat.NotebookNode] = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (
            out.output_type == "stream"
            and prev is not None
            and prev.output_type == "stream"
            and prev.name == out.name
        ):
            prev.text += out.text
        else:
            merged.append(out)
    return merged


def execute(stem: str) -> tuple[float, bool]:
    """Execute one chapter from its source; return (seconds, whether the file changed)."""
    md, ipynb = pair(Path(stem))
    nb = normalise(jupytext.read(md))
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(BOOK)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    text = nbformat.writes(normalise(nb)) + "\n"
    changed = not ipynb.exists() or ipynb.read_text(encoding="utf-8") != text
    if changed:
        ipynb.write_text(text, encoding="utf-8")
    record_time(stem, elapsed, sum(c.cell_type == "code" for c in nb.cells))
    return elapsed, changed


def record_time(stem: str, seconds: float, cells: int) -> None:
    """Merge one chapter's wall time into ``_build/execution_times.json``."""
    TIMES.parent.mkdir(exist_ok=True)
    try:
        times = json.loads(TIMES.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        times = {}
    times[stem] = {
        "seconds": round(seconds, 2),
        "code_cells": cells,
        "by": "scripts/execute_notebooks.py",
        "date": dt.date.today().isoformat(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cores": os.cpu_count() or 0,
    }
    TIMES.write_text(
        json.dumps(times, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "chapters",
        nargs="*",
        type=Path,
        help="chapters/NN_*.md or book/NN_*.ipynb (default: all)",
    )
    ap.add_argument(
        "--check",
        action="store_true",
        help="only compare sources with notebooks",
    )
    args = ap.parse_args(argv)
    stems = [p.stem for p in args.chapters] or chapter_stems()
    missing = [s for s in stems if not pair(Path(s))[0].exists()]
    if missing:
        print(
            f"no source chapters/<name>.md for: {', '.join(missing)}",
            file=sys.stderr,
        )
        return 2
    if args.check:
        bad = 0
        for stem in stems:
            for problem in differences(*pair(Path(stem))):
                print(f"{stem}: {problem}")
                bad += 1
        print(
            "sources and notebooks agree"
            if not bad
            else f"{bad} difference(s): run scripts/execute_notebooks.py"
        )
        return 1 if bad else 0
    for stem in stems:
        seconds, changed = execute(stem)
        print(
            f"book/{stem}.ipynb: {seconds:.1f} s, {'written' if changed else 'unchanged'}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
