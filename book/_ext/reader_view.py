"""What the reader sees: site-wide fixes that need no change in any chapter.

Our templates first on the template path (see each file), klnotes.css/klnotes.js
(formulas, code, output and tables that fit or scroll with a cue), accessible Pygments
styles with each code line a ``span.line``, figures described by their caption and
linked to their file, ``tag_deeper`` cells marked ``deeper``, and upstream
defects worked around (each names its upstream report, or says none was found,
and when it can go): duplicate scripts, sphinx-thebe, citation lists, folded
cells' summaries and sphinx-proof's index.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from pygments.formatters import HtmlFormatter
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.highlighting import PygmentsBridge

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE.parent / "_templates"
STATIC = HERE.parent / "_static"
CSS_FILE = "klnotes.css"
JS_FILE = "klnotes.js"
CODE_STYLES = {
    "pygments_light_style": "a11y-high-contrast-light",
    "pygments_dark_style": "a11y-high-contrast-dark",
}
# every domain index except sphinx-proof's "prf-prf", which lists raw labels
# (thm-gibbs), not names. No report of the labels found; turning the index
# off was asked in executablebooks/sphinx-proof#81 (closed without a change).
# This can go when sphinx-proof lists titles or can turn its index off.
DOMAIN_INDICES = ["py-modindex"]

# TeX commands that commonly appear in captions, spelled as a screen reader should read them.
_TEX_WORDS = dict(
    pair.split("=")
    for pair in r"""\Vert=‖ \|=‖ \mid=| \le=≤ \leq=≤ \ge=≥ \geq=≥ \ne=≠ \approx=≈
    \infty=∞ \to=→ \times=× \cdot=· \pm=± \sim=∼ \log=log \exp=exp \alpha=α
    \beta=β \gamma=γ \delta=δ \epsilon=ε \varepsilon=ε \theta=θ \lambda=λ \mu=μ
    \pi=π \rho=ρ \sigma=σ \tau=τ \phi=φ \psi=ψ \chi=χ \Sigma=Σ \Delta=Δ""".split()
)
_TEX_COMMAND = re.compile(r"\\[A-Za-z]+ ?|\\.")


def plain_caption(caption: nodes.Node) -> str:
    """A figure caption as plain text, with its inline math spelled out readably.

    >>> from docutils import nodes
    >>> from reader_view import plain_caption
    >>> plain_caption(nodes.caption("", "", nodes.Text("KL "), nodes.math("", r"D(P\\Vert Q)")))
    'KL D(P‖Q)'
    """
    parts = []
    for node in caption.findall(nodes.Text):
        text = str(node)
        if isinstance(node.parent, nodes.math):
            text = text.replace(r"\mathcal{N}", "N").replace(
                r"\mathcal N", "N"
            )
            # a whole control word at a time (so \left is not read as \le + "ft"),
            # with the space TeX ignores after it
            text = _TEX_COMMAND.sub(
                lambda m: _TEX_WORDS.get(m.group(0).rstrip(), ""), text
            )
            text = re.sub(r"[{}^_]", "", text)
        parts.append(text)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def figure_alt_text(
    app: Sphinx, doctree: nodes.document, docname: str
) -> None:
    for figure in doctree.findall(nodes.figure):
        captions = [c for c in figure.children if isinstance(c, nodes.caption)]
        if not captions:
            continue
        text = plain_caption(captions[0])
        for image in figure.findall(nodes.image):
            alt, uri = image.get("alt", ""), image.get("uri", "")
            if not alt or alt == uri or Path(alt).name == Path(uri).name:
                image["alt"] = text


class LineFormatter(HtmlFormatter):
    """Pygments' HTML with each code line in ``<span class="line" style="--i:N">``.

    N is the line's indentation in columns; Pygments closes and reopens its token spans
    at line ends, so every line span is well formed.
    """

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.linespans = "line"

    def _wrap_linespans(self, inner):
        for is_line, line in inner:
            if is_line:
                text = re.sub(r"<[^>]+>", "", line)
                indent = len(text) - len(text.lstrip(" "))
                line = f'<span class="line" style="--i:{indent}">{line}</span>'
            yield is_line, line


def mark_deeper_cells(
    app: Sphinx, doctree: nodes.document, docname: str
) -> None:
    for node in doctree.findall(nodes.container):
        if "tag_deeper" in node["classes"] and "deeper" not in node["classes"]:
            node["classes"].append("deeper")


# docutils' HTML writer wraps citations in role="list" whose children are
# not list items (axe-core: aria-required-children). No report found on
# GitHub (docutils' own tracker, on SourceForge, was not searched); can go
# when docutils writes list items there, or no role="list".
_CITATION_LIST = '<div role="list" class="citation-list">'
# a figure's image (not already a link) becomes a link to the image file
_FIGURE_IMAGE = re.compile(
    r'(<figure[^>]*>\s*)(<img [^>]*src="([^"]+)"[^>]*>)'
)


def _script_key(script) -> tuple:
    # the same inline script (sphinx-togglebutton's), registered with filename
    # None and "": fixed by sphinx-doc/sphinx#13402 in Sphinx 8.2.2, which
    # Jupyter Book 1 cannot use (sphinx~=7.0); can go when the book leaves
    # Jupyter Book 1
    attrs = getattr(script, "attributes", {}) or {}
    return (
        str(getattr(script, "filename", script) or ""),
        tuple(sorted((k, str(v)) for k, v in attrs.items())),
    )


def page_context(
    app: Sphinx, pagename, templatename, context, doctree
) -> None:
    body = context.get("body")
    if body:
        body = body.replace(_CITATION_LIST, '<div class="citation-list">')
        # myst-nb names a folded cell's summary "Toggle hidden content" while
        # it shows "Show code cell source" (axe: label-content-name-mismatch);
        # without the label its name is the text it shows. No upstream report
        # found; can go when myst-nb drops this aria-label
        body = body.replace(
            '<summary aria-label="Toggle hidden content">', "<summary>"
        )
        context["body"] = _FIGURE_IMAGE.sub(
            r'\1<a class="klnotes-zoom" href="\3" title="Open the figure full size">\2</a>',
            body,
        )
    scripts = context.get("script_files", [])
    context["script_files"] = list(
        {_script_key(s): s for s in scripts}.values()
    )


def drop_thebe(app: Sphinx) -> None:
    # sphinx-thebe registers its handlers and stylesheet in its setup(); none
    # is wanted. Jupyter Book 1 always loads it (jupyter-book/jupyter-book#1603,
    # closed without an option): this can go when the book leaves Jupyter
    # Book 1
    for listeners in app.events.listeners.values():
        listeners[:] = [
            h
            for h in listeners
            if getattr(h.handler, "__module__", "") != "sphinx_thebe"
        ]
    app.registry.css_files = [
        c for c in app.registry.css_files if "thebe" not in c[0]
    ]


def configure(app: Sphinx, config: Config) -> None:
    config.templates_path = [str(TEMPLATES), *config.templates_path]
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    config.html_theme_options = {
        **(config.html_theme_options or {}),
        **CODE_STYLES,
    }
    config.html_domain_indices = DOMAIN_INDICES
    drop_thebe(app)


def setup(app: Sphinx) -> dict[str, bool]:
    PygmentsBridge.html_formatter = LineFormatter
    app.connect("config-inited", configure, priority=900)
    app.connect("doctree-resolved", figure_alt_text)
    app.connect("doctree-resolved", mark_deeper_cells)
    app.connect("html-page-context", page_context, priority=900)
    app.add_css_file(CSS_FILE)
    app.add_js_file(JS_FILE, loading_method="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
