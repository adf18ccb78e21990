#!/usr/bin/env bash
# Build the whole book as one PDF: _build/pdf/klnotes.pdf
#
#   scripts/build_pdf.sh            (warnings as errors, like the site build)
#   KLNOTES_PDF_STRICT=0 scripts/build_pdf.sh   (warnings allowed)
#
# Jupyter Book's LaTeX builder with XeLaTeX, from the same sources and _config.yml as
# the site (the LaTeX settings: latex_elements in _config.yml). Needs TeX Live and fonts:
# the Debian packages in .ci/apt-packages.txt.
# The LaTeX sources and log stay in _build/latex/; the site serves the PDF as
# _build/html/klnotes.pdf (copied here, and by book/_ext/editions.py after a site build).
set -euo pipefail
cd "$(dirname "$0")/.."
JB="${JUPYTER_BOOK:-.venv/bin/jupyter-book}"
flags=(-n --keep-going)
[ "${KLNOTES_PDF_STRICT:-1}" = 1 ] && flags=(-W "${flags[@]}")
# never wait for input at a TeX error: stop and show the log instead
export LATEXOPTS="-interaction=nonstopmode -halt-on-error"
rm -rf _build/latex _build/pdf
start=$(date +%s)
if ! "$JB" build . --builder pdflatex "${flags[@]}"; then
  echo "PDF build failed; the TeX errors:" >&2
  grep -n -A6 '^!' _build/latex/klnotes.log >&2 || true
  exit 1
fi
mkdir -p _build/pdf
cp _build/latex/klnotes.pdf _build/pdf/klnotes.pdf
# published with the site (the full edition; the student edition must not carry it)
mkdir -p _build/html && cp _build/pdf/klnotes.pdf _build/html/klnotes.pdf
seconds=$(( $(date +%s) - start ))
pages=$(pdfinfo _build/pdf/klnotes.pdf 2>/dev/null | awk '/^Pages:/ {print $2}')
echo "{\"seconds\": $seconds, \"pages\": ${pages:-null}}" > _build/pdf/build.json
echo "PDF: _build/pdf/klnotes.pdf (${pages:-?} pages, built in ${seconds} s)"
