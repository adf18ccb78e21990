"""Run a chapter in another environment than the development one, as a reader would.

``python scripts/fresh_env.py binder [chapter.ipynb]`` (``nox -s binder``) makes a
fresh venv from ``binder/requirements.txt`` (needs the package index), installs
klnotes as ``binder/postBuild`` does, runs the chapter in a kernel of that venv and
compares every printed output with the stored one. The helpers also serve
``tests/test_run_anywhere.py`` (a Colab-like runtime) and ``tests/test_packaging.py``.
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
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def run(*cmd: str | Path, **kw) -> str:
    """Run a command; raise with its output if it fails; return its stdout."""
    r = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, **kw
    )
    if r.returncode:
        out = f"{r.stdout[-2000:]}{r.stderr[-2000:]}"
        raise RuntimeError(f"{cmd} failed ({r.returncode}):\n{out}")
    return r.stdout


def text_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """Each code cell's printed text (streams and text/plain), as nbval sees it."""
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
):
    """Execute ``notebook`` in a kernel of ``python`` with environment ``env``."""
    kernels = workdir / "kernels"
    (kernels / "fresh").mkdir(parents=True, exist_ok=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = {"argv": argv, "display_name": "fresh", "language": "python"}
    (kernels / "fresh" / "kernel.json").write_text(json.dumps(spec))
    specs = KernelSpecManager(kernel_dirs=[str(kernels)])
    km = KernelManager(kernel_name="fresh", kernel_spec_manager=specs)
    nb = nbformat.read(notebook, as_version=4)
    where = {"metadata": {"path": str(notebook.parent)}}
    # nbclient passes env on to KernelManager.start_kernel; cleanup_kc: shut
    # the kernel down and close its channels although the manager is ours
    client = NotebookClient(nb, km=km, timeout=600, resources=where)
    client.execute(env=env, cleanup_kc=True)
    return nb


def mismatches(nb: nbformat.NotebookNode, notebook: Path) -> list[int]:
    """Code cells whose printed output differs from the stored notebook's."""
    stored = text_outputs(nbformat.read(notebook, as_version=4))
    pairs = zip(text_outputs(nb), stored, strict=True)
    return [i for i, (a, b) in enumerate(pairs) if a != b]


def new_venv(
    where: Path, *, see: Callable[[str], bool], with_pip: bool = True
):
    """A fresh venv that also sees this environment's packages whose name passes ``see``.

    They are linked into ``where/packages``, which a ``.pth`` file puts on the venv's
    path, so no package index is needed. Returns (python, site-packages).
    """
    venv = where / "venv"
    run(
        sys.executable,
        "-m",
        "venv",
        venv,
        *([] if with_pip else ["--without-pip"]),
    )
    python = venv / "bin" / "python"
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = Path(run(python, "-c", code).strip())
    linked = where / "packages"
    linked.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if entry.suffix != ".pth" and see(entry.name.lower()):
            (linked / entry.name).symlink_to(entry)
    (purelib / "_linked_packages.pth").write_text(f"{linked}\n")
    return python, purelib


def clean_env() -> dict[str, str]:
    """This process's environment without what would leak the working tree in."""
    leaks = ("PYTHONPATH", "VIRTUAL_ENV")
    return {k: v for k, v in os.environ.items() if k not in leaks}


def check_binder(notebook: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        python, _ = new_venv(Path(tmp), see=lambda name: False, with_pip=False)
        # the pins as repo2docker's pip installs them, by uv (requirements.txt):
        # the same wheels with a fraction of pip's CPU time
        uv = [Path(sys.executable).with_name("uv"), "pip", "install", "-q"]
        run(*uv, "-p", python, "-r", ROOT / "binder" / "requirements.txt")
        run(*uv, "-p", python, "--no-deps", ROOT)  # as binder/postBuild
        nb = execute_in(python, notebook, Path(tmp), clean_env())
        bad = mismatches(nb, notebook)
    name = notebook.relative_to(ROOT)
    if bad:
        print(f"binder: {name}: printed output differs in code cells {bad}")
        return 1
    print(
        f"binder: {name} ran in a fresh binder/ environment; outputs as stored"
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] != "binder":
        sys.exit(__doc__)
    default = ROOT / "book" / "04_gaussian.ipynb"
    chapter = Path(sys.argv[2]) if len(sys.argv) > 2 else default
    sys.exit(check_binder(chapter.resolve()))
