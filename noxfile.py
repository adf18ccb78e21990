"""Every task of the project is a nox session; ``nox -l`` lists them.

All sessions share the one environment ``.venv`` (created from ``requirements.txt``,
see README), so nothing is installed twice: ``venv_backend="none"`` and ``.venv/bin``
first on ``PATH``. ``.ci/run`` calls the sessions in order (lint first).
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
BIN = ROOT / ".venv" / "bin"
LINTED = [
    "klnotes",
    "tests",
    "scripts",
    "benchmarks",
    "site_tests",
    "edition_tests",
    "assignment_tests",
    "noxfile.py",
    "book/_ext",
]
LOCKS = {  # compiled lock: its source
    "requirements.txt": "requirements.in",
    "requirements-lab.txt": "requirements-lab.in",
    "binder/requirements.txt": "binder/requirements.in",
    "requirements-teacher.txt": "requirements-teacher.in",
}

nox.needs_version = ">=2026.10.20"
nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "tests"]


def run(session: nox.Session, *args: str, **env: str) -> None:
    """Run a command with ``.venv/bin`` first on PATH."""
    if not (BIN / "python").exists():
        session.error(
            "no .venv: python3 -m venv .venv && "
            ".venv/bin/pip install -r requirements.txt"
        )
    path = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    program = BIN / args[0]
    first = str(program) if program.exists() else args[0]
    session.run(first, *args[1:], env={"PATH": path, **env}, external=True)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint, format, the chapter notebooks) and mypy."""
    run(session, "ruff", "check", *LINTED)
    run(session, "ruff", "format", "--check", *LINTED)
    notebooks = sorted(str(p) for p in ROOT.glob("book/[0-9][0-9]_*.ipynb"))
    run(session, "ruff", "check", *notebooks)
    run(session, "mypy", "klnotes")


@nox.session
def tests(session: nox.Session) -> None:
    """Unit, property and doctests, and every chapter under nbval (2 workers)."""
    # loadfile: a notebook's cells run in order in one kernel
    args = session.posargs or ["-n", "2", "--dist", "loadfile"]
    run(session, "python", "-m", "pytest", *args)


@nox.session
def portability(session: nox.Session) -> None:
    """nbval over the chapters with NumPy SIMD off and other OpenBLAS kernels."""
    run(session, "python", "scripts/portability.py", "--skip-as-is")


@nox.session
def book(session: nox.Session) -> None:
    """The site, warnings as errors: _build/html."""
    run(session, "jupyter-book", "build", ".", "-W", "-n", "--keep-going")


@nox.session
def pdf(session: nox.Session) -> None:
    """The whole book as a PDF (needs TeX Live: .ci/apt-packages.txt)."""
    run(session, "bash", "scripts/build_pdf.sh", JUPYTER_BOOK="jupyter-book")


@nox.session
def student(session: nox.Session) -> None:
    """The student edition (no solutions): _build/student/html."""
    run(session, "python", "scripts/build_student.py", "-W")


@nox.session
def editions(session: nox.Session) -> None:
    """The PDF and student-edition tests (after book, pdf and student)."""
    run(session, "python", "-m", "pytest", "edition_tests", *session.posargs)


@nox.session
def site(session: nox.Session) -> None:
    """The built site in headless Chromium, offline (after book and pdf).

    Extra arguments replace the default (every site test over 2 workers); ``.ci/run``
    runs the browser tests as soon as the site is built and the file checks, which
    need the PDF, after it."""
    args = session.posargs or ["-n", "2", "site_tests"]
    run(session, "python", "-m", "pytest", *args)


@nox.session
def binder(session: nox.Session) -> None:
    """A fresh environment from binder/ runs a chapter (needs the index)."""
    run(session, "python", "scripts/fresh_env.py", "binder")


@nox.session
def assignments(session: nox.Session) -> None:
    """The lab sheets' kit (otter-grader, in .venv-teacher), then its tests."""
    teacher = ROOT / ".venv-teacher" / "bin"
    if not (teacher / "python").exists():
        # uv (pinned in requirements.txt): the same pins as pip, with a
        # fraction of pip's CPU time
        run(
            session, "uv", "venv", "-q", ".venv-teacher", "--python", "python3"
        )
        pins = ["-r", "requirements.txt", "-r", "requirements-teacher.txt"]
        run(
            session,
            "uv",
            "pip",
            "install",
            "-q",
            "--compile-bytecode",  # as pip does; else every process compiles
            *pins,
            VIRTUAL_ENV=str(teacher.parent),
        )
    python = str(teacher / "python")
    session.run(python, "scripts/build_assignments.py", external=True)
    tests = ["-p", "no:cacheprovider", "assignment_tests", *session.posargs]
    session.run(python, "-m", "pytest", *tests, external=True)


@nox.session
def benchmarks(session: nox.Session) -> None:
    """Accuracy (must meet its contract) and speed, printed for the record."""
    for script in sorted(ROOT.glob("benchmarks/*.py")):
        run(session, "python", str(script.relative_to(ROOT)))


@nox.session
def lock(session: nox.Session) -> None:
    """Compile the pins from the *.in files (needs the index; not in CI)."""
    compile_ = ["uv", "pip", "compile", "--quiet", "--no-emit-index-url"]
    compile_ += ["--python-version", "3.11"]
    compile_ += ["--custom-compile-command", "nox -s lock"]
    compile_ += ["--annotation-style", "line"]
    run(session, *compile_, "requirements.in", "-o", "requirements.txt")
    # the book's pins as constraints (pip and uv take no editable line there)
    book = Path("_build", "lock", "requirements.txt")
    book.parent.mkdir(parents=True, exist_ok=True)
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    book.write_text("\n".join(x for x in lines if not x.startswith("-e")))
    for lock, source in list(LOCKS.items())[1:]:
        run(session, *compile_, "-c", str(book), source, "-o", lock)
