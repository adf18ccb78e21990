"""klnotes.interactive: the slider's checks, the layers of the slider's rows and of
the readout (their specification, their checks, and what vl-convert draws at a
setting), the three representations, and the HTML as a notebook front end runs it
(no site bundle: the libraries come from the CDN, served here from vl-convert's
copy, so the test needs no network)."""

from __future__ import annotations

import base64
import json
import re
import shutil

import altair as alt
import numpy as np
import pytest
import vl_convert as vlc

from klnotes import kl_normal
from klnotes.interactive import (
    CDN,
    READOUT_BREAK,
    READOUT_LINE,
    READOUT_TOP,
    at,
    readout,
    show,
    slider,
)

MUS = np.round(np.linspace(-2.0, 2.0, 9), 1)


def _figure():
    texts = {
        float(m): [f"D = {float(kl_normal(m, 1.0, 0.0, 1.0)):.4f}"]
        for m in MUS
    }
    mu = slider("mu", MUS, label="mean μ", value=0.0)
    chart = (
        readout(texts, mu)
        .add_params(mu)
        .properties(width="container", height=60)
    )
    return show(chart, name="demo", description="KL of N(mu, 1) from N(0, 1)")


SIGMAS = np.round(np.arange(0.5, 1.51, 0.25), 2)


def _two_sliders():
    return (
        slider("s", SIGMAS, label="σ", value=1.0),
        slider("m", MUS, label="μ", value=0.0),
    )


def _texts_of(sigma, mu):
    d = float(kl_normal(mu, sigma, 0.0, 1.0))
    return [f"σ = {sigma:.2f}, μ = {mu:+.1f}", "", f"D = {d:.4f}"]


def _drawn_readout(chart, params, values):
    """The readout's texts and their (x, y) as vl-convert draws `chart` (a
    layer with the sliders `params`) at the slider values `values`."""
    spec = chart.add_params(*params).properties(width=300, height=200)
    spec = spec.to_dict()
    for param, value in zip(spec["params"], values, strict=True):
        param["value"] = value
    svg = vlc.vegalite_to_svg(spec)
    group = re.search(r'class="[^"]*readout_marks"[^>]*>(.*?)</g>', svg, re.S)
    return [
        (text, float(x), float(y))
        for x, y, text in re.findall(
            r'<text[^>]*transform="translate\(([-\d.]+),([-\d.]+)\)"[^>]*>'
            r"([^<]*)</text>",
            group.group(1),
        )
    ]


def test_at_filters_rows_to_the_sliders_value():
    t = slider("t", MUS, label="t", value=0.5)
    rows = [{"t": float(m), "y": float(m) ** 2} for m in MUS]
    spec = at(rows, t).mark_point().encode(x="t:Q", y="y:Q").to_dict()
    assert spec["transform"] == [{"filter": "datum.t == t"}]
    assert spec["data"]["values"] == rows
    # another field name than the slider's
    renamed = [{"mean": r["t"], "y": r["y"]} for r in rows]
    spec = at(renamed, t, "mean").mark_point().to_dict()
    assert spec["transform"] == [{"filter": "datum.mean == t"}]


def test_at_with_two_sliders_shows_the_rows_of_both_values():
    s, m = _two_sliders()
    rows = [
        {"sigma": float(sg), "mu": float(mu), "label": f"{sg} {mu}"}
        for sg in SIGMAS
        for mu in MUS
    ]
    chart = at(rows, [s, m], ["sigma", "mu"]).mark_text()
    assert chart.to_dict()["transform"] == [
        {"filter": "datum.sigma == s && datum.mu == m"}
    ]
    # drawn at (1.25, -1.5): exactly the one row of that pair
    text = chart.encode(text="label:N").properties(name="readout")
    drawn = _drawn_readout(alt.layer(text), [s, m], [1.25, -1.5])
    assert [t for t, _, _ in drawn] == ["1.25 -1.5"]


def test_readout_rows_lines_and_breaks():
    s, m = _two_sliders()
    texts = {
        (float(sg), float(mu)): _texts_of(sg, mu)
        for sg in SIGMAS
        for mu in MUS
    }
    spec = readout(texts, [s, m], ["sigma", "mu"]).to_dict()
    assert spec["name"] == "readout"
    assert spec["mark"] == {"type": "text", "align": "left", "baseline": "top"}
    assert spec["encoding"]["x"] == {"value": 4}
    assert spec["encoding"]["y"] == {
        "field": "py",
        "scale": None,
        "type": "quantitative",
    }
    first = texts[0.5, -2.0]
    assert spec["data"]["values"][:2] == [
        {"sigma": 0.5, "mu": -2.0, "py": READOUT_TOP, "text": first[0]},
        {
            "sigma": 0.5,
            "mu": -2.0,
            "py": READOUT_TOP + READOUT_LINE + READOUT_BREAK,
            "text": first[2],
        },
    ]
    # 2 lines drawn for each of the 5 x 9 settings; the empty one is a gap
    assert len(spec["data"]["values"]) == 2 * SIGMAS.size * MUS.size


