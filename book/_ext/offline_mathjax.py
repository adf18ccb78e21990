"""Serve MathJax from the built site itself, so that its pages render math offline.

Sphinx points pages at a CDN copy of MathJax by default, which a reader without a
network (or this project's build machines) cannot load. The PyPI package
``django-static-mathjax`` ships MathJax 3.2.2 as package data (it needs nothing from
Django to be read); this extension copies the parts the site uses into
``_build/html/_static/mathjax/`` and ``_config.yml`` sets
``mathjax_path: mathjax/tex-chtml.js``, which Sphinx resolves under ``_static``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx

#: The TeX-input, CHTML-output bundle and what it loads on demand: TeX extensions
#: (autoload), the CHTML fonts, the context menu and its accessibility components.
PARTS = ("tex-chtml.js", "input", "output/chtml", "ui", "a11y", "sre")


def mathjax_source() -> Path:
    import mathjax  # django-static-mathjax

    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source, dest = mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    for part in PARTS:
        src, dst = source / part, dest / part
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


def setup(app: Sphinx) -> dict[str, bool]:
    if not (mathjax_source() / "tex-chtml.js").is_file():
        raise RuntimeError(
            "MathJax not found: install django-static-mathjax (it is in requirements.txt)"
        )
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
