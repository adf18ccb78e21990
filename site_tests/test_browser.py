"""What readers see of the built site, in Chromium with classic scrollbars (conftest.py).

Every page is opened at a laptop (1280 px) and a phone size (390 px, touch, 2x) with
every solution and hidden cell expanded, and measured once per worker (the probes are
the .js files in ``probes/``): TeX left untypeset, content cut off or widening the page,
code that scrolls or does not fit 79 columns, display formulas (fully visible, or
scrolling with a visible cue, never at an illegible size, never under their number),
inline formulas with a scrollbar of their own, printed output that lost its columns or
scrolls without a cue, wrapped code lines without a hanging indent and marker, figures
(labels of at least 9 CSS px, a tap opens them), tables wider than their column, and
axe-core's serious and critical accessibility violations. Chapters are also loaded on
a phone with a 4x slower CPU (no raw TeX on the first screen, no layout shift), and
weighed as transferred (gzip). Screenshots of every chapter at both sizes land in
``_build/screenshots/``.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from sitepaths import (
    CHAPTERS,
    OUT,
    PAGES,
    SCREENSHOTS,
    SITE,
    VIEWPORTS,
    probe,
    require,
)

from klnotes.plotting import SMALL_FONT_SIZE

TOL_PX = 2  # sub-pixel rounding of layout boxes
SNIPPET = 60
SETTLE_MS = 300  # after expanding solutions / opening a dialog
MAX_WIDE_CODE_FRACTION = 0.05  # of a page's code inputs
CODE_COLUMNS = 79
MIN_VISIBLE_DISPLAYS = 0.95  # of all display formulas at phone width
MIN_LABEL_PX = 9.0  # figure text, CSS px
THROTTLE = 4  # CPU slowdown of the "slow phone"
RAW_TEX_LIMIT_MS = 3000
MAX_CLS = 0.05
MAX_FIRST_LOAD_BYTES = (
    2**20
)  # a chapter's first load without its figures, gzip
AXE_BLOCKING = ("serious", "critical")
AXE_EXTRA_RULES = {"label-content-name-mismatch": {"enabled": True}}
EXPAND_ALL = """() => {
  document.querySelectorAll('.toggle.toggle-hidden > .admonition-title').forEach(t => t.click());
  document.querySelectorAll('details:not([open])').forEach(d => { d.open = true; });
}"""
_measured: dict[tuple[str, str], dict] = {}


def _axe_source() -> str:
    from importlib.resources import files

    return (files("axe_playwright_python") / "axe.min.js").read_text(
        encoding="utf-8"
    )


def reader_view(open_page, rel: str, size: str) -> dict:
    """Measure one page at one size once per worker (every defect test reads from it)."""
    if (rel, size) in _measured:
        return _measured[rel, size]
    page, url = open_page(rel, size)
    page.goto(url, wait_until="load")
    stem = Path(rel).stem
    if rel in CHAPTERS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{stem}-{size}.png"))
    page.evaluate(EXPAND_ALL)
    page.wait_for_timeout(SETTLE_MS)
    if rel in CHAPTERS:
        for what, selector in {
            "figure": "article figure",
            "solution": "article div.solution",
        }.items():
            if page.locator(selector).count():
                page.locator(selector).first.screenshot(
                    path=str(SCREENSHOTS / f"{stem}-{size}-{what}.png")
                )
    code_cells = "article .cell_input pre" + (
        ", article .cell_output pre" if size.startswith("laptop") else ""
    )
    screen = VIEWPORTS[size]["viewport"]["width"]
    view = {
        "tex": page.evaluate(probe("leftover_tex"), SNIPPET // 2),
        "clipped": page.evaluate(probe("clipped"), [TOL_PX, SNIPPET, screen]),
        "code": page.evaluate(probe("wide_code"), [TOL_PX, SNIPPET]),
        "columns": page.evaluate(
            probe("fits_columns"), [TOL_PX, CODE_COLUMNS, code_cells]
        ),
        "reader": page.evaluate(probe("reader"), [TOL_PX, SNIPPET]),
        "typeset": page.evaluate(
            "() => document.querySelectorAll('mjx-container').length"
        ),
    }
    page.add_script_tag(content=_axe_source())
    result = page.evaluate(
        "rules => axe.run(document, {resultTypes: ['violations'], rules})",
        AXE_EXTRA_RULES,
    )
    view["axe"] = [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}×): {v['help']}; e.g. {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in AXE_BLOCKING
    ]
    _measured[rel, size] = view
    return view


def _record(name: str, data) -> None:
    """Measurements for people to read (not read by the tests)."""
    OUT.joinpath(name).write_text(
        json.dumps(data, indent=1, ensure_ascii=False)
    )


both = pytest.mark.parametrize("size", VIEWPORTS)
every_page = pytest.mark.parametrize("rel", PAGES)


@every_page
def test_page_loads_offline_without_errors(rel, open_page):
    """Images load, no console error, no request leaves localhost, math is typeset."""
    page, url = open_page(rel, "laptop-1280")
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400
            else None
        ),
    )
    page.goto(url, wait_until="load")
    if page.evaluate("() => !!document.querySelector('.math')"):
        assert (
            page.evaluate(
                "() => document.querySelectorAll('mjx-container').length"
            )
            > 0
        ), f"{rel}: math not typeset"
    bad = page.evaluate(
        "() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert not bad, f"{rel}: images that did not load: {bad}"
    page.wait_for_timeout(200)
    outside = [
        u
        for u in requests
        if urlsplit(u).hostname not in ("127.0.0.1", None)
        and not u.startswith("data:")
    ]
    assert not outside, f"{rel}: requests left localhost: {outside}"
    assert not errors, f"{rel}: console errors: {errors}"


@pytest.mark.parametrize("rel", CHAPTERS)
def test_math_renders_in_every_chapter_count(rel, open_page):
    """Each chapter's typeset formulas, so that a chapter whose math silently vanished shows up."""
    assert reader_view(open_page, rel, "laptop-1280")["typeset"] >= 50


