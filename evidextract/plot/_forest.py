"""The forest plot: where each part of the table goes, and the drawing.

Geometry is computed in points from the measured width of every text, so
the default figure is as large as its contents and nothing is clipped. The
graph is one Axes whose rows are the table's rows (row ``i`` at ``y = i``);
the text columns sit beside it at fixed offsets in points, outside the
Axes, so they keep their places on any figure size.

Every artist carries a ``gid`` naming its part (``square:study-3``,
``ci:study-3``, ``diamond:overall``, ``pi:overall``,
``cell:estimate:study-3``, ``het:overall``, ``footnote``...), which is how
the tests read the numbers back and how an SVG can be edited by hand.
"""

from __future__ import annotations

import numpy as np

from evidextract.plot._scale import scale_for
from evidextract.plot._style import get_layout, sans_family
from evidextract.plot._table import GRAPH_KINDS, build_table, row_positions

_MARGIN = 8.0  # points around the figure
_PLOT_WIDTH = 190.0  # points: width of the graph column at the default size
_LINE = 1.25  # line height, in multiples of the font size


def forest(
    fit,
    ax=None,
    *,
    layout="revman",
    transf=None,
    xlabel=None,
    show_weights=True,
    show_pi=True,
    sort=None,
    annotate=True,
    n=None,
    groups=("Experimental", "Control"),
    favours=None,
    digits=2,
    xlim=None,
    refline="auto",
    title=None,
    fontsize=None,
    plot_width=None,
):
    """Draw a forest plot of a fitted meta-analysis.

    Study rows show the label, the sample sizes, the weight and the estimate
    with its confidence interval as text, and as a square (area proportional
    to the weight) on a horizontal line. The pooled estimate is a diamond,
    the prediction interval a bar under it, followed by the heterogeneity
    line (tau², Q, df and its p-value, I²) and the test of the pooled effect.
    A fit with subgroups shows each subgroup with its own diamond and
    heterogeneity, then the test for subgroup differences.

    Parameters
    ----------
    fit : fitted model
        The result of :func:`evidextract.rma`.
    ax : matplotlib.axes.Axes, optional
        Draw the graph in this Axes; the text columns go beside it, outside
        it, so leave room (``fig.subplots_adjust``). By default a new figure
        is sized to its contents.
    layout : {"revman", "jama"}
        RevMan-like (columns left of the graph, ``0.49 [0.34, 0.70]``,
        ``P < 0.00001``) or JAMA-like (graph between the study column and
        the estimates, ``0.49 (0.34–0.70)``, ``P < .001``).
    transf : None, False or callable
        ``None`` chooses by the fit's measure: ratios (OR, RR, HR, ROM, IRR)
        on a log axis with back-transformed labels, PLO/PFT/PAS back to
        proportions, ZCOR to correlations. ``False`` plots the analysis
        scale; a callable is applied to all values.
    xlabel : str, optional
        Axis label; defaults to the measure's name.
    show_weights, show_pi, annotate : bool
        Show the weight column, the prediction interval (random-effects
        models), the estimate-and-CI column.
    sort : str, optional
        ``"estimate"``, ``"weight"``, ``"precision"``, ``"label"`` or a
        column of ``fit.data``; prefix ``"-"`` for descending order.
        Subgroups are sorted within themselves.
    n : None, False, str or list of str
        Columns of ``fit.data`` to show as sample sizes; by default
        ``n1i``/``n2i``, ``n`` or ``ni`` when present.
    groups : tuple of str
        Names of the two arms, used in the headers of ``n1i``/``n2i``.
    favours : tuple of str, optional
        Texts under the axis, left and right of the line of no effect, e.g.
        ``("Favours BCG", "Favours control")``.
    digits : int
        Decimals of the estimates.
    xlim : tuple, optional
        Axis limits on the displayed scale; intervals beyond them are cut
        and end in an arrow.
    refline : "auto", float or None
        Position of the line of no effect (``"auto"``: 1 for ratios, 0 for
        differences, none for proportions).
    title : str, optional
        A title above the table.
    fontsize : float, optional
        Font size in points (8 by default).
    plot_width : float, optional
        Width of the graph column in inches at the default size.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on (``ax.figure`` when ``ax`` is given). Save it
        with ``fig.savefig("forest.png", dpi=300)`` (or ``.svg``, ``.pdf``).

    Notes
    -----
    A study whose ``fit.data["imputed"]`` holds a non-empty string (what
    was converted or imputed, e.g. ``"mean from median (Luo 2018)"``) gets a
    mark after its label, one mark per distinct note, and a footnote under
    the plot says what each mark means. Square areas are proportional to
    the weights, as in metafor's ``forest.rma`` and RevMan. Proportions on
    the Freeman-Tukey scale are back-transformed with each study's n and
    the pooled values with the harmonic mean n (metafor's
    ``transf.ipft.hm``).

    Examples
    --------
    >>> import pandas as pd
    >>> import evidextract as ee
    >>> bcg = pd.DataFrame({"trial": ["Aronson", "Ferguson", "Rosenthal"],
    ...                     "tpos": [4, 6, 3], "tneg": [119, 300, 228],
    ...                     "cpos": [11, 29, 11], "cneg": [128, 274, 209]})
    >>> dat = ee.escalc("RR", ai="tpos", bi="tneg", ci="cpos", di="cneg", data=bcg)
    >>> fit = ee.rma("yi", "vi", data=dat, slab="trial")
    >>> fig = ee.forest(fit, favours=("Favours BCG", "Favours control"))
    >>> fig.axes[0].get_xscale()
    'log'
    """
    import matplotlib.pyplot as plt

    style = get_layout(layout)
    fontsize = float(fontsize or style.fontsize)
    scale = scale_for(getattr(fit, "measure", None), transf)
    table = build_table(
        fit,
        scale,
        style,
        sort=sort,
        show_pi=show_pi,
        show_weights=show_weights,
        annotate=annotate,
        n=n,
        digits=digits,
        groups=groups,
        xlabel=xlabel,
    )
    family = sans_family()
    plot_pts = 72.0 * plot_width if plot_width else _PLOT_WIDTH
    limits, ticks = _axis_ticks(table, scale, style, xlim, refline)
    null = scale.null if refline == "auto" else refline
    overhang = _axis_overhang(
        ticks, limits, scale, style, fontsize, family, favours, null, plot_pts
    )
    geometry = _geometry(table, style, fontsize, family, plot_pts, favours, title, overhang)

    with plt.rc_context(
        {"font.family": family, "font.size": fontsize, "svg.fonttype": "none", "pdf.fonttype": 42}
    ):
        if ax is None:
            fig = plt.figure(figsize=(geometry["width"] / 72, geometry["height"] / 72))
            ax = fig.add_axes(geometry["axes"])
        fig = ax.figure
        _, total_height, _ = row_positions(table.rows)
        ax.set_ylim(total_height - 0.5, -0.5)
        _draw_axis(ax, scale, style, fontsize, limits, ticks)
        _draw_graph(ax, table, style, limits, fontsize)
        _draw_refline(ax, table, scale, refline)
        _draw_cells(ax, table, geometry, fontsize, family)
        _draw_below_axis(ax, table, geometry, scale, style, fontsize, family, favours, refline)
        if title:
            ax.text(
                0,
                1,
                title,
                transform=_offset(ax, geometry["table_left"], geometry["title_y"]),
                fontsize=fontsize * 1.2,
                fontweight="bold",
                family=family,
                ha="left",
                va="bottom",
                gid="title",
            )
    return fig


