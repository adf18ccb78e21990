"""Execute chapters from their sources into the stored notebooks.

    python scripts/execute_notebooks.py [chapters/NN_topic.md ...]   # default: all
    python scripts/execute_notebooks.py --check   # do sources and notebooks agree?

jupytext reads ``chapters/NN_topic.md``; nbclient runs it in a fresh ``python3``
kernel from ``book/`` (no cell timings, streams coalesced). This wrapper adds what
they do not do: cell ids derived from the cell's source, no per-run metadata,
and no rewrite of an unchanged notebook. A chapter's wall time goes to
``book/execution_times.json`` (read by the execution-time page and the course
guide) when its notebook is written, has no time yet, or with ``--record``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import platform
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import numpy as np
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
TIMES = BOOK / "execution_times.json"
KERNELSPEC = {
    "name": "python3",
    "display_name": "Python 3",
    "language": "python",
}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}
KEPT_CELL_METADATA = ("mystnb", "tags")


def pair(path: Path) -> tuple[Path, Path]:
    """The (source .md, notebook .ipynb) pair ``path`` (either) belongs to."""
    return ROOT / "chapters" / f"{path.stem}.md", BOOK / f"{path.stem}.ipynb"


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Make the notebook a function of its sources and outputs only."""
    # a NotebookNode (attribute access), as nbclient expects of metadata
    nb.metadata = nbformat.from_dict(
        {"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO}
    )
    nb.nbformat, nb.nbformat_minor = 4, 5
    seen: dict[str, int] = {}
    for cell in nb.cells:
        meta = cell.metadata
        cell.metadata = {k: meta[k] for k in KEPT_CELL_METADATA if k in meta}
        text = f"{cell.cell_type}\n{cell.source}".encode()
        digest = hashlib.sha1(text).hexdigest()[:12]
        seen[digest] = n = seen.get(digest, 0) + 1
        cell.id = digest if n == 1 else f"{digest}-{n}"
    return nbformat.from_dict(nb)


def differences(md: Path, ipynb: Path) -> list[str]:
    """Cells (type, source, kept metadata) of the notebook unlike the source's."""
    if not ipynb.exists():
        return [f"{ipynb.name} is missing"]
    src = normalise(jupytext.read(md)).cells
    out = nbformat.read(ipynb, as_version=4).cells
    problems = [f"{len(src)} cells in the source, {len(out)} in the notebook"]
    problems = problems if len(src) != len(out) else []
    for i, (a, b) in enumerate(zip(src, out, strict=False)):
        for what in ("cell_type", "source", "metadata"):
            if a[what] != b[what]:
                start = a.source.partition("\n")[0][:60]
                problems.append(f"cell {i} differs in its {what} ({start!r})")
                break
    return problems


def execute(md: Path) -> tuple[float, bool]:
    """Run one chapter; return (seconds, whether its notebook was written)."""
    ipynb = pair(md)[1]
    nb = normalise(jupytext.read(md))
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        record_timing=False,
        coalesce_streams=True,
        resources={"metadata": {"path": str(BOOK)}},
    ).execute()
    seconds = time.perf_counter() - start
    text = nbformat.writes(normalise(nb)) + "\n"
    changed = not ipynb.exists() or ipynb.read_text(encoding="utf-8") != text
    if changed:
        ipynb.write_text(text, encoding="utf-8")
    return seconds, changed


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("chapters", nargs="*", type=Path)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--record", action="store_true", help="record every time")
    args = ap.parse_args(argv)
    sources = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
    chosen = [pair(p)[0] for p in args.chapters] or sources
    if missing := [p.name for p in chosen if not p.exists()]:
        sys.exit(f"no such chapter source: {', '.join(missing)}")
    if args.check:
        bad = [f"{p.stem}: {d}" for p in chosen for d in differences(*pair(p))]
        print("\n".join(bad) or "sources and notebooks agree")
        return 1 if bad else 0
    times = json.loads(TIMES.read_text()) if TIMES.exists() else {}
    for md in chosen:
        seconds, changed = execute(md)
        if changed or args.record or md.stem not in times:
            times[md.stem] = {  # and what it was measured with
                "seconds": round(seconds, 1),
                "date": dt.date.today().isoformat(),
                "python": platform.python_version(),
                "numpy": np.__version__,
            }
        state = "written" if changed else "unchanged"
        print(f"book/{md.stem}.ipynb: {seconds:.1f} s, {state}", flush=True)
    TIMES.write_text(json.dumps(times, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