@both
@every_page
def test_no_leftover_tex_in_prose(rel, size, open_page):
    tex = reader_view(open_page, rel, size)["tex"]
    assert not tex, (
        f"{rel} at {size}: {len(tex)} places with TeX left untypeset:\n"
        + "\n".join(tex)
    )


@both
@every_page
def test_nothing_is_cut_off_or_widens_the_page(rel, size, open_page):
    clipped = reader_view(open_page, rel, size)["clipped"]["defects"]
    assert not clipped, (
        f"{rel} at {size}: {len(clipped)} blocks not visible whole:\n"
        + "\n".join(clipped)
    )


@both
@every_page
def test_code_cells_fit_the_column(rel, size, open_page):
    code = reader_view(open_page, rel, size)["code"]
    allowed = int(MAX_WIDE_CODE_FRACTION * code["total"])
    assert len(code["wide"]) <= allowed, (
        f"{rel} at {size}: {len(code['wide'])} of {code['total']} code cells scroll sideways "
        f"(at most {allowed} allowed):\n" + "\n".join(code["wide"])
    )


@both
@every_page
def test_79_columns_fit_every_code_cell(rel, size, open_page):
    """79 columns fit code and output (1280 px); code wraps to fit (390 px)."""
    bad = reader_view(open_page, rel, size)["columns"]
    assert not bad, (
        f"{rel} at {size}: {CODE_COLUMNS} columns do not fit {len(bad)} code cells:\n"
        + "\n".join(bad)
    )


@both
@every_page
def test_display_formulas_are_whole_or_cued_and_apart_from_their_number(
    rel, size, open_page
):
    r = reader_view(open_page, rel, size)["reader"]
    assert not r["uncued"], (
        f"{rel} at {size}: formulas cut with no cue:\n"
        + "\n".join(r["uncued"])
    )
    assert not r["overlap"], (
        f"{rel} at {size}: equation number over its formula:\n"
        + "\n".join(r["overlap"])
    )
    assert not r["small"], (
        f"{rel} at {size}: formulas shrunk below 70 %:\n"
        + "\n".join(r["small"])
    )
    if size.startswith("laptop"):
        assert not r["cut"], (
            f"{rel} at {size}: formulas wider than the column:\n"
            + "\n".join(r["cut"])
        )


