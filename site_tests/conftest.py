"""Fixtures of the site checks: the built site, a local server, Chromium as readers have it.

The system Chromium (or ``KLNOTES_CHROMIUM``), driven by pytest-playwright, launched
WITHOUT ``--hide-scrollbars`` (classic scrollbars, as Chrome and Edge draw them on
Windows and Linux) and without a network. With ``CI=true`` a missing site or browser is
a failure, elsewhere a skip. With pytest-xdist (``-n 2``) a page's tests share a worker.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import pytest
from sitepaths import CHAPTERS, CHROMIUM, SITE, VIEWPORTS, require


def pytest_configure(config):
    # tests of one page run on one xdist worker, which measures the page once
    if getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadgroup"


def pytest_collection_modifyitems(items):
    for item in items:
        params = getattr(item, "callspec", None)
        rel = params and params.params.get("rel")
        if rel:
            item.add_marker(pytest.mark.xdist_group(rel))


@pytest.fixture(scope="session", autouse=True)
def site_exists():
    require(
        (SITE / "index.html").is_file(),
        f"no built site at {SITE}: run the book build first",
    )
    require(
        len(CHAPTERS) >= 7,
        f"expected the 7 chapters under {SITE / 'book'}, found {CHAPTERS}",
    )


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server():
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


ARGS = "--no-sandbox --disable-gpu --disable-quic --no-first-run --disable-sync --disable-background-networking --disable-component-update"
# no network: every host name except the local server's address fails to resolve
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch arguments: the system Chromium, classic scrollbars, offline."""
    require(
        Path(CHROMIUM).exists(),
        f"no Chromium at {CHROMIUM}: apt-get install chromium",
    )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "ignore_default_args": ["--hide-scrollbars"],
        "args": [*ARGS.split(), OFFLINE],
    }


@pytest.fixture
def open_page(browser, server):
    """open_page(rel, size, **context options) -> page; its context closes after the test."""
    contexts = []

    def _open(rel: str, size: str, init_script: str | None = None, **options):
        context = browser.new_context(**VIEWPORTS[size], **options)
        contexts.append(context)
        page = context.new_page()
        if init_script:
            page.add_init_script(init_script)
        return page, urljoin(server, rel)

    yield _open
    for context in contexts:
        context.close()
