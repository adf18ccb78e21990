"""Build the student edition: the website without solutions, into _build/student/html.

    python scripts/build_student.py [-W]

It is the ordinary Jupyter Book build of this repository (same _config.yml, same
_toc.yml, same sources) with one setting changed: sphinx-exercise's ``hide_solutions``.
``book/_ext/editions.py`` extends that option to gated solutions (``solution-start`` …
``solution-end``), whose prose and code cells sphinx-exercise would otherwise leave in
the page. Its own doctrees go to _build/student/.doctrees, so it does not disturb the
full edition in _build/html. ``edition_tests/test_student.py`` checks the result.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from jupyter_book.sphinx import build_sphinx

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-W", action="store_true", help="turn warnings into errors"
    )
    args = parser.parse_args()
    out = ROOT / "_build" / "student" / "html"
    if out.exists():
        shutil.rmtree(
            out.parent
        )  # a fresh build: no page survives from an older one
    result = build_sphinx(
        ROOT,
        out,
        use_external_toc=True,
        noconfig=True,
        path_config=str(ROOT / "_config.yml"),
        confoverrides={
            "external_toc_path": (ROOT / "_toc.yml").as_posix(),
            "latex_individualpages": False,
            "hide_solutions": True,
            # interactive figures as their static image, as in the PDF
            "nb_mime_priority_overrides": [("html", "text/html", None)],
            "html_title": "KL notes (student edition: no solutions)",
        },
        builder="html",
        warningiserror=args.W,
        keep_going=True,
        freshenv=True,
    )
    if result != 0:
        print(f"student edition: build failed ({result!r})", file=sys.stderr)
        return 1
    print(f"student edition: {out.relative_to(ROOT)}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
