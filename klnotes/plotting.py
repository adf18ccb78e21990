"""The book's shared figure style.

Figures are drawn on an opaque white background with dark text, so that they stay
readable in both the light and the dark mode of the site (a transparent PNG with
black labels disappears on a dark page). Colours come from a palette that is
distinguishable for the common forms of colour blindness (Okabe and Ito, 2008).

Figures are rendered at twice the resolution at which they are laid out (``DPI``), so
that they stay sharp on high-density laptop and phone screens. On a phone the site
shrinks every figure to the column, ``PHONE_COLUMN_PX`` CSS pixels wide, so a wider
figure has smaller text there: its smallest text (tick labels and legends,
``SMALL_FONT_SIZE``) stays at least ``MIN_LABEL_PX`` CSS pixels high for figures up to
``max_figure_width()`` inches wide. Wider figures (several panels side by side) should
stack their panels instead, and legends keep the style's size.

Use it at the top of a chapter::

    import klnotes.plotting as kp
    kp.use_style()
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "COLORS",
    "DPI",
    "FIGSIZE",
    "MIN_LABEL_PX",
    "PHONE_COLUMN_PX",
    "P_COLOR",
    "Q_COLOR",
    "style",
    "max_figure_width",
    "use_style",
]

#: Okabe-Ito palette, in an order that reads well for up to eight series.
COLORS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
#: Resolution of the PNG figures: 2x the 100 dots per inch at which they are laid out.
DPI = 200
#: Default figure size in inches (one panel); a figure spanning the site's column.
FIGSIZE = (5.6, 3.4)
#: Font sizes in points: text and axis labels, and tick labels and legends.
FONT_SIZE = 13
SMALL_FONT_SIZE = 12
#: Width of the site's column on a 390-pixel phone, in CSS pixels.
PHONE_COLUMN_PX = 342
#: The smallest legible text on a phone, in CSS pixels.
MIN_LABEL_PX = 9.0

#: Colour of the reference distribution P throughout the book.
P_COLOR = COLORS[0]
#: Colour of the approximation Q throughout the book.
Q_COLOR = COLORS[1]


def style() -> dict[str, Any]:
    """The rcParams of the book's style, as a dict (for ``matplotlib.rc_context``).

    Returns
    -------
    dict
        Matplotlib rcParams: figure size and resolution (2x) for the site, font
        sizes legible at phone width, white opaque background, the palette as the
        colour cycle, light grid.

    Examples
    --------
    >>> from klnotes.plotting import style
    >>> style()["savefig.facecolor"]
    'white'
    >>> style()["figure.dpi"]
    200
    """
    from cycler import cycler

    return {
        "figure.figsize": FIGSIZE,
        # the notebook's inline figures are saved at figure.dpi, files at savefig.dpi
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "axes.facecolor": "white",
        "axes.edgecolor": "#333333",
        "axes.labelcolor": "#111111",
        "text.color": "#111111",
        "xtick.color": "#333333",
        "ytick.color": "#333333",
        "axes.prop_cycle": cycler(color=list(COLORS)),
        "axes.grid": True,
        "grid.color": "#dddddd",
        "grid.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": FONT_SIZE,
        "axes.labelsize": FONT_SIZE,
        "xtick.labelsize": SMALL_FONT_SIZE,
        "ytick.labelsize": SMALL_FONT_SIZE,
        "legend.fontsize": SMALL_FONT_SIZE,
        "legend.frameon": False,
        "lines.linewidth": 1.8,
        "font.size": FONT_SIZE,
        "figure.constrained_layout.use": True,
    }


def max_figure_width(fontsize: float = SMALL_FONT_SIZE) -> float:
    """The widest figure, in inches, whose text of ``fontsize`` points stays legible on a phone.

    The site shows a figure ``PHONE_COLUMN_PX`` CSS pixels wide on a phone, so a
    ``w``-inch figure draws a point as ``PHONE_COLUMN_PX / (72 w)`` CSS pixels,
    whatever its resolution; text stays at least ``MIN_LABEL_PX`` high while
    ``w <= fontsize * PHONE_COLUMN_PX / (72 * MIN_LABEL_PX)``.

    Examples
    --------
    >>> from klnotes.plotting import max_figure_width
    >>> round(max_figure_width(), 2)
    6.33
    >>> max_figure_width(0)
    Traceback (most recent call last):
    ...
    ValueError: fontsize must be positive, got 0
    """
    if not fontsize > 0:
        raise ValueError(f"fontsize must be positive, got {fontsize}")
    return fontsize * PHONE_COLUMN_PX / (72 * MIN_LABEL_PX)


def use_style() -> None:
    """Apply the book's style to every later figure in this process.

    Examples
    --------
    >>> import matplotlib
    >>> from klnotes.plotting import use_style
    >>> use_style()
    >>> matplotlib.rcParams["figure.facecolor"]
    'white'
    """
    import matplotlib

    matplotlib.rcParams.update(style())  # type: ignore[arg-type]
