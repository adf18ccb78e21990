"""Re-execute the book's notebooks in place, so that their stored outputs are current.

Run this after changing klnotes or a chapter, then commit the notebooks:

    python scripts/execute_notebooks.py                 # every chapter under book/
    python scripts/execute_notebooks.py book/01_definition.ipynb

Each notebook is run top to bottom in a fresh ``python3`` kernel from the book/
directory (as nbval and Jupyter do), execution counts are renumbered 1, 2, 3, ...,
and the wall time of each run is printed and stored in the notebook's metadata
(``metadata.klnotes.execution_seconds``, shown on the site's execution-time page). A cell that raises stops the run and the
notebook is not written.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timestamps would make every run a diff
    nb.metadata.setdefault("klnotes", {})["execution_seconds"] = round(elapsed, 1)  # the site's timing page
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"{path.relative_to(ROOT) if path.is_absolute() else path}: {execute(path.resolve()):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
