"""Record how long each chapter takes when nbval runs it (for the execution-time page).

nbval runs every cell of book/NN_topic.ipynb as one test. When all cells of a chapter
ran in this session, the sum of their run times is merged into
``_build/execution_times.json`` (untracked), which the site's execution-time page reads.
Stored notebooks hold no timings, so re-running a chapter changes no tracked file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
TIMES = ROOT / "_build" / "execution_times.json"

_cells: dict[str, int] = defaultdict(int)
_seconds: dict[str, float] = defaultdict(float)
_ran: dict[str, int] = defaultdict(int)


def _chapter(nodeid: str) -> str | None:
    path = nodeid.split("::", 1)[0]
    if path.startswith("book/") and path.endswith(".ipynb"):
        return Path(path).stem
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if (stem := _chapter(item.nodeid)) is not None:
            _cells[stem] += 1


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    stem = _chapter(report.nodeid)
    if stem is not None and report.when == "call":
        _seconds[stem] += report.duration
        _ran[stem] += 1


def machine() -> dict[str, str | int]:
    """When and on what a time was measured (shown under the execution-time table)."""
    import numpy as np

    return {
        "date": dt.date.today().isoformat(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cores": os.cpu_count() or 0,
    }


def pytest_sessionfinish(session: pytest.Session) -> None:
    complete = {s: t for s, t in _seconds.items() if _ran[s] == _cells[s]}
    if not complete:
        return
    TIMES.parent.mkdir(exist_ok=True)
    try:
        times = json.loads(TIMES.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        times = {}
    for stem, seconds in complete.items():
        times[stem] = {
            "seconds": round(seconds, 2),
            "code_cells": _cells[stem],
            "by": "nbval",
            **machine(),
        }
    TIMES.write_text(
        json.dumps(times, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