# --- geometry ---------------------------------------------------------------------------------


def _text_width(text, fontsize, family, bold=False):
    """Width in points of ``text`` (the widest line of it)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(family=family, size=fontsize, weight="bold" if bold else "normal")
    return max(
        (
            text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0]
            for line in str(text).split("\n")
        ),
        default=0.0,
    )


def _axis_overhang(ticks, limits, scale, style, fontsize, family, favours, null, plot_pts):
    """Points by which the tick labels and 'favours' texts pass the graph's right edge."""
    needed = 0.0
    for tick in ticks:
        half = _text_width(_tick_label(tick, style), fontsize, family) / 2
        needed = max(needed, half - (1 - _fraction(tick, limits, scale.log)) * plot_pts)
    if favours is not None:
        width = _text_width(favours[1], fontsize, family) + 0.5 * fontsize
        at = 1.0 if null is None else _fraction(null, limits, scale.log)
        needed = max(needed, width - (1 - at) * plot_pts if null is not None else 0.0)
    return max(needed, 0.0)


def _column_widths(table, fontsize, family):
    """Width in points of each text column: its widest cell or header."""
    widths = {}
    for column in table.columns:
        if column.key == "plot":
            continue
        cells = [
            _text_width(row.cells.get(column.key, ""), fontsize, family, row.bold)
            for row in table.rows
        ]
        header = _text_width(column.header, fontsize, family, bold=True)
        widths[column.key] = max(cells + [header])
    return widths


