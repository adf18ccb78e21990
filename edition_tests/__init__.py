"""Tests of the built editions (PDF, student site). Run after building them:

    scripts/build_pdf.sh && .venv/bin/python scripts/build_student.py
    .venv/bin/python -m pytest -p no:cacheprovider edition_tests

They are not part of the default ``python -m pytest`` (pyproject's testpaths), because
they need the builds; ``.ci/run`` builds both and runs them. A missing build fails.
"""
