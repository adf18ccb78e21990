"""Build the teacher's kit from the lab sheets: otter-grader does the work.

For every lab sheet ``labs/NN_topic.md`` (MyST text, otter-assign format) this
runs ``otter assign``, which executes the reference solutions and checks that
they pass every test, into ``_build/assignments/NN_topic/``:

* ``student/``: the notebook a class receives (statements, answer cells,
  ``grader.check`` cells, the public checks in ``tests/``; no solutions);
* ``autograder/``: the solution notebook and ``autograder.zip``, which grades
  a submission with the public and the hidden checks
  (``otter run -a autograder.zip submission.ipynb``).

``--publish`` also copies each student folder to ``labs/student/`` (the copy
the chapter pages, Colab and Binder open), with stable cell ids so that an
unchanged sheet gives an unchanged file. Needs the teacher tools:
``pip install -r requirements-teacher.txt``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
OTTER = Path(sys.executable).with_name("otter")


def build(source: Path, out: Path) -> Path:
    """Run otter assign on one lab sheet; return its output folder."""
    dest = out / source.stem
    shutil.rmtree(dest, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        master = Path(tmp) / f"{source.stem}.ipynb"
        nbformat.write(jupytext.read(source), master)
        subprocess.run(
            [str(OTTER), "assign", "--no-pdfs", str(master), str(dest)],
            check=True,
            cwd=tmp,
        )
    for zipped in (dest / "autograder").glob("*-autograder_*.zip"):
        zipped.rename(zipped.with_name("autograder.zip"))
    for part in ("student", "autograder"):
        path = dest / part / f"{source.stem}.ipynb"
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            cell.id = f"{source.stem}-{i}"
        nbformat.write(nb, path)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "_build" / "assignments"
    )
    parser.add_argument("--publish", action="store_true")
    parser.add_argument("sheets", nargs="*", type=Path)
    args = parser.parse_args()
    sheets = args.sheets or sorted((ROOT / "labs").glob("[0-9][0-9]_*.md"))
    for source in sheets:
        dest = build(source.resolve(), args.out.resolve())
        if args.publish:
            published = ROOT / "labs" / "student" / source.stem
            shutil.rmtree(published, ignore_errors=True)
            shutil.copytree(dest / "student", published)
        print(f"{source.stem}: {dest.relative_to(args.out.resolve().parent)}")


if __name__ == "__main__":
    main()
