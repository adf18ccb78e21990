"""The book's shared figure style.

Figures are drawn on an opaque white background with dark text, so that they stay
readable in both the light and the dark mode of the site (a transparent PNG with
black labels disappears on a dark page). Colours come from a palette that is
distinguishable for the common forms of colour blindness (Okabe and Ito, 2008).

Use it at the top of a chapter::

    import klnotes.plotting as kp
    kp.use_style()
"""

from __future__ import annotations

from typing import Any

__all__ = ["COLORS", "P_COLOR", "Q_COLOR", "style", "use_style"]

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
#: Colour of the reference distribution P throughout the book.
P_COLOR = COLORS[0]
#: Colour of the approximation Q throughout the book.
Q_COLOR = COLORS[1]


def style() -> dict[str, Any]:
    """The rcParams of the book's style, as a dict (for ``matplotlib.rc_context``).

    Returns
    -------
    dict
        Matplotlib rcParams: figure size and resolution for the site, white
        opaque background, the palette as the colour cycle, light grid.

    Examples
    --------
    >>> from klnotes.plotting import style
    >>> style()["savefig.facecolor"]
    'white'
    """
    from cycler import cycler

    return {
        "figure.figsize": (6.4, 3.6),
        "figure.dpi": 100,
        "savefig.dpi": 100,
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
        "axes.titlesize": "medium",
        "legend.frameon": False,
        "lines.linewidth": 1.8,
        "font.size": 10,
        "figure.constrained_layout.use": True,
    }


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
