"""Parameter and Raises blocks shared by the docstrings, written once.

A docstring names a block as ``%(name)s`` on a line of its own (indented
like the section it sits in); :func:`fill` substitutes it when the module
is imported, as scipy's ``doccer`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])

BLOCKS = {
    "p_q": """\
p, q : array_like
    Probability vectors along `axis`: finite, non-negative, each summing
    to 1 within ``1e-9`` (for float32, float16 and other narrower float
    types, within ``4 eps (1 + log2 n)`` of that type, ``n`` outcomes; the
    computation is in float64 either way). The other dimensions broadcast
    against each other after `axis` is taken (see the package notes), so
    a batch of pairs is evaluated in one call. Nothing is renormalised.""",
    "axis": """\
axis : int, keyword-only
    The axis of the outcomes. Default: the last (``scipy.stats.entropy``
    defaults to ``axis=0``).""",
    "base": """\
base : float or None, keyword-only
    Logarithm base of the result: ``None`` (default) for nats, ``2`` for
    bits.""",
    "keepdims": """\
keepdims : bool, keyword-only
    Keep `axis` in the result, with length 1 (as NumPy's reductions do).""",
    "raises_pair": """\
ValueError
    If `p` or `q` is a scalar, has a negative or non-finite entry or does
    not sum to 1; if their lengths along `axis` differ or the other
    dimensions do not broadcast; if `base` is not a positive number other
    than 1.
TypeError
    If an argument has the wrong type (not numbers, `axis` not an
    integer, `base` not a number); also a ``ValueError``.
numpy.exceptions.AxisError
    If `axis` is out of range (a ``ValueError``).""",
}


def fill(func: F) -> F:
    """Substitute the shared blocks named in ``func.__doc__``."""
    doc = func.__doc__
    if doc:
        for name, text in BLOCKS.items():
            key = f"%({name})s"
            while key in doc:
                line_start = doc.rfind("\n", 0, doc.index(key)) + 1
                indent = doc[line_start : doc.index(key)]
                block = text.replace("\n", "\n" + indent)
                doc = doc.replace(key, block, 1)
        func.__doc__ = doc
    return func
