"""Interactive figures: a chart the reader moves with a slider, in every place the book runs.

A chapter computes a grid of results with klnotes (say the divergence for each of 41
separations), builds a Vega-Lite chart of it with `Altair <https://altair-viz.github.io>`_
whose slider (:func:`slider`) *selects* the rows of that grid (:func:`at`), with the
numbers in a text readout (:func:`readout`), and displays it with :func:`show`. The
browser only filters the precomputed rows and draws them; it computes no number, so
every value the figure shows is one that Python computed (and that the chapter's tests
compare, since the data are part of the stored output).

:func:`show` returns an output with three representations:

``text/html``
    the chart and a small loader. On the book's website the Vega libraries are served
    by the site itself (``book/_ext/interactive_figures.py``), so the figure works
    offline; in JupyterLab, Binder and Colab the loader fetches them from the jsDelivr
    CDN, as Altair's own HTML output does.
``image/png``
    the chart at its initial setting, drawn by ``vl-convert`` without a browser: what
    the PDF shows.
``text/plain``
    a one-line description, for a terminal.

The data are embedded in the page, so round them to the digits the chapter may print
(portable digits, see the contributing guide) before building the chart.

Example
-------
>>> import numpy as np
>>> import altair as alt
>>> from klnotes import kl_normal
>>> from klnotes.interactive import at, readout, show, slider
>>> mus = np.round(np.linspace(-2, 2, 9), 1)
>>> kl = {float(m): round(float(kl_normal(m, 1.0, 0.0, 1.0)), 4) for m in mus}
>>> rows = [{"mu": m, "kl": d} for m, d in kl.items()]
>>> mu = slider("mu", mus, label="mean μ")
>>> bar = at(rows, mu).mark_bar().encode(x="mu:Q", y="kl:Q")
>>> text = readout({m: [f"D = {d:.4f} nats"] for m, d in kl.items()}, mu)
>>> chart = alt.layer(bar, text).add_params(mu)
>>> fig = show(chart, name="kl-demo", description="KL of N(mu, 1) from N(0, 1)")
>>> sorted(fig._repr_mimebundle_())
['image/png', 'text/html', 'text/plain']
"""

from __future__ import annotations

import base64
import functools
import html
import json
from collections.abc import Mapping, Sequence
from itertools import product
from numbers import Real
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from .plotting import COLORS, FONT_SIZE, SMALL_FONT_SIZE

__all__ = [
    "PNG_WIDTH",
    "PNG_FONT",
    "CDN",
    "READOUT_TOP",
    "READOUT_LINE",
    "READOUT_BREAK",
    "Interactive",
    "at",
    "readout",
    "show",
    "slider",
]

#: Width in CSS pixels of the static image (the PDF's figure); on the site the chart
#: takes the width of the column.
PNG_WIDTH = 560
#: Where notebook front ends (JupyterLab, Binder, Colab) load the Vega libraries
#: from: the versions that ``vl-convert`` (and so the website) bundles.
CDN = "https://cdn.jsdelivr.net/npm/"

# The book's style (klnotes.plotting): its colours and text sizes, the legend
# below the plot so that a phone's column is left to the data.
_CONFIG: dict[str, dict[str, Any]] = {
    "axis": {"labelFontSize": SMALL_FONT_SIZE, "titleFontSize": FONT_SIZE},
    "legend": {
        "orient": "bottom",
        "direction": "vertical",
        "labelFontSize": SMALL_FONT_SIZE,
        "titleFontSize": FONT_SIZE,
        "labelLimit": 320,
    },
    "text": {"fontSize": FONT_SIZE},
    "range": {"category": list(COLORS)},
}

