"""README's two commands are the ones CI runs, verbatim."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    blocks = re.findall(
        r"```bash\n(.*?)```",
        (ROOT / "README.md").read_text(encoding="utf-8"),
        flags=re.S,
    )
    return [b.strip() for b in blocks if "python3 -m venv .venv" in b]


def test_readme_gives_a_build_and_a_test_command():
    cmds = readme_commands()
    assert len(cmds) == 2, cmds
    assert cmds[0].endswith("jupyter-book build . -W -n --keep-going")
    assert cmds[1].endswith(".venv/bin/python -m pytest")


def test_ci_runs_the_readme_commands_verbatim():
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for cmd in readme_commands():
        assert cmd in ci_lines, f"{cmd!r} is not a line of .ci/run"


def test_jupyter_book_is_pinned_to_1x():
    pins = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    match = re.search(r"^jupyter-book==(\d+)\.", pins, flags=re.M)
    assert match and match.group(1) == "1", (
        "Jupyter Book 2.x cannot build offline"
    )
    assert re.search(r"^-e \.$", pins, flags=re.M), (
        "requirements.txt must install klnotes itself"
    )