@pytest.mark.parametrize(
    ("align", "x_of_width"), [("left", 4), ("center", 150), ("right", 300)]
)
def test_readout_is_drawn_where_and_as_asked(align, x_of_width):
    """At a setting the layer draws that setting's lines and no other, at the
    documented place: the top line READOUT_TOP px below the plot's top edge."""
    s, m = _two_sliders()
    texts = {
        (float(sg), float(mu)): _texts_of(sg, mu)
        for sg in SIGMAS
        for mu in MUS
    }
    layer = alt.layer(readout(texts, [s, m], ["sigma", "mu"], align=align))
    for sigma, mu in [(1.0, 0.0), (0.75, 1.5), (1.5, -2.0)]:
        drawn = _drawn_readout(layer, [s, m], [sigma, mu])
        want = [t for t in _texts_of(sigma, mu) if t]
        assert [t for t, _, _ in drawn] == want
        assert {x for _, x, _ in drawn} == {x_of_width}
        # in the plot's coordinates (0: its top edge); SVG places a text by
        # its alphabetic baseline, below the top by less than the font size 11
        top, second = (y for _, _, y in drawn)
        assert 0 < top - READOUT_TOP < 11
        assert second - top == READOUT_LINE + READOUT_BREAK


@pytest.mark.parametrize(
    ("rows", "field", "match"),
    [
        ([], None, "rows must be a non-empty list of dicts"),
        ({"t": 0.0}, None, "rows must be a non-empty list of dicts"),
        ([1.0, 2.0], None, "rows must be a non-empty list of dicts"),
        ([{"x": 0.0}], None, r"rows\[0\] has no field 't'"),
        ([{"t": 0.1 + 0.2}], None, "not a setting of the slider 't'"),
        ([{"t": True}], None, "not a setting"),
        ([{"t": 0.0}, {"t": 0.5}], None, "nothing for the setting t = 1.0"),
        ([{"t": 0.0}], ["t", "u"], "one data field per slider"),
        ([{"t": 0.0}], "datum.t", "identifier"),
    ],
)
def test_at_rejects_rows_the_slider_cannot_show(rows, field, match):
    t = slider("t", [0.0, 0.5, 1.0], label="t", value=0.0)
    with pytest.raises(ValueError, match=match):
        at(rows, t, field)


@pytest.mark.parametrize(
    "control",
    [
        "t",
        alt.param(name="t", value=0.0),
        alt.param(name="t", value=0, bind=alt.binding_select(options=[0])),
        [],
    ],
)
def test_at_and_readout_need_sliders(control):
    with pytest.raises(ValueError, match="control must be"):
        at([{"t": 0.0}], control)
    with pytest.raises(ValueError, match="control must be"):
        readout({0.0: ["a"]}, control)


def test_the_slider_grid_is_read_back_as_the_chapters_write_it():
    """A grid whose float step is not a short decimal (-6 to -0.4 by 0.2):
    rows written with the chapter's rounding match every setting."""
    grid = np.round(np.linspace(-6.0, -0.4, 29), 1)
    x = slider("x", grid, label="log10 q", value=-4.0)
    rows = [{"x": float(g)} for g in grid]
    assert at(rows, x).mark_point().to_dict()["data"]["values"] == rows
    with pytest.raises(ValueError, match="not a setting"):
        at([*rows, {"x": -6.0 + 3 * 0.20000000000000018}], x)  # not -5.4


T = slider("t", [0.0, 0.5, 1.0], label="t", value=0.0)


@pytest.mark.parametrize(
    ("texts", "kw", "match"),
    [
        ({}, {}, "texts must be a non-empty mapping"),
        ([["a"]], {}, "texts must be a non-empty mapping"),
        (
            {0.0: "abc", 0.5: ["b"], 1.0: ["c"]},
            {},
            "must be a list of strings",
        ),
        (
            {0.0: [1.0], 0.5: ["b"], 1.0: ["c"]},
            {},
            "must be a list of strings",
        ),
        ({0.0: [""], 0.5: ["b"], 1.0: ["c"]}, {}, "at least one not empty"),
        ({(0.0, 1.0): ["a"]}, {}, "one value per slider"),
        ({0.0: ["a"], 0.5: ["b"]}, {}, "nothing for the setting t = 1.0"),
        ({0.0: ["a"], 0.25: ["b"], 1.0: ["c"]}, {}, "0.25, not a setting"),
        ({0.0: ["a"], 0.5: ["b"], 1.0: ["c"]}, {"align": "top"}, "align"),
    ],
)
def test_readout_rejects_bad_texts(texts, kw, match):
    with pytest.raises(ValueError, match=match):
        readout(texts, T, **kw)