def _place_columns(table, widths, plot_pts, gap):
    """Place the columns left to right, ``gap`` apart.

    Returns the graph's left and right edges and the table's right end
    (points from the table's left edge), and each text column as ``(side,
    offset, align)``: side 0 offsets from the graph's left edge, side 1 from
    its right edge, so the columns keep their places beside any Axes.
    """
    keys = [column.key for column in table.columns]
    x, left_edge = 0.0, {}
    for key in keys:
        left_edge[key] = x
        x += (plot_pts if key == "plot" else widths[key]) + gap
    plot_left, plot_right = left_edge["plot"], left_edge["plot"] + plot_pts
    placed = {}
    for column in table.columns:
        if column.key == "plot":
            continue
        side = 0 if keys.index(column.key) < keys.index("plot") else 1
        edge = left_edge[column.key] + (widths[column.key] if column.align == "right" else 0.0)
        placed[column.key] = (side, edge - (plot_right if side else plot_left), column.align)
    return plot_left, plot_right, x - gap, placed


def _geometry(table, style, fontsize, family, plot_pts, favours, title, overhang=0.0):
    """Place the columns and size the default figure, all in points.

    Returns the column placements of :func:`_place_columns`, the offsets of
    the header, title and footnotes, and the figure's size and Axes
    rectangle for the default figure.
    """
    gap = 1.2 * fontsize
    widths = _column_widths(table, fontsize, family)
    plot_pts = max(plot_pts, _text_width(table.plot_header, fontsize, family, bold=True) + gap)
    plot_left, plot_right, columns_end, columns = _place_columns(table, widths, plot_pts, gap)
    table_width = max(columns_end, plot_right + overhang)
    text_width = max(
        [_text_width(row.cells.get("text", ""), fontsize * 0.9, family) for row in table.rows]
        + [_text_width(note, fontsize * 0.9, family) for note in table.footnotes]
        + [_text_width(title or "", fontsize * 1.2, family, bold=True)]
    )
    width = 2 * _MARGIN + max(table_width, text_width)

    header_lines = max(
        [column.header.count("\n") + 1 for column in table.columns if column.header]
        + [table.plot_header.count("\n") + 1 if table.plot_header else 0, 1]
    )
    header_height = header_lines * _LINE * fontsize + 0.6 * fontsize
    title_height = 1.6 * fontsize if title else 0.0
    rows_height = row_positions(table.rows)[1] * style.row_height * fontsize
    axis_lines = 1 + (style.name == "jama") + (favours is not None)
    axis_height = 7.0 + axis_lines * (_LINE * fontsize + 2.0) + 0.4 * fontsize
    notes_height = len(table.footnotes) * _LINE * 0.9 * fontsize + (
        0.4 * fontsize if table.footnotes else 0.0
    )
    height = 2 * _MARGIN + title_height + header_height + rows_height + axis_height + notes_height
    bottom = _MARGIN + notes_height + axis_height
    return {
        "width": width,
        "height": height,
        "axes": [
            (_MARGIN + plot_left) / width,
            bottom / height,
            plot_pts / width,
            rows_height / height,
        ],
        "columns": columns,
        "table_left": -plot_left,  # the table's left edge, from the graph's left edge
        "table_right": table_width - plot_right,  # its right end, from the graph's right edge
        "header_y": 0.3 * fontsize,
        "title_y": header_height + 0.2 * fontsize,
        "axis_height": axis_height,
    }


def _offset(ax, dx_points, dy_points, data_y=False, data_x=False):
    """Return a transform: Axes (or data) coordinates shifted by a distance in points."""
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    base = blended_transform_factory(
        ax.transData if data_x else ax.transAxes, ax.transData if data_y else ax.transAxes
    )
    return base + ScaledTranslation(dx_points / 72, dy_points / 72, ax.figure.dpi_scale_trans)


