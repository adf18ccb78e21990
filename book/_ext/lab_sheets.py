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


def _sheet(app: Sphinx, docname: str) -> Path | None:
    stem = Path(docname).name
    folder = Path(app.srcdir) / "labs" / "student" / stem
    notebook = folder / f"{stem}.ipynb"
    return (
        notebook
        if docname.startswith("book/") and notebook.is_file()
        else None
    )


def _link(text: str, url: str) -> nodes.reference:
    return nodes.reference("", text, refuri=url, internal=False)


def _add_section(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    notebook = _sheet(app, docname)
    if notebook is None or app.builder.format != "html":
        return
    stem = notebook.stem
    options = app.config.html_theme_options or {}
    url = str(options.get("repository_url", "")).rstrip("/")
    repo = url.removeprefix("https://github.com/")
    branch = options.get("repository_branch", "main")
    path = f"labs/student/{stem}/{stem}.ipynb"
    out = Path(app.outdir) / "labs" / f"{stem}.zip"
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(notebook.parent.rglob("*")):
            if file.is_file():
                info = zipfile.ZipInfo(
                    str(file.relative_to(notebook.parent.parent))
                )
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, file.read_bytes())
    box = nodes.admonition(
        ids=["lab-sheet"], classes=["tip", "klnotes-lab-sheet"]
    )
    box += nodes.title("", "Lab sheet")
    para = nodes.paragraph()
    para += nodes.Text(
        "Practise this chapter with its lab sheet: questions whose check cells "
        "say whether an answer is right and give a hint when it is not. "
    )
    para += _link("Download it", f"../labs/{stem}.zip")
    para += nodes.Text(" (the notebook and its checks), open it on ")
    para += _link("Colab", COLAB.format(repo=repo, branch=branch, path=path))
    para += nodes.Text(" or on ")
    para += _link("Binder", BINDER.format(repo=repo, branch=branch, path=path))
    para += nodes.Text(".")
    box += para
    chapter = next(iter(doctree.findall(nodes.section)), doctree)
    chapter += box  # at the end of the chapter


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("doctree-resolved", _add_section)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
