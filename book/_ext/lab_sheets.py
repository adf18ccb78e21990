"""Link each chapter page to its lab sheet (``labs/student/NN_topic/``).

At the end of a chapter's HTML page a short section offers the sheet as a
download (a zip of the notebook and its public checks, written into the site)
and on Colab and Binder, like the chapter's own launch buttons. The sheets are
built by ``scripts/build_assignments.py --publish``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

COLAB = "https://colab.research.google.com/github/{repo}/blob/{branch}/{path}"
BINDER = "https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=lab/tree/{path}"
TEXT = (
    "Practise this chapter with its lab sheet: questions whose check cells "
    "say whether an answer is right and give a hint when it is not. ",
    ("Download it", "../labs/{stem}.zip"),
    " (the notebook and its checks), open it on ",
    ("Colab", COLAB),
    " or on ",
    ("Binder", BINDER),
    ".",
)


def _add_section(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    stem = Path(docname).name
    folder = Path(app.srcdir, "labs", "student", stem)
    sheet = folder / f"{stem}.ipynb"
    if not (docname.startswith("book/") and sheet.is_file()):
        return
    if app.builder.format != "html":
        return
    options = app.config.html_theme_options or {}
    url = str(options.get("repository_url", "")).rstrip("/")
    at = {
        "repo": url.removeprefix("https://github.com/"),
        "branch": options.get("repository_branch", "main"),
        "path": f"labs/student/{stem}/{sheet.name}",
        "stem": stem,
    }
    out = Path(app.outdir, "labs", f"{stem}.zip")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(folder.rglob("*")):
            if file.is_file():  # a ZipInfo's fixed date: the same bytes
                name = zipfile.ZipInfo(f"{stem}/{file.relative_to(folder)}")
                zf.writestr(name, file.read_bytes(), zipfile.ZIP_DEFLATED)
    box = nodes.admonition(
        ids=["lab-sheet"], classes=["tip", "klnotes-lab-sheet"]
    )
    box += nodes.title("", "Lab sheet")
    box += nodes.paragraph()
    for piece in TEXT:
        if isinstance(piece, str):
            box[-1] += nodes.Text(piece)
        else:
            url = piece[1].format(**at)
            box[-1] += nodes.reference("", piece[0], refuri=url)
    chapter = next(iter(doctree.findall(nodes.section)), doctree)
    chapter += box  # at the end of the chapter


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("doctree-resolved", _add_section)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