def test_slider_step_is_the_grid_spacing_without_rounding_noise():
    """np.diff of a rounded grid leaves noise (0.19999999999999998 here);
    the range input steps by the spacing as written, and every setting
    that `at` reads back from it is a value of the grid."""
    grid = np.round(np.arange(0.1, 3.0, 0.2), 1)
    assert np.diff(grid)[0] != 0.2
    t = slider("t", grid, label="t")
    assert t.param.bind.step == 0.2
    at([{"t": float(v)} for v in grid], t)  # raises if a setting is off-grid


@pytest.mark.parametrize(
    ("values", "value", "match"),
    [
        ([1.0], None, "grid of >= 2"),
        ([[0.0, 1.0]], None, "grid of >= 2"),
        ([0.0, 1.0, 3.0], None, "evenly spaced"),
        ([2.0, 1.0, 0.0], None, "increasing"),
        ([0.0, 0.5, 1.0], 0.25, "value must be one of values"),
    ],
)
def test_slider_rejects_a_grid_it_cannot_step_through(values, value, match):
    with pytest.raises(ValueError, match=match):
        slider("x", values, label="x", value=value)


@pytest.mark.parametrize(
    ("name", "description", "match"),
    [
        ("a b", "d", "name must be"),
        ("", "d", "name must be"),
        ("ok", " ", "description"),
    ],
)
def test_show_rejects_a_bad_name_or_description(name, description, match):
    chart = alt.Chart(alt.Data(values=[{"a": 1}])).mark_point()
    with pytest.raises(ValueError, match=match):
        show(chart, name=name, description=description)


def test_three_representations():
    fig = _figure()
    bundle = fig._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(b"\x89PNG")
    assert "KL of N(mu, 1)" in bundle["text/plain"]
    html = bundle["text/html"]
    spec = re.search(r'id="klnotes-fig-demo-spec">(.*?)</script>', html).group(
        1
    )
    spec = json.loads(spec)
    # the book's style, and the slider as a labelled range input from -2 to 2
    assert spec["config"]["legend"]["orient"] == "bottom"
    bind = spec["params"][0]["bind"]
    assert (bind["input"], bind["min"], bind["max"], bind["step"]) == (
        "range",
        -2.0,
        2.0,
        0.5,
    )
    assert spec["params"][0]["value"] == 0.0


def test_html_cannot_close_its_script_early():
    rows = [{"t": "</script><b>x</b>"}]
    chart = alt.Chart(alt.Data(values=rows)).mark_text().encode(text="t:N")
    html = show(chart, name="esc", description="d").html()
    body = html.split('id="klnotes-fig-esc-spec">', 1)[1]
    assert body.index("</script>") > body.index("<\\/script>")


def test_notebook_front_end_draws_it_from_the_cdn(browser_page):
    """As JupyterLab or Colab run the output: no site bundle, libraries from the CDN."""
    page, requested = browser_page
    bundle = vlc.javascript_bundle()
    page.route(
        f"{CDN}**",
        lambda route: (
            requested.append(route.request.url),
            route.fulfill(
                content_type="text/javascript",
                body=bundle if "/vega@" in route.request.url else "",
            ),
        ),
    )
    page.set_content(f"<html><body>{_figure().html()}</body></html>")
    page.locator("#klnotes-fig-demo svg").wait_for(
        state="attached", timeout=10_000
    )
    assert [u.rsplit("/", 1)[1].split("@")[0] for u in requested] == [
        "vega",
        "vega-lite",
        "vega-embed",
    ]
    text = page.locator("#klnotes-fig-demo svg text").all_text_contents()
    assert f"D = {float(kl_normal(0.0, 1.0, 0.0, 1.0)):.4f}" in text
    page.locator("#klnotes-fig-demo input[type=range]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(200)
    text = page.locator("#klnotes-fig-demo svg text").all_text_contents()
    assert f"D = {float(kl_normal(0.5, 1.0, 0.0, 1.0)):.4f}" in text


@pytest.fixture
def browser_page():
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("no Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium)
        yield browser.new_page(), []
        browser.close()
