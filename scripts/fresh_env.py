"""Run a chapter in an environment other than the development one, as a reader would.

Used by ``tests/test_run_anywhere.py`` (a Colab-like runtime without klnotes, offline)
and, from ``.ci/run``, as a command that checks the Binder environment:

    python scripts/fresh_env.py binder [chapter.ipynb]

which creates a fresh virtual environment from ``binder/requirements.txt`` (this needs
the package index, like ``pip install -r requirements.txt``), installs klnotes the way
``binder/postBuild`` does, executes the chapter top to bottom in a kernel of that
environment, and compares every printed output with the stored one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def run(*cmd: str | Path, **kw: object) -> str:
    """Run a command, raise with its output if it fails, return its stdout."""
    r = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, **kw
    )  # type: ignore[call-overload]
    if r.returncode:
        raise RuntimeError(
            f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n{r.stdout[-2000:]}{r.stderr[-2000:]}"
        )
    return r.stdout


def text_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """Each code cell's printed text (streams and text/plain), as nbval compares it."""
    return [
        "".join(
            "".join(o.get("text", ""))
            + "".join(o.get("data", {}).get("text/plain", ""))
            for o in c.outputs
        )
        for c in nb.cells
        if c.cell_type == "code"
    ]


def execute_in(
    python: Path, notebook: Path, workdir: Path, env: Mapping[str, str]
) -> nbformat.NotebookNode:
    """Execute ``notebook`` in a kernel run by ``python``, with ``env`` as the kernel's environment."""
    spec_dir = workdir / "jupyter" / "kernels" / "fresh"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [
            str(python),
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
        ],
        "display_name": "fresh environment",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    nb = nbformat.read(notebook, as_version=4)
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({**env, "JUPYTER_PATH": str(workdir / "jupyter")})
    try:
        NotebookClient(
            nb,
            timeout=600,
            kernel_name="fresh",
            resources={"metadata": {"path": str(notebook.parent)}},
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb


def mismatches(nb: nbformat.NotebookNode, notebook: Path) -> list[int]:
    """Indices of code cells whose printed output differs from the stored notebook's."""
    stored = text_outputs(nbformat.read(notebook, as_version=4))
    return [
        i
        for i, (a, b) in enumerate(zip(text_outputs(nb), stored, strict=True))
        if a != b
    ]


def new_venv(
    where: Path, *, see: Callable[[str], bool], with_pip: bool = True
) -> tuple[Path, Path]:
    """A fresh venv that also sees some of this environment's installed packages.

    Every entry of this interpreter's site-packages whose (lower-case) name passes
    ``see`` is linked into ``where/packages``, which the new venv puts on its path
    (a ``.pth`` file), so the venv gets them without the package index. Returns the
    venv's python and its site-packages directory.
    """
    venv = where / "venv"
    args = [sys.executable, "-m", "venv", venv] + (
        [] if with_pip else ["--without-pip"]
    )
    run(*args)
    python = venv / "bin" / "python"
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = Path(run(python, "-c", code).strip())
    linked = where / "packages"
    linked.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if entry.suffix != ".pth" and see(entry.name.lower()):
            (linked / entry.name).symlink_to(entry)
    (purelib / "_linked_packages.pth").write_text(
        f"{linked}\n", encoding="utf-8"
    )
    return python, purelib


def clean_env() -> dict[str, str]:
    """This process's environment without anything that would leak the working tree in."""
    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }


def check_binder(notebook: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        venv = work / "venv"
        run(sys.executable, "-m", "venv", venv)
        python = venv / "bin" / "python"
        run(
            python,
            "-m",
            "pip",
            "install",
            "-q",
            "-r",
            ROOT / "binder" / "requirements.txt",
        )
        run(
            python, "-m", "pip", "install", "-q", "--no-deps", ROOT
        )  # as binder/postBuild
        nb = execute_in(python, notebook, work, clean_env())
        bad = mismatches(nb, notebook)
    name = notebook.relative_to(ROOT)
    if bad:
        print(
            f"binder: {name}: printed output differs from the stored one in code cells {bad}"
        )
        return 1
    print(
        f"binder: {name} ran top to bottom in a fresh binder/requirements.txt environment; "
        "every printed output equals the stored one"
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] != "binder":
        sys.exit(__doc__)
    chapter = (
        Path(sys.argv[2])
        if len(sys.argv) > 2
        else ROOT / "book" / "04_gaussian.ipynb"
    )
    sys.exit(check_binder(chapter.resolve()))