def _points_from_axes(ax, dy_points):
    """Return a transform: x in points from the Axes' left edge, y in Axes coordinates."""
    from matplotlib.transforms import Affine2D, ScaledTranslation, blended_transform_factory

    fig = ax.figure
    to_pixels = Affine2D().scale(1 / 72) + fig.dpi_scale_trans
    x_points = to_pixels + ScaledTranslation(0, 0, ax.transAxes)
    y_axes = ax.transAxes + ScaledTranslation(0, dy_points / 72, fig.dpi_scale_trans)
    return blended_transform_factory(x_points, y_axes)


def _row_points(ax, table):
    """Height of one row in points, as drawn."""
    fig = ax.figure
    total_height = row_positions(table.rows)[1]
    return ax.get_position().height * fig.get_figheight() * 72 / total_height


# --- the graph --------------------------------------------------------------------------------


def _axis_ticks(table, scale, style, xlim, refline):
    """Return ``(limits, ticks)`` of the x axis on the displayed scale."""
    values = [v for row in table.rows for v in (row.estimate, row.low, row.high)]
    values = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    null = scale.null if refline == "auto" else refline
    if scale.log:
        values = values[values > 0]
    if xlim is None:
        if scale.log:
            ticks = _log_ticks(values, null, symmetric=style.name == "revman")
        else:
            ticks = _linear_ticks(values, null, scale)
        return (ticks[0], ticks[-1]), ticks
    xlim = (float(xlim[0]), float(xlim[1]))
    if scale.log:
        ticks = _log_ticks(np.asarray(xlim), None)
    else:
        ticks = _linear_ticks(np.asarray(xlim), None, scale)
    return xlim, [
        t for t in ticks if xlim[0] * (1 - 1e-9) - 1e-12 <= t <= xlim[1] * (1 + 1e-9) + 1e-12
    ]


def _fraction(value, limits, log):
    """Where ``value`` sits along the axis, from 0 (left) to 1 (right)."""
    low, high = limits
    if log:
        return (np.log(value) - np.log(low)) / (np.log(high) - np.log(low))
    return (value - low) / (high - low)


