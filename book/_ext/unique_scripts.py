"""Drop exact duplicates from each page's script list.

With Sphinx 7.4, sphinx-thebe's configuration script (``const THEBE_JS_URL = ...``)
and sphinx-togglebutton's selector script are added to every page twice, and the second copy raises "Identifier 'THEBE_JS_URL'
has already been declared" in the browser console (found by site_tests). A script
that is identical in file name, inline body and attributes can be dropped without
changing behaviour, whichever extension added it twice.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _key(script) -> tuple:
    # An inline script is registered with filename None by one extension and "" by
    # another; both mean "no file", so they are normalised before comparing.
    filename = getattr(script, "filename", script) or ""
    attrs = getattr(script, "attributes", {}) or {}
    return (
        str(filename),
        tuple(sorted((k, str(v)) for k, v in attrs.items())),
    )


def drop_duplicate_scripts(
    app: Sphinx, pagename, templatename, context, doctree
) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