# The loader: embed the chart with vega-embed; on the website the libraries come
# from the site's own bundle (a deferred script, so wait for it), elsewhere from
# the CDN. Dark pages get Vega's dark theme. Nothing here computes a value.
_LOADER = """(function () {
  var el = document.getElementById("%(id)s");
  var spec = JSON.parse(document.getElementById("%(id)s-spec").textContent);
  function dark() {  // the book's site (light, dark or auto) or JupyterLab's theme
    var d = document.documentElement.dataset, b = document.body.dataset;
    if (d.mode === "auto" || (!d.mode && d.theme))
      return matchMedia("(prefers-color-scheme: dark)").matches;
    return d.mode ? d.mode === "dark" : b.jpThemeLight === "false";
  }
  function draw() {
    var opt = {actions: false, renderer: "svg"};
    if (dark()) { opt.theme = "dark"; opt.config = {text: {color: "#eee"}}; }
    el.textContent = "";
    window.vegaEmbed(el, spec, opt);
  }
  el.klnotesDraw = draw;
  if (window.vegaEmbed) return draw();
  var local = document.querySelector("script[src*='vega-bundle']");
  if (local) return local.addEventListener("load", draw);
  var libs = ["vega@%(vega)s", "vega-lite@%(vegalite)s", "vega-embed@%(embed)s"];
  (function next() {
    if (!libs.length) return draw();
    var s = document.createElement("script");
    s.src = "%(cdn)s" + libs.shift();
    s.onload = next;
    document.head.appendChild(s);
  })();
})();"""


def _decimal(x: float) -> float:
    """``x`` as a short decimal, 12 significant digits: how a slider's step
    is written and how ``at`` reads its settings back, without the rounding
    noise of float arithmetic (0.20000000000000018)."""
    return float(f"{x:.12g}")