def _draw_axis(ax, scale, style, fontsize, limits, ticks):
    """Set the scale, limits and ticks of the x axis."""
    from matplotlib.ticker import NullLocator

    if scale.log:
        ax.set_xscale("log")
    ax.set_xlim(*limits)
    ax.set_xticks(ticks, labels=[_tick_label(t, style) for t in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.tick_params(
        axis="x", labelsize=fontsize, length=3.5, width=0.8, pad=3.5, color=style.line_color
    )
    ax.tick_params(axis="y", left=False, labelleft=False)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_linewidth(0.8)
    ax.set_facecolor("none")


# RevMan's symmetric scales for ratios, narrowest first.
_SYMMETRIC_LOG_TICKS = (
    (0.5, 0.7, 1, 1.5, 2),
    (0.2, 0.5, 1, 2, 5),
    (0.1, 0.2, 0.5, 1, 2, 5, 10),
    (0.05, 0.2, 1, 5, 20),
    (0.01, 0.1, 1, 10, 100),
    (0.005, 0.1, 1, 10, 200),
    (0.001, 0.1, 1, 10, 1000),
)


def _log_ticks(values, null, symmetric=False):
    """Ticks of a ratio axis covering the values (and the null).

    ``symmetric`` takes the narrowest of RevMan's scales symmetric about 1;
    otherwise ticks run 1-2-5 x 10^k (at most nine), or powers of ten.
    """
    low, high = (values.min(), values.max()) if values.size else (1.0, 1.0)
    if null is not None and null > 0:
        low, high = min(low, null), max(high, null)
    tolerance = 1e-9
    if symmetric:
        for ticks in _SYMMETRIC_LOG_TICKS:
            if ticks[0] <= low * (1 + tolerance) and high <= ticks[-1] * (1 + tolerance):
                return [float(t) for t in ticks]
    candidates = [float(f"{m * 10.0**e:.6g}") for e in range(-6, 7) for m in (1, 2, 5)]
    lower = max([c for c in candidates if c <= low * (1 + tolerance)], default=candidates[0])
    upper = min([c for c in candidates if c >= high * (1 - tolerance)], default=candidates[-1])
    ticks = [c for c in candidates if lower <= c <= upper]
    if len(ticks) > 9:
        powers = [float(f"{10.0**e:.6g}") for e in range(-6, 7)]
        lower = max([c for c in powers if c <= low * (1 + tolerance)], default=powers[0])
        upper = min([c for c in powers if c >= high * (1 - tolerance)], default=powers[-1])
        ticks = [c for c in powers if lower <= c <= upper]
        step = int(np.ceil((len(ticks) - 1) / 6)) or 1
        ticks = ticks[::step] if (len(ticks) - 1) % step == 0 else ticks[::step] + [ticks[-1]]
    return ticks


def _linear_ticks(values, null, scale):
    from matplotlib.ticker import MaxNLocator

    if null is not None:
        values = np.append(values, null)
    low, high = (values.min(), values.max()) if values.size else (0.0, 1.0)
    if scale.bounds is not None:
        low, high = max(low, scale.bounds[0]), min(high, scale.bounds[1])
    if high - low < 1e-12:
        low, high = low - 0.5, high + 0.5
    ticks = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
    if scale.bounds is not None:
        ticks = ticks[(ticks >= scale.bounds[0] - 1e-12) & (ticks <= scale.bounds[1] + 1e-12)]
    return [float(f"{t:.10g}") for t in ticks]


def _tick_label(value, style):
    text = f"{value:.6g}"
    return text.replace("-", "\N{MINUS SIGN}") if style.unicode_minus else text


def _draw_graph(ax, table, style, limits, fontsize):
    """Squares and CI lines of the studies, diamonds, the prediction interval."""
    from matplotlib.patches import Polygon

    row_pts = _row_points(ax, table)
    weights = [row.weight for row in table.rows if row.kind == "study" and np.isfinite(row.weight)]
    max_weight = max(weights, default=1.0) or 1.0
    largest = 0.8 * row_pts  # side of the heaviest study's square, in points
    for y, row in zip(row_positions(table.rows)[0], table.rows, strict=True):
        if row.kind == "study" and np.isfinite(row.estimate):
            ax.plot(
                [row.low, row.high],
                [y, y],
                color=style.line_color,
                lw=0.9,
                solid_capstyle="butt",
                gid=f"ci:{row.key}",
                zorder=2,
            )
            _draw_arrows(ax, row, y, limits, style)
            weight = row.weight if np.isfinite(row.weight) else max_weight
            side = largest * np.sqrt(max(weight, 0.0) / max_weight)
            ax.plot(
                [row.estimate],
                [y],
                marker="s",
                markersize=side,
                linestyle="none",
                color=style.square_color,
                markeredgewidth=0,
                gid=f"square:{row.key}",
                zorder=3,
            )
        elif row.kind in ("subtotal", "total") and np.isfinite(row.estimate):
            half = 0.34
            vertices = [
                (row.low, y),
                (row.estimate, y - half),
                (row.high, y),
                (row.estimate, y + half),
            ]
            color = style.diamond_color if row.kind == "total" else style.square_color
            ax.add_patch(
                Polygon(
                    vertices,
                    closed=True,
                    facecolor=color,
                    edgecolor=color,
                    linewidth=0.6,
                    gid=f"diamond:{row.key}",
                    zorder=3,
                )
            )
        elif row.kind == "pi" and np.isfinite(row.low):
            ax.plot(
                [row.low, row.high],
                [y, y],
                color=style.pi_color,
                lw=2.2,
                solid_capstyle="butt",
                marker="|",
                markersize=0.5 * row_pts,
                markeredgewidth=1.0,
                gid=f"pi:{row.key}",
                zorder=3,
            )


def _draw_arrows(ax, row, y, limits, style):
    """Draw an arrow where a study's interval leaves the axis."""
    low, high = limits
    for outside, x, marker in ((row.low < low, low, "<"), (row.high > high, high, ">")):
        if outside:
            ax.plot([x], [y], marker=marker, markersize=4, color=style.line_color,
                    linestyle="none", gid=f"arrow:{row.key}", clip_on=False, zorder=2)

def _draw_refline(ax, table, scale, refline):
    """Draw the line of no effect, across the rows that hold graphics only."""
    null = scale.null if refline == "auto" else refline
    if null is None:
        return
    centres, _, heights = row_positions(table.rows)
    runs, start = [], None
    for index, row in enumerate(table.rows + [None]):
        inside = row is not None and row.kind in GRAPH_KINDS
        if inside and start is None:
            start = centres[index] - heights[index] / 2
        elif not inside and start is not None:
            runs.append((start, centres[index - 1] + heights[index - 1] / 2))
            start = None
    for top, bottom in runs:
        ax.plot(
            [null, null],
            [top, bottom],
            color="#555555",
            lw=0.7,
            gid="refline",
            zorder=1,
        )


# --- the text ---------------------------------------------------------------------------------


def _draw_cells(ax, table, geometry, fontsize, family):
    """Column headers, cells and the heterogeneity/test lines."""
    from matplotlib.lines import Line2D

    columns = geometry["columns"]
    for column in table.columns:
        if column.key == "plot":
            header, side, dx, align = table.plot_header, 0, 0.0, "center"
            anchor_x = 0.5
        else:
            header = column.header
            side, dx, align = columns[column.key]
            anchor_x = side
        if header:
            ax.text(
                anchor_x,
                1,
                header,
                transform=_offset(ax, dx, geometry["header_y"]),
                ha=align,
                va="bottom",
                multialignment=align,
                fontsize=fontsize,
                fontweight="bold",
                family=family,
                gid=f"header:{column.key}",
            )
    # a rule under the headers, across the whole table
    rule_y = geometry["header_y"] * 0.5
    ax.add_artist(
        Line2D(
            [geometry["table_left"], _axes_width_points(ax) + geometry["table_right"]],
            [1, 1],
            color="black",
            lw=0.6,
            gid="header-rule",
            clip_on=False,
            transform=_points_from_axes(ax, rule_y),
        )
    )

    for y, row in zip(row_positions(table.rows)[0], table.rows, strict=True):
        if row.kind == "text":
            ax.text(
                0,
                y,
                row.cells["text"],
                transform=_offset(ax, geometry["table_left"], 0, data_y=True),
                ha="left",
                va="center",
                fontsize=0.9 * fontsize,
                family=family,
                gid=row.key,
                clip_on=False,
            )
            continue
        for key, text in row.cells.items():
            if key not in columns or text == "":
                continue
            side, dx, align = columns[key]
            ax.text(
                side,
                y,
                text,
                transform=_offset(ax, dx, 0, data_y=True),
                ha=align,
                va="center",
                fontsize=fontsize,
                family=family,
                fontweight="bold" if row.bold else "normal",
                gid=f"cell:{key}:{row.key}" if row.kind != "pi" else f"cell:{key}:pi",
                clip_on=False,
            )


def _axes_width_points(ax):
    return ax.get_position().width * ax.figure.get_figwidth() * 72


def _draw_below_axis(ax, table, geometry, scale, style, fontsize, family, favours, refline):
    """Axis label, 'favours' texts and footnotes under the graph."""
    line = _LINE * fontsize + 2.0
    y = -(7.0 + line)  # below the tick labels
    if style.name == "jama":
        ax.text(
            0.5,
            0,
            table.axis_label + f" ({100 * table.level:g}% CI)",
            transform=_offset(ax, 0, y),
            ha="center",
            va="top",
            fontsize=fontsize,
            family=family,
            gid="xlabel",
        )
        y -= line
    if favours is not None:
        null = scale.null if refline == "auto" else refline
        left_text, right_text = favours
        if null is None:
            positions = [(0.0, "left", left_text, False), (1.0, "right", right_text, False)]
        else:
            positions = [(null, "right", left_text, True), (null, "left", right_text, True)]
        for x, align, text, in_data in positions:
            shift = (-0.5 if align == "right" else 0.5) * fontsize if in_data else 0.0
            ax.text(
                x,
                0,
                text,
                transform=_offset(ax, shift, y, data_x=in_data),
                ha=align,
                va="top",
                fontsize=fontsize,
                family=family,
                gid=f"favours:{'left' if align == 'right' else 'right'}",
            )
        y -= line
    y = -geometry["axis_height"]
    for note in table.footnotes:
        ax.text(
            0,
            0,
            note,
            transform=_offset(ax, geometry["table_left"], y),
            ha="left",
            va="top",
            fontsize=0.9 * fontsize,
            family=family,
            gid="footnote",
        )
        y -= _LINE * 0.9 * fontsize
