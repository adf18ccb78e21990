"""klnotes.interactive: the slider's checks, the three representations, and the HTML
as a notebook front end runs it (no site bundle: the libraries come from the CDN,
served here from vl-convert's copy, so the test needs no network)."""

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
from klnotes.interactive import CDN, show, slider

MUS = np.round(np.linspace(-2.0, 2.0, 9), 1)


def _figure():
    rows = [
        {
            "mu": float(m),
            "text": f"D = {float(kl_normal(m, 1.0, 0.0, 1.0)):.4f}",
        }
        for m in MUS
    ]
    mu = slider("mu", MUS, label="mean μ", value=0.0)
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_text()
        .encode(text="text:N")
        .transform_filter("datum.mu == mu")
        .add_params(mu)
        .properties(width="container", height=60)
    )
    return show(chart, name="demo", description="KL of N(mu, 1) from N(0, 1)")


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
