"""Build the teacher's kit from the lab sheets: otter-grader does the work.

For every lab sheet ``labs/NN_topic.md`` (MyST text, otter-assign format) this
runs otter assign into ``_build/assignments/NN_topic/``: ``student/`` (what a
class receives: no solutions, the public checks in ``tests/``) and
``autograder/`` (the solution notebook and ``autograder.zip``, which grades a
submission with the public and hidden checks: ``otter run -a autograder.zip
submission.ipynb``). It then grades the solution notebook with that zip, into
``results.json``, and fails unless it gets full marks. ``--publish`` copies
each student folder to ``labs/student/`` (what the chapter pages, Colab and
Binder open), with stable cell ids. Needs ``requirements-teacher.txt``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import jupytext
import nbformat
from otter.assign import main as otter_assign
from otter.run import main as otter_run

ROOT = Path(__file__).resolve().parents[1]


def build(source: Path) -> Path:
    """Run otter assign on one lab sheet and grade its solutions."""
    dest = ROOT / "_build" / "assignments" / source.stem
    shutil.rmtree(dest, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        master = Path(tmp) / f"{source.stem}.ipynb"
        nbformat.write(jupytext.read(source), master)
        # the solutions are graded below, once, keeping the results
        otter_assign(str(master), str(dest), no_pdfs=True, no_run_tests=True)
    for zipped in (dest / "autograder").glob("*-autograder_*.zip"):
        zipped.rename(zipped.with_name("autograder.zip"))
    for part in ("student", "autograder"):
        path = dest / part / f"{source.stem}.ipynb"
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            cell.id = f"{source.stem}-{i}"
        nbformat.write(nb, path)
    results = otter_run(
        str(dest / "autograder" / f"{source.stem}.ipynb"),
        autograder=str(dest / "autograder" / "autograder.zip"),
        output_dir=str(dest),
        no_logo=True,
    )
    if results.total != results.possible:
        sys.exit(
            f"{source.stem}: the solutions lose marks\n{results.summary()}"
        )
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--publish", action="store_true")
    parser.add_argument("sheets", nargs="*", type=Path)
    args = parser.parse_args()
    sheets = args.sheets or sorted((ROOT / "labs").glob("[0-9][0-9]_*.md"))
    for source in sheets:
        dest = build(source.resolve())
        if args.publish:
            published = ROOT / "labs" / "student" / source.stem
            shutil.rmtree(published, ignore_errors=True)
            shutil.copytree(dest / "student", published)
        print(f"{source.stem}: {dest.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
