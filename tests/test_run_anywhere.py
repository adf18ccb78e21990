"""A chapter runs where a reader opens it: a fresh Colab-like runtime, and Binder.

Colab gives a Python with NumPy, SciPy, matplotlib, mpmath and Jupyter, but not
klnotes. Every chapter's first (hidden) cell installs klnotes from the repository
named in ``_config.yml`` when it is missing. The first test simulates that offline:

- a fresh virtual environment that sees the chapters' third-party packages (linked
  from this environment) but not klnotes;
- git is told (``url.<local>.insteadOf``) that the repository address is a local
  bare repository holding this checkout's tracked files (``git stash create``, so
  uncommitted edits of tracked files count), so the install cell runs unchanged;
- pip runs offline (``PIP_NO_INDEX``): everything but klnotes must already be there;
- chapter 1 is executed top to bottom in a kernel of that environment, and its
  printed outputs must equal the stored ones.

Binder's environment is checked by ``nox -s binder`` (it needs the package index);
``tests/test_readme.py`` checks that its pins are the lock's.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from project_scripts import load as load_script

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "book" / "01_definition.ipynb"
# Entries of this environment's site-packages that a fresh runtime must not see.
HIDDEN = (
    "klnotes",
    "__editable__",
    "pip",
    "setuptools",
    "_distutils_hack",
    "distutils-precedence",
)

fresh_env = load_script("fresh_env")


@pytest.fixture(scope="module")
def fresh_runtime(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("colab")
    python, purelib = fresh_env.new_venv(
        tmp, see=lambda name: not name.startswith(HIDDEN)
    )
    env = fresh_env.clean_env()
    probe = subprocess.run(
        [python, "-c", "import klnotes"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp,
    )
    assert probe.returncode != 0, (
        "the fresh runtime must start without klnotes"
    )
    return tmp, python, purelib, env


def test_install_cell_installs_klnotes_and_chapter_1_runs(fresh_runtime):
    tmp, python, purelib, env = fresh_runtime
    repo = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))[
        "repository"
    ]
    bare = (
        tmp / "klnotes.git"
    )  # the repository the install cell names, served from this checkout
    fresh_env.run("git", "init", "--quiet", "--bare", bare)
    rev = fresh_env.run("git", "-C", ROOT, "stash", "create").strip() or "HEAD"
    fresh_env.run(
        "git",
        "-C",
        ROOT,
        "push",
        "--quiet",
        bare,
        f"{rev}:refs/heads/{repo['branch']}",
    )
    kernel_env = {
        **env,
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{bare.as_uri()}.insteadOf",
        "GIT_CONFIG_VALUE_0": repo["url"],
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip reads this as --no-build-isolation
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    nb = fresh_env.execute_in(python, CHAPTER, tmp, kernel_env)
    installed = sorted(p.name for p in purelib.glob("klnotes*"))
    assert "klnotes" in installed, (
        f"the install cell did not install klnotes into the runtime: {installed}"
    )
    assert fresh_env.mismatches(nb, CHAPTER) == []
