"""Tests of the built editions (PDF, student site). Run after building them:

    scripts/build_pdf.sh && .venv/bin/python scripts/build_student.py
    .venv/bin/python -m pytest -p no:cacheprovider edition_tests

They are not part of the default ``python -m pytest`` (pyproject's testpaths), because
they need the builds; ``.ci/run`` builds both and runs them. A missing build fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
