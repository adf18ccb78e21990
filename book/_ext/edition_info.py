"""The book's version (``klnotes.__version__``, the project's one version number),
build date (``SOURCE_DATE_EPOCH``'s when set) and reuse terms in every page's footer
(sphinx-book-theme's ``extra_footer``)."""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util.i18n import format_date


def version(srcdir: Path) -> str:
    """The project's one version number, ``klnotes.__version__`` (read, not imported)."""
    text = (srcdir / "klnotes" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, flags=re.M)
    if match is None:
        raise RuntimeError("klnotes/__init__.py defines no __version__")
    return match.group(1)


def _footer(app: Sphinx, config: Config) -> None:
    v = version(Path(app.srcdir))
    today = format_date("%Y-%m-%d", language="en")  # or SOURCE_DATE_EPOCH's
    config.version = config.release = v
    # {{ version }} in a page (the intro's "How to cite") is the same number
    config.myst_substitutions = {
        **(config.myst_substitutions or {}),
        "version": v,
    }
    options = dict(config.html_theme_options or {})
    repo = options.get("repository_url", "").rstrip("/")
    branch = options.get("repository_branch", "main")
    text = (
        f'<p class="klnotes-edition">KL notes {v}, built {today}. '
        "Text and figures: "
        '<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>; '
        "code: MIT. How to cite: see the "
        f'<a href="{repo}/blob/{branch}/CITATION.cff">citation file</a>.</p>'
    )
    options["extra_footer"] = (options.get("extra_footer") or "") + text
    config.html_theme_options = options


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("config-inited", _footer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
