"""Serve the Vega libraries of ``klnotes.interactive.show``'s figures from the site.

The bundle (Vega, Vega-Lite, vega-embed, as the ``vl-convert-python`` wheel carries
them: no network) goes into ``_static`` and, deferred, into the pages with a figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

BUNDLE = "vega-bundle.js"
MARKER = 'class="klnotes-interactive"'


def write_bundle(app: Sphinx) -> None:
    """Write the bundle once per vl-convert version into the build's cache."""
    if app.builder.format != "html":
        return
    import vl_convert as vlc

    folder = Path(app.doctreedir).parent / "vega" / vlc.get_vega_version()
    if not (folder / BUNDLE).exists():
        folder.mkdir(parents=True, exist_ok=True)
        # in a function: the bundle's top-level names would clash with the page's
        bundle = "(() => {\n" + vlc.javascript_bundle() + "\n})();\n"
        (folder / BUNDLE).write_text(bundle, encoding="utf-8")
    app.config.html_static_path = [*app.config.html_static_path, str(folder)]


def add_bundle(
    app: Sphinx, pagename: str, templatename: str, context: Any, doctree: Any
) -> None:
    """Load the bundle on a page that shows an interactive figure."""
    if doctree is not None and any(
        MARKER in node.astext() for node in doctree.findall(nodes.raw)
    ):
        app.add_js_file(BUNDLE, loading_method="defer")


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("builder-inited", write_bundle)
    app.connect("html-page-context", add_bundle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