def slider(
    name: str, values: ArrayLike, *, label: str, value: float | None = None
) -> Any:
    """A slider over the evenly spaced grid `values` that the chart's data use.

    Parameters
    ----------
    name : str
        The parameter's name in the chart's expressions (``datum.x == name``).
    values : array_like
        The grid, increasing and evenly spaced; its values must be written in the
        data exactly as here (round both the same way).
    label : str
        What the reader reads beside the slider (its accessible name).
    value : float, optional
        The initial setting, a value of the grid; default the middle one.

    Returns
    -------
    altair.Parameter
        Bound to an ``<input type="range">``: reachable with Tab, moved with the
        arrow keys, its value shown beside it.

    Raises
    ------
    ValueError
        If `values` has fewer than two points or is not increasing and evenly
        spaced, or if `value` is not one of them.
    """
    import altair as alt

    grid = np.asarray(values, dtype=np.float64)
    if grid.ndim != 1 or grid.size < 2:
        raise ValueError(
            f"values must be a 1-D grid of >= 2 points; got {grid!r}"
        )
    steps = np.diff(grid)
    # the grid's spacing, not np.diff's noise, is the range input's step
    step = _decimal((grid[-1] - grid[0]) / (grid.size - 1))
    if step <= 0 or not np.allclose(steps, step, rtol=1e-9, atol=0):
        raise ValueError("values must be increasing and evenly spaced")
    start = float(grid[grid.size // 2]) if value is None else float(value)
    if not np.isclose(grid, start, rtol=1e-12, atol=0).any():
        raise ValueError(f"value must be one of values; got {value!r}")
    bind = alt.binding_range(
        min=float(grid[0]), max=float(grid[-1]), step=step, name=label + " "
    )
    return alt.param(name=name, value=start, bind=bind)


#: The readout's first line starts this many pixels below the top of the plot,
READOUT_TOP = 4
#: each line this many pixels below the one before,
READOUT_LINE = 18
#: and an empty line in its text adds this many pixels (a paragraph break).
READOUT_BREAK = 4

# Where the readout's lines are anchored for each alignment: 4 px from the left
# edge of the plot, its middle, its right edge.
_READOUT_X: dict[str, Any] = {
    "left": 4,
    "center": {"expr": "width / 2"},
    "right": "width",
}


def _sliders(control: Any, field: Any) -> list[tuple[str, str, list[float]]]:
    """(name, field, settings) of each slider in `control`, checked.

    The settings are the values the browser gives the slider: ``min + k step``
    as a short decimal (12 significant digits), as the chapter's grid is written.
    """
    import altair as alt

    controls = (
        list(control) if isinstance(control, (list, tuple)) else [control]
    )
    if not controls:
        raise ValueError(
            "control must be a slider or a list of sliders; got []"
        )
    if field is None:
        fields: list[str | None] = [None] * len(controls)
    elif isinstance(field, str):
        fields = [field]
    else:
        fields = list(field)
    if len(fields) != len(controls):
        raise ValueError(
            f"field must name one data field per slider: {len(controls)} "
            f"slider(s) in control, got field={field!r}"
        )
    found = []
    for c, f in zip(controls, fields, strict=True):
        bind = getattr(getattr(c, "param", None), "bind", None)
        if not (
            isinstance(c, alt.Parameter) and isinstance(bind, alt.BindRange)
        ):
            raise ValueError(
                "control must be made by klnotes.interactive.slider (a "
                f"parameter bound to a range input); got {c!r}"
            )
        name = str(c.name)
        f = name if f is None else f
        if not isinstance(f, str) or not f.isidentifier():
            raise ValueError(
                f"field must be the name of a data field (an identifier); got {f!r}"
            )
        lo, step = float(bind.min), float(bind.step)
        n = round((float(bind.max) - lo) / step)
        settings = [_decimal(lo + k * step) for k in range(n + 1)]
        found.append((name, f, settings))
    return found


def _filtered(
    rows: list[dict[str, Any]], sliders: list[tuple[str, str, list[float]]]
) -> Any:
    """A chart of `rows` showing only those of the sliders' current values."""
    import altair as alt

    test = " && ".join(f"datum.{f} == {name}" for name, f, _ in sliders)
    return alt.Chart(alt.Data(values=rows)).transform_filter(test)


def _check_keys(
    keys: Sequence[tuple[Any, ...]],
    sliders: list[tuple[str, str, list[float]]],
    arg: str,
    index: Sequence[str],
) -> None:
    """Each key (a value per slider) is a setting; each setting has a key.

    ``arg + index[i]`` names key ``i`` in the error messages.
    """
    on_grid = [set(settings) for _, _, settings in sliders]
    for i, key in enumerate(keys):
        for value, grid, (name, f, _) in zip(
            key, on_grid, sliders, strict=True
        ):
            if (
                isinstance(value, bool)
                or not isinstance(value, Real)
                or float(value) not in grid
            ):
                raise ValueError(
                    f"{arg}{index[i]} has {f} = {value!r}, not a setting of "
                    f"the slider {name!r}: write the data with the slider's "
                    "grid, rounded the same way"
                )
    have = {tuple(float(v) for v in key) for key in keys}
    for setting in product(*(settings for _, _, settings in sliders)):
        if setting not in have:
            at_ = ", ".join(
                f"{f} = {v!r}"
                for (_, f, _), v in zip(sliders, setting, strict=True)
            )
            raise ValueError(
                f"{arg} has nothing for the setting {at_}: the figure "
                "would be empty there"
            )


def at(
    rows: Sequence[Mapping[str, Any]],
    control: Any,
    field: str | Sequence[str] | None = None,
) -> Any:
    """A chart of `rows` that shows only the rows of the slider's current value.

    Add marks and encodings to it as to any ``altair.Chart``; layer it with the
    chart's other parts and add the slider(s) to the layer.

    Parameters
    ----------
    rows : sequence of dict
        The precomputed data: each row has, in `field`, the slider setting it
        belongs to, written as in the slider's grid (rounded the same way).
    control : altair.Parameter or sequence of them
        The slider (:func:`slider`), or several: a row is shown when each
        slider's value is the row's.
    field : str or sequence of str, optional
        The data field holding each slider's value; default the slider's name.

    Returns
    -------
    altair.Chart
        The chart of `rows` with the filter, no mark yet.

    Raises
    ------
    ValueError
        If `control` is not a slider or a list of them, `field` does not name one
        field per slider, `rows` is empty or not of dicts, a row lacks a field or
        holds a value that is not a setting of its slider (``0.30000000000000004``
        for ``0.3``: the row would never be shown), or a setting has no row.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.interactive import at, slider
    >>> grid = np.round(np.arange(0.0, 1.01, 0.25), 2)
    >>> t = slider("t", grid, label="step t")
    >>> rows = [{"t": float(t_), "y": float(t_) ** 2} for t_ in grid]
    >>> dot = at(rows, t).mark_point().encode(x="t:Q", y="y:Q")
    >>> dot.to_dict()["transform"]
    [{'filter': 'datum.t == t'}]
    """
    sliders = _sliders(control, field)
    if (
        isinstance(rows, (str, Mapping))
        or not isinstance(rows, Sequence)
        or not rows
        or not all(isinstance(r, Mapping) for r in rows)
    ):
        raise ValueError(
            f"rows must be a non-empty list of dicts; got {rows!r:.80}"
        )
    for i, row in enumerate(rows):
        for _, f, _ in sliders:
            if f not in row:
                raise ValueError(f"rows[{i}] has no field {f!r}")
    keys = [tuple(row[f] for _, f, _ in sliders) for row in rows]
    _check_keys(keys, sliders, "rows", [f"[{i}]" for i in range(len(rows))])
    return _filtered([dict(r) for r in rows], sliders)


def readout(
    texts: Mapping[Any, Sequence[str]],
    control: Any,
    field: str | Sequence[str] | None = None,
    *,
    align: Literal["left", "center", "right"] = "left",
) -> Any:
    """The figure's readout: lines of text for each setting, at the top of the plot.

    The layer is named ``"readout"``. Its first line is `READOUT_TOP` pixels below
    the top of the plot, each next one `READOUT_LINE` pixels lower; an empty
    string is not drawn but moves the lines after it `READOUT_BREAK` pixels lower.

    Parameters
    ----------
    texts : mapping
        For each setting of the slider (each value of its grid, rounded as the
        grid), the lines to show there. With several sliders the key is a tuple,
        one value per slider in the order of `control`.
    control : altair.Parameter or sequence of them
        The slider (:func:`slider`), or several.
    field : str or sequence of str, optional
        The data field for each slider's value; default the slider's name.
    align : {"left", "center", "right"}
        Lines start 4 pixels from the plot's left edge, are centred on its
        middle, or end at its right edge.

    Returns
    -------
    altair.Chart
        A text layer; layer it with the chart's other parts.

    Raises
    ------
    ValueError
        As :func:`at`, for a key instead of a row; also if `texts` is not a
        non-empty mapping, a key is not a number (or, with several sliders, a
        tuple of one number per slider), a value is not a list of strings, or
        `align` is none of the three.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes.interactive import readout, slider
    >>> grid = np.round(np.arange(0.0, 1.01, 0.25), 2)
    >>> t = slider("t", grid, label="step t")
    >>> text = readout({float(t_): [f"t = {t_:.2f}", f"t² = {t_**2:.4f}"]
    ...                 for t_ in grid}, t)
    >>> text.to_dict()["data"]["values"][:2]
    [{'t': 0.0, 'py': 4, 'text': 't = 0.00'}, {'t': 0.0, 'py': 22, 'text': 't² = 0.0000'}]
    """
    import altair as alt

    sliders = _sliders(control, field)
    if align not in _READOUT_X:
        raise ValueError(
            f"align must be 'left', 'center' or 'right'; got {align!r}"
        )
    if not isinstance(texts, Mapping) or not texts:
        raise ValueError(
            f"texts must be a non-empty mapping of settings to lines; got {texts!r:.80}"
        )
    keys = []
    for key, lines in texts.items():
        key_ = key if isinstance(key, tuple) else (key,)
        if len(key_) != len(sliders):
            raise ValueError(
                f"texts[{key!r}]: a key needs one value per slider "
                f"({len(sliders)})"
            )
        if (
            isinstance(lines, str)
            or not isinstance(lines, Sequence)
            or not all(isinstance(t, str) for t in lines)
            or not any(lines)
        ):
            raise ValueError(
                f"texts[{key!r}] must be a list of strings (the lines, at least one "
                f"not empty); got {lines!r}"
            )
        keys.append(key_)
    _check_keys(keys, sliders, "texts", [f"[{k!r}]" for k in texts])
    rows = []
    for key_, lines in zip(keys, texts.values(), strict=True):
        at_ = {f: float(v) for (_, f, _), v in zip(sliders, key_, strict=True)}
        py = READOUT_TOP
        for text in lines:
            if not text:
                py += READOUT_BREAK
                continue
            rows.append({**at_, "py": py, "text": text})
            py += READOUT_LINE
    return (
        _filtered(rows, sliders)
        .mark_text(align=align, baseline="top")
        .encode(
            x=alt.value(_READOUT_X[align]),
            y=alt.Y("py:Q", scale=None),
            text="text:N",
        )
        .properties(name="readout")
    )


def _fixed_width(node: Any, width: int) -> Any:
    """`node` with every ``width: "container"`` replaced by `width` (for the PNG)."""
    if isinstance(node, dict):
        return {
            k: width
            if (k == "width" and v == "container")
            else _fixed_width(v, width)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_fixed_width(v, width) for v in node]
    return node


#: The static image's font and where Debian keeps it (``fonts-freefont-otf``):
#: vl-convert's own fonts lack "‖" and set that line in an italic fallback.
PNG_FONT = ("FreeSans", Path("/usr/share/fonts/opentype/freefont"))


@functools.cache
def _png_font() -> bool:
    """Make `PNG_FONT` known to vl-convert; False where it is not installed."""
    import vl_convert as vlc

    if not PNG_FONT[1].is_dir():
        return False
    vlc.register_font_directory(str(PNG_FONT[1]))
    return True


class Interactive:
    """A chart displayed as HTML (interactive), PNG (static) and text.

    Made by :func:`show`; ``spec`` is the Vega-Lite specification as a dict.
    """

    def __init__(
        self, spec: dict[str, Any], name: str, description: str
    ) -> None:
        self.spec = spec
        self.name = name
        self.description = description

    def png(self) -> bytes:
        """The chart at its initial setting as a PNG, twice the CSS resolution."""
        import vl_convert as vlc

        spec = _fixed_width(self.spec, PNG_WIDTH)
        if _png_font():
            spec["config"] = {**spec.get("config", {}), "font": PNG_FONT[0]}
        return bytes(vlc.vegalite_to_png(spec, scale=2))

    def html(self) -> str:
        """The chart's HTML: a container, the specification, the loader."""
        import vl_convert as vlc

        fig_id = f"klnotes-fig-{self.name}"
        spec = json.dumps(self.spec, separators=(",", ":"), sort_keys=True)
        spec = spec.replace("</", "<\\/")  # cannot close the script element
        versions = {
            "vega": vlc.get_vega_version(),
            "vegalite": self.spec["$schema"].split("/v")[-1].split(".json")[0],
            "embed": vlc.get_vega_embed_version(),
        }
        loader = _LOADER % {"id": fig_id, "cdn": CDN, **versions}
        return (
            f'<div class="klnotes-interactive" id="{fig_id}" role="figure" '
            f'aria-label="{html.escape(self.description)}">'
            "<p>Interactive figure: it needs JavaScript (in Jupyter, run the cell or "
            "trust the notebook).</p></div>\n"
            f'<script type="application/json" id="{fig_id}-spec">{spec}</script>\n'
            f"<script>{loader}</script>"
        )

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> dict[str, str]:
        return {
            "text/html": self.html(),
            "image/png": base64.b64encode(self.png()).decode("ascii"),
            "text/plain": f"<interactive figure {self.name}: {self.description}>",
        }


def show(chart: Any, *, name: str, description: str) -> Interactive:
    """Display an Altair chart as the book's interactive figure.

    Parameters
    ----------
    chart : altair.TopLevelMixin
        The chart, with its sliders (:func:`slider`) added.
    name : str
        A short name, unique in the book (letters, digits, ``-``): the figure's HTML id
        and what the site tests look for.
    description : str
        One sentence saying what the figure shows, for screen readers and terminals.

    Returns
    -------
    Interactive
        Display it (the last expression of a cell) to show the figure.

    Raises
    ------
    ValueError
        If `name` is not of letters, digits and ``-``, or `description` is empty.
    """
    if not name or not all(c.isalnum() or c == "-" for c in name):
        raise ValueError(f"name must be letters, digits and '-'; got {name!r}")
    if not description.strip():
        raise ValueError("description must say what the figure shows")
    spec = chart.to_dict()
    spec.setdefault("description", description)
    config = spec.setdefault("config", {})
    for key, defaults in _CONFIG.items():
        config[key] = {**defaults, **config.get(key, {})}
    return Interactive(spec, name, description)
