"""Layouts of the forest plot and the number formats each one prints.

A :class:`Layout` holds what differs between a RevMan-like and a JAMA-like
forest plot: fonts, colours, the order of the columns, the bracket style of
an interval and the way p-values are written. Everything here is plain data
and string formatting; nothing imports matplotlib.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Tried in order; the first one installed is used, so no "font not found" noise.
_SANS_FAMILIES = ("Arial", "Helvetica", "Liberation Sans", "Nimbus Sans", "DejaVu Sans")

# Marks for imputed or converted inputs, in the order journals use them.
FOOTNOTE_MARKS = ("†", "‡", "§", "¶", "#", "**", "††", "‡‡")

MINUS = "\N{MINUS SIGN}"


@dataclass(frozen=True)
class Layout:
    """How one house style draws and writes a forest plot.

    Parameters
    ----------
    name : str
        ``"revman"`` or ``"jama"``.
    fontsize : float
        Font size of the table, in points.
    row_height : float
        Height of a table row, in multiples of ``fontsize``.
    columns : tuple of str
        Order of the columns; ``"plot"`` marks where the graph goes.
    square_color, line_color, diamond_color, pi_color : str
        Colours of the study squares, the CI lines, the pooled diamonds and
        the prediction interval.
    brackets : tuple of str
        Opening bracket, separator and closing bracket of an interval.
    percent_in_cells : bool
        Write weights as ``"9.0%"`` (``True``) or ``"9.0"`` under a
        ``"Weight, %"`` header (``False``).
    unicode_minus : bool
        Write negative numbers with the typographic minus sign.
    """

    name: str
    fontsize: float
    row_height: float
    columns: tuple
    square_color: str
    line_color: str
    diamond_color: str
    pi_color: str
    brackets: tuple
    percent_in_cells: bool
    unicode_minus: bool


LAYOUTS = {
    "revman": Layout(
        name="revman",
        fontsize=8.0,
        row_height=1.55,
        columns=("label", "n", "weight", "estimate", "plot"),
        square_color="#1f5fa8",
        line_color="black",
        diamond_color="black",
        pi_color="#b22222",
        brackets=("[", ", ", "]"),
        percent_in_cells=True,
        unicode_minus=False,
    ),
    "jama": Layout(
        name="jama",
        fontsize=8.0,
        row_height=1.6,
        columns=("label", "n", "plot", "estimate", "weight"),
        square_color="#1b4f8a",
        line_color="#333333",
        diamond_color="#c0392b",
        pi_color="#c0392b",
        brackets=("(", "\N{EN DASH}", ")"),
        percent_in_cells=False,
        unicode_minus=True,
    ),
}


def get_layout(layout):
    """Return the :class:`Layout` called ``layout`` (or ``layout`` itself)."""
    if isinstance(layout, Layout):
        return layout
    try:
        return LAYOUTS[str(layout).lower()]
    except KeyError:
        valid = ", ".join(repr(name) for name in LAYOUTS)
        raise ValueError(f"unknown forest layout {layout!r}; valid layouts: {valid}") from None


def sans_family():
    """Return the first installed sans-serif family of :data:`_SANS_FAMILIES`."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    for family in _SANS_FAMILIES:
        if family in installed:
            return family
    return "sans-serif"


def format_number(value, digits, layout):
    """Write ``value`` with ``digits`` decimals, minus sign per ``layout``.

    Examples
    --------
    >>> format_number(-0.4912, 2, get_layout("jama"))
    '−0.49'
    >>> format_number(-0.4912, 2, get_layout("revman"))
    '-0.49'
    """
    if value is None or not np.isfinite(value):
        return "NA"
    text = f"{value:.{digits}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]  # "-0.00" reads as a sign error in print
    if layout.unicode_minus:
        text = text.replace("-", MINUS)
    return text


def format_interval(estimate, low, high, digits, layout):
    """Write an estimate with its interval in the bracket style of ``layout``.

    JAMA writes ``"to"`` between the bounds when a bound is negative, where a
    dash would read as a minus sign.

    Examples
    --------
    >>> format_interval(0.4894, 0.3441, 0.6962, 2, get_layout("revman"))
    '0.49 [0.34, 0.70]'
    >>> format_interval(0.4894, 0.3441, 0.6962, 2, get_layout("jama"))
    '0.49 (0.34–0.70)'
    >>> format_interval(-0.71, -1.07, -0.36, 2, get_layout("jama"))
    '−0.71 (−1.07 to −0.36)'
    """
    opening, separator, closing = layout.brackets
    if layout.name == "jama" and min(low, high) < 0:
        separator = " to "
    est, lo, hi = (format_number(v, digits, layout) for v in (estimate, low, high))
    return f"{est} {opening}{lo}{separator}{hi}{closing}"


def format_weight(weight, layout):
    """Write a percentage weight with one decimal (``"9.0%"`` or ``"9.0"``)."""
    if weight is None or not np.isfinite(weight):
        return ""
    return f"{weight:.1f}%" if layout.percent_in_cells else f"{weight:.1f}"


def format_p(pval, layout):
    """Write a p-value the way the layout's journal does, with ``P`` and its comparator.

    RevMan gives two decimals, one significant digit below 0.01, then
    ``P < 0.0001`` and ``P < 0.00001``; JAMA drops the
    leading zero, gives two decimals, three below .01, and ``P < .001``.

    Examples
    --------
    >>> format_p(3.2e-26, get_layout("revman"))
    'P < 0.00001'
    >>> format_p(0.0123, get_layout("revman"))
    'P = 0.01'
    >>> format_p(0.00042, get_layout("revman"))
    'P = 0.0004'
    >>> format_p(7.05e-05, get_layout("revman"))
    'P < 0.0001'
    >>> format_p(3.2e-26, get_layout("jama"))
    'P < .001'
    >>> format_p(0.0042, get_layout("jama"))
    'P = .004'
    >>> format_p(0.4567, get_layout("jama"))
    'P = .46'
    """
    if pval is None or not np.isfinite(pval):
        return "P = NA"
    if layout.name == "jama":
        if pval < 0.001:
            return "P < .001"
        if pval > 0.99:
            return "P > .99"
        text = f"{pval:.3f}" if pval < 0.01 else f"{pval:.2f}"
        return "P = " + text.lstrip("0")
    if pval < 0.00001:
        return "P < 0.00001"
    if pval < 0.0001:
        return "P < 0.0001"
    if pval >= 0.01:
        return f"P = {pval:.2f}"
    decimals = -math.floor(math.log10(pval))  # one significant digit
    return f"P = {pval:.{decimals}f}"


def format_tau2(tau2):
    """Write tau² with two decimals, or two significant digits when smaller.

    Examples
    --------
    >>> format_tau2(0.3132), format_tau2(0.0), format_tau2(0.00234)
    ('0.31', '0.00', '0.0023')
    """
    if 0 < tau2 < 0.01:
        return f"{tau2:.2g}"
    return f"{tau2:.2f}"


def format_i2(i2, layout):
    """Write I² (a fraction) as a percentage: whole for RevMan, one decimal for JAMA.

    Examples
    --------
    >>> format_i2(0.9222, get_layout("revman")), format_i2(0.9222, get_layout("jama"))
    ('92%', '92.2%')
    """
    percent = 100 * i2
    return f"{percent:.0f}%" if layout.name == "revman" else f"{percent:.1f}%"
