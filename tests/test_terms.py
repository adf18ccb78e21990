"""Reuse terms and the one version number: licence files, citation file, change log."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

import klnotes

ROOT = Path(__file__).resolve().parent.parent


def test_licences_for_code_and_for_text():
    assert (
        (ROOT / "LICENSE")
        .read_text(encoding="utf-8")
        .startswith("MIT License")
    )
    content = (ROOT / "LICENSE-CONTENT.md").read_text(encoding="utf-8")
    assert (
        "CC BY 4.0" in content
        and "creativecommons.org/licenses/by/4.0" in content
    )


def test_citation_file_is_valid_and_names_this_version():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    for key in (
        "cff-version",
        "message",
        "title",
        "authors",
        "version",
        "license",
    ):
        assert key in cff, key
    assert str(cff["version"]) == klnotes.__version__
    assert set(cff["license"]) == {"MIT", "CC-BY-4.0"}


def test_change_log_starts_at_this_version():
    log = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## (\S+)", log, flags=re.M)
    assert first is not None and first.group(1) == klnotes.__version__
