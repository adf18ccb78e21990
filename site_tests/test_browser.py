"""What readers see, in Chromium with classic scrollbars (conftest.py), at 1280 and 390 px.

Each page is measured once per worker with every solution open (probes/*.js): every
kind of defect is listed by ``_defects``; axe-core's colour-contrast rule checks one code
token per look (probes/same_contrast.js: thousands of highlighted tokens share a handful
of looks, and checking each cost half of axe's time). At phone width axe cannot judge
code tokens at all (the hanging-indent bar is a background gradient), so their contrast
is judged at laptop width, where the colours are the same. Chapters are also loaded on a
phone with a 4x slower CPU and weighed as transferred; screenshots land in
``_build/screenshots/``.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest
from PIL import Image
from sitepaths import (
    CHAPTERS,
    OUT,
    PAGES,
    SCREENSHOTS,
    SITE,
    VIEWPORTS,
    first_load,
    probe,
    require,
    watch,
)

from klnotes.plotting import SMALL_FONT_SIZE

TOL_PX = 2  # sub-pixel rounding of layout boxes
SNIPPET = 60
SETTLE_MS = 300  # after expanding solutions / opening a dialog
NAV_MS = 6000  # for a menu to open, on a loaded machine
MAX_WIDE_CODE_FRACTION = 0.05  # of a page's code inputs
CODE_COLUMNS = 79
MIN_VISIBLE_DISPLAYS = 0.95  # of all display formulas at phone width
MIN_LABEL_PX = 9.0  # figure text, CSS px
THROTTLE = 4  # CPU slowdown of the "slow phone"
RAW_TEX_LIMIT_MS = 3000
MAX_CLS = (
    0.1  # "good" in Web Vitals; typesetting itself no longer shifts anything
)
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

    return (files("axe_playwright_python") / "axe.min.js").read_text("utf-8")


def reader_view(open_page, rel: str, size: str) -> dict:
    """Measure one page at one size once per worker (every defect test reads from it)."""
    if (rel, size) in _measured:
        return _measured[rel, size]
    page, url = open_page(rel, size)
    errors, outside = watch(page, url)
    page.goto(url, wait_until="load")
    if rel in CHAPTERS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{Path(rel).stem}-{size}.png"))
    page.evaluate(EXPAND_ALL)
    page.wait_for_timeout(SETTLE_MS)
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
        "unloaded": page.evaluate(
            "() => [...document.images].filter(i => !i.naturalWidth).map(i => i.src)"
        ),
        # (copies: axe-core's CSSOM preload resolves the theme's @import against the
        # page instead of the stylesheet and gets a 404 no reader's browser asks for)
        "errors": list(errors),
        "outside": list(outside),
    }
    page.add_script_tag(content=_axe_source())
    page.evaluate(probe("same_contrast"))
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


both = pytest.mark.parametrize("size", VIEWPORTS)
every_page = pytest.mark.parametrize("rel", PAGES)


def _defects(rel: str, size: str, v: dict) -> dict[str, list[str]]:
    """Every defect of the reader's view, by kind (an empty list is a pass)."""
    r, laptop = v["reader"], size.startswith("laptop")
    code = v["code"]
    figures = []
    for fig in r["figures"]:
        with Image.open(SITE / Path(rel).parent / unquote(fig["src"])) as img:
            dpi = img.info.get("dpi", (72, 72))[0]
        px = SMALL_FONT_SIZE * dpi / 72 * fig["scale"]  # the smallest text
        if px < MIN_LABEL_PX or not fig["link"]:
            figures.append(
                f"{fig['src'][-20:]}: {px:.1f} px, link {fig['link']}"
            )
    return {
        "math not typeset (under 50 formulas)": [rel]
        if rel in CHAPTERS and v["typeset"] < 50
        else [],
        "console errors": v["errors"],
        "requests leaving localhost (offline)": v["outside"],
        "images that did not load": v["unloaded"],
        "TeX left untypeset": v["tex"],
        "blocks not visible whole": v["clipped"]["defects"],
        "code cells scrolling sideways": code["wide"]
        if len(code["wide"]) > MAX_WIDE_CODE_FRACTION * code["total"]
        else [],
        f"code cells {CODE_COLUMNS} columns do not fit": v["columns"],
        "display formulas cut without a cue": r["uncued"],
        "equation numbers over their formula": r["overlap"],
        "display formulas shrunk below 70 %": r["small"],
        "display formulas wider than a laptop column": r["cut"]
        if laptop
        else [],
        "inline formulas with a scrollbar": r["ownScroll"],
        "printed output that wraps": r["wrapped"],
        "printed output scrolling without a cue": r["outUncued"],
        "wrapped code without hanging indent and marker": r["badWrap"],
        f"figures with text below {MIN_LABEL_PX} px or no full-size link": figures,
        "tables wider than the column": r["wideTables"]
        if laptop or rel.endswith("notation.html")
        else [],
        "axe-core serious or critical violations": v["axe"],
    }


@both
@every_page
def test_reader_sees_every_block_whole_and_legible(rel, size, open_page):
    defects = _defects(rel, size, reader_view(open_page, rel, size))
    found = {k: d for k, d in defects.items() if d}
    assert not found, f"{rel} at {size}:\n" + "\n".join(
        f"{k} ({len(d)}): " + "; ".join(d[:8]) for k, d in found.items()
    )


def _phone_reader(open_page, rel: str) -> dict:
    """The reader probe at phone width: from this worker's full measurement if
    it made one, else measured alone (without axe-core, which the other worker
    ran on that page)."""
    if (rel, "phone-390") in _measured:
        return _measured[rel, "phone-390"]["reader"]
    page, url = open_page(rel, "phone-390")
    page.goto(url, wait_until="load")
    page.evaluate(EXPAND_ALL)
    page.wait_for_timeout(SETTLE_MS)
    return page.evaluate(probe("reader"), [TOL_PX, SNIPPET])


def test_display_formulas_fit_a_phone(open_page):
    views = {rel: _phone_reader(open_page, rel) for rel in PAGES}
    total = sum(v["displays"] for v in views.values())
    cut = {rel: v["cut"] for rel, v in views.items() if v["cut"]}
    OUT.joinpath("phone_displays.json").write_text(json.dumps(cut, indent=1))
    visible = 1 - sum(map(len, cut.values())) / total
    assert visible >= MIN_VISIBLE_DISPLAYS, (
        f"{visible:.1%} of {total} fully visible: {cut}"
    )


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
    sizes = first_load(open_page, server, rel)
    # figures and their scripts: test_interactive.py weighs them
    figures = ("_images/", "_static/vega-bundle")
    weight = sum(v for k, v in sizes.items() if not k.startswith(figures))
    OUT.joinpath(f"weight-{Path(rel).stem}.json").write_text(json.dumps(sizes))
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
    hidden = page.locator("div.solution.toggle-hidden")
    require(hidden.count() > 0, f"{CHAPTERS[0]}: no collapsed solution")
    solution = page.locator(f"[id='{hidden.first.get_attribute('id')}']")
    before, link = page.url, solution.locator("p.admonition-title a").first
    link.scroll_into_view_if_needed()
    box = link.bounding_box()  # tap the title's text, where its link is
    page.touchscreen.tap(
        box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    )
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
        state="visible", timeout=NAV_MS
    )
    assert modal.evaluate("m => m.open"), (
        f"{rel}: ☰ did not open the table of contents"
    )
    links = modal.locator("nav.bd-docs-nav a.reference:visible").count()
    assert links >= len(CHAPTERS), (
        f"{rel}: the opened contents show {links} links"
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
            state="visible", timeout=NAV_MS
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