def test_display_formulas_fit_a_phone(open_page):
    views = {
        rel: reader_view(open_page, rel, "phone-390")["reader"]
        for rel in PAGES
    }
    total = sum(v["displays"] for v in views.values())
    cut = {rel: v["cut"] for rel, v in views.items() if v["cut"]}
    _record("phone_displays.json", {"total": total, "cut": cut})
    visible = 1 - sum(map(len, cut.values())) / total
    assert visible >= MIN_VISIBLE_DISPLAYS, (
        f"{visible:.1%} of {total} display formulas fully visible: {cut}"
    )


@both
@every_page
def test_no_inline_formula_has_a_scrollbar(rel, size, open_page):
    own = reader_view(open_page, rel, size)["reader"]["ownScroll"]
    assert not own, (
        f"{rel} at {size}: {len(own)} inline formulas scroll in their own box:\n"
        + "\n".join(own)
    )


@both
@every_page
def test_output_keeps_its_columns_and_code_wraps_with_a_hanging_indent(
    rel, size, open_page
):
    r = reader_view(open_page, rel, size)["reader"]
    assert not r["wrapped"], (
        f"{rel} at {size}: printed output wraps:\n" + "\n".join(r["wrapped"])
    )
    assert not r["outUncued"], (
        f"{rel} at {size}: output scrolls with no cue:\n"
        + "\n".join(r["outUncued"])
    )
    assert not r["badWrap"], (
        f"{rel} at {size}: wrapped code without hanging indent:\n"
        + "\n".join(r["badWrap"])
    )


@both
@every_page
def test_figures_are_legible_and_open_full_size_and_tables_fit(
    rel, size, open_page
):
    from PIL import Image

    r = reader_view(open_page, rel, size)["reader"]
    small, unlinked = [], []
    for fig in r["figures"]:
        with Image.open(SITE / Path(rel).parent / unquote(fig["src"])) as img:
            dpi = img.info.get("dpi", (72, 72))[0]
        px = (
            SMALL_FONT_SIZE * dpi / 72 * fig["scale"]
        )  # klnotes.plotting's smallest text
        if px < MIN_LABEL_PX:
            small.append(f"{Path(fig['src']).name[:12]}…: {px:.1f} px")
        if not fig["link"]:
            unlinked.append(fig["src"])
    assert not unlinked, (
        f"{rel} at {size}: figures a tap does not open: {unlinked}"
    )
    assert not small, (
        f"{rel} at {size}: figure labels below {MIN_LABEL_PX} px: {small}"
    )
    if size.startswith("laptop") or rel.endswith("notation.html"):
        assert not r["wideTables"], (
            f"{rel} at {size}: tables wider than the column: {r['wideTables']}"
        )


@both
@every_page
def test_axe_finds_no_serious_accessibility_violation(rel, size, open_page):
    axe = reader_view(open_page, rel, size)["axe"]
    assert not axe, f"{rel} at {size}: axe-core violations:\n" + "\n".join(axe)


@pytest.mark.parametrize("rel", CHAPTERS)
def test_slow_phone_sees_typeset_math_without_layout_shift(rel, open_page):
    page, url = open_page(rel, "phone-390", init_script=probe("load"))
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
    page.goto(url, wait_until="load")
    page.wait_for_timeout(RAW_TEX_LIMIT_MS)
    seen = page.evaluate("() => window.__klnotes")
    late = [t for t in seen["texSeenAt"] if t > RAW_TEX_LIMIT_MS]
    assert not late, f"{rel}: raw TeX on the first screen at {late[:3]} ms"
    assert seen["cls"] <= MAX_CLS, (
        f"{rel}: layout shift {seen['cls']:.3f}: {seen['shifts'][:5]}"
    )


