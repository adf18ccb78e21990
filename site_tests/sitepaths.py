"""Where the built site is, its pages, the reader's screen sizes (shared by site_tests)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# KLNOTES_SITE checks another build (e.g. an older one, to compare)
SITE = Path(os.environ.get("KLNOTES_SITE") or ROOT / "_build" / "html")
OUT = SITE.parent  # screenshots and measurements go beside the site checked
SCREENSHOTS = OUT / "screenshots"
PROBES = Path(__file__).with_name("probes")
IN_CI = os.environ.get("CI") == "true"
# fmt: off
CHROMIUM = os.environ.get("KLNOTES_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
PAGES = sorted(p.relative_to(SITE).as_posix() for p in SITE.glob("book/*.html"))
CHAPTERS = [p for p in PAGES if Path(p).name[:2].isdigit()]
VIEWPORTS = {
    "laptop-1280": {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1},
    "phone-390": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True},
}
# fmt: on
LAPTOP, PHONE = VIEWPORTS
RENDER_MS = (
    10_000  # for the deferred Vega bundle to draw a figure, slow machine
)


def drawn(figure) -> None:
    """Wait until an interactive figure's chart is drawn (its first SVG)."""
    figure.locator("svg").first.wait_for(state="attached", timeout=RENDER_MS)


def require(condition: bool, reason: str) -> None:
    if not condition:
        (pytest.fail if IN_CI else pytest.skip)(reason)


def probe(name: str) -> str:
    return (PROBES / f"{name}.js").read_text(encoding="utf-8")


def watch(page, base_url: str) -> tuple[list[str], list[str]]:
    """(errors, outside): console errors, page errors and failed responses, and
    requests to anywhere but the site's server, as the page loads."""
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: r.status < 400 or errors.append(r.url))
    page.on(
        "request",
        lambda r: (
            r.url.startswith((base_url, "data:")) or outside.append(r.url)
        ),
    )
    return errors, outside
