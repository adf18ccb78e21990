"""Build the student edition: the website without solutions, into _build/student/html.

    python scripts/build_student.py [-W]      (-W: warnings are errors)

The ordinary build (same _config.yml, _toc.yml and sources, its own doctrees in
_build/student/.doctrees) with ``student_edition`` set: ``book/_ext/editions.py``
then removes every solution and the routes to the notebooks.
``edition_tests/test_student.py`` checks the result.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from jupyter_book.sphinx import build_sphinx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "student" / "html"
SETTINGS = {
    "external_toc_path": (ROOT / "_toc.yml").as_posix(),
    "latex_individualpages": False,
    "student_edition": True,
    # interactive figures as their static image, as in the PDF
    "nb_mime_priority_overrides": [("html", "text/html", None)],
    "html_title": "KL notes (student edition: no solutions)",
}


def main(argv: list[str]) -> int:
    if set(argv) - {"-W"}:
        sys.exit(__doc__)
    shutil.rmtree(OUT.parent, ignore_errors=True)  # no page of an older build
    result = build_sphinx(
        ROOT,
        OUT,
        use_external_toc=True,
        noconfig=True,
        path_config=str(ROOT / "_config.yml"),
        confoverrides=SETTINGS,
        builder="html",
        warningiserror="-W" in argv,
        keep_going=True,
        freshenv=True,
    )
    if result != 0:
        print(f"student edition: build failed ({result!r})", file=sys.stderr)
        return 1
    print(f"student edition: {OUT.relative_to(ROOT)}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