@pytest.mark.parametrize("rel", CHAPTERS)
def test_first_load_is_light(rel, open_page, server):
    """What a chapter's first load transfers, gzip-compressed as a server sends it, without figures."""
    page, url = open_page(rel, "laptop-1280")
    urls = []
    page.on("requestfinished", lambda r: urls.append(r.url))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(SETTLE_MS)
    files = {
        SITE / unquote(urlsplit(u).path).lstrip("/")
        for u in urls
        if u.startswith(server)
    }
    sizes = {
        f.relative_to(SITE).as_posix(): len(gzip.compress(f.read_bytes(), 6))
        for f in files
        if f.is_file()
    }
    weight = sum(v for k, v in sizes.items() if not k.startswith("_images/"))
    _record(
        f"weight-{Path(rel).stem}.json",
        {"gzip_bytes_without_figures": weight, "files": sizes},
    )
    assert weight <= MAX_FIRST_LOAD_BYTES, (
        f"{rel}: {weight / 2**20:.2f} MB: {sorted(sizes.items(), key=lambda x: -x[1])[:5]}"
    )


def test_solution_title_opens_the_solution_and_dark_mode_follows_the_os(
    open_page,
):
    page, url = open_page(CHAPTERS[0], "phone-390", color_scheme="dark")
    page.goto(url, wait_until="load")
    assert (
        page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    ), "OS dark mode ignored"
    solution = page.locator("div.solution.toggle-hidden").first
    require(solution.count() == 1, f"{CHAPTERS[0]}: no collapsed solution")
    before = page.url
    solution.locator("p.admonition-title a.reference").first.tap()
    page.wait_for_timeout(SETTLE_MS)
    assert page.url == before, "tapping the solution title followed its link"
    assert not solution.evaluate(
        "s => s.classList.contains('toggle-hidden')"
    ), "the solution did not open"


def _visible_toggle(page, selector: str):
    toggles = page.locator(f"{selector}:visible")
    assert toggles.count() >= 1, f"no visible {selector}"
    return toggles.first


@every_page
def test_phone_navigation_opens_the_table_of_contents(rel, open_page):
    """Tap the visible ☰ on a phone: the table of contents opens; so does the page contents."""
    page, url = open_page(rel, "phone-390")
    page.goto(url, wait_until="load")
    _visible_toggle(page, ".primary-toggle").tap()
    modal = page.locator("#pst-primary-sidebar-modal")
    modal.locator("nav.bd-docs-nav a.reference").first.wait_for(
        state="visible", timeout=2000
    )
    assert modal.evaluate("m => m.open"), (
        f"{rel}: ☰ did not open the table of contents"
    )
    links = modal.locator("nav.bd-docs-nav a.reference:visible").count()
    assert links >= len(CHAPTERS), (
        f"{rel}: the opened contents show {links} links"
    )
    if rel in CHAPTERS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / f"{Path(rel).stem}-phone-390-contents.png")
        )
    page.keyboard.press("Escape")
    page.wait_for_timeout(SETTLE_MS)
    assert not modal.evaluate("m => m.open"), (
        f"{rel}: Escape did not close the table of contents"
    )
    secondary = page.locator(".secondary-toggle:visible")
    if secondary.count():
        secondary.first.tap()
        page.locator("#pst-secondary-sidebar-modal nav a").first.wait_for(
            state="visible", timeout=2000
        )


@every_page
def test_laptop_menu_button_collapses_the_sidebar(rel, open_page):
    """Click the visible ☰ at 1280 px: the sidebar collapses, and a second click restores it."""
    page, url = open_page(rel, "laptop-1280")
    page.goto(url, wait_until="load")
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible(), f"{rel}: no sidebar at 1280 px"
    _visible_toggle(page, ".primary-toggle").click()
    page.wait_for_timeout(SETTLE_MS)
    collapsed = (
        not sidebar.is_visible()
        or sidebar.evaluate("s => s.getBoundingClientRect().width") < 2
    )
    assert collapsed, f"{rel}: ☰ did not collapse the sidebar"
    _visible_toggle(page, ".primary-toggle").click()
    page.wait_for_timeout(SETTLE_MS)
    assert sidebar.is_visible(), f"{rel}: ☰ did not bring the sidebar back"
