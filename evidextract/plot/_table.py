"""The forest plot as a table: one row per study, pooled result and text line.

:func:`build_table` reads a fitted model and decides *what* a forest plot
shows, on the displayed scale and as formatted text; :mod:`._forest` then
decides *where* it goes. Keeping the two apart lets the tests check the
numbers of a plot without reading pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evidextract.plot import _fitview
from evidextract.plot._style import (
    FOOTNOTE_MARKS,
    MINUS,
    format_i2,
    format_interval,
    format_number,
    format_p,
    format_tau2,
    format_weight,
)

# Rows that carry graphics (a square, a diamond or an interval) or a group title.
GRAPH_KINDS = ("study", "subtotal", "total", "pi", "group")
# Height of a row by kind, in rows: text lines and spacers are tighter than studies.
_ROW_HEIGHTS = {"text": 0.8, "blank": 0.6}


def row_positions(rows):
    """Return the centre of each row and the total height, in rows (first row at 0)."""
    heights = np.array([_ROW_HEIGHTS.get(row.kind, 1.0) for row in rows])
    tops = np.concatenate([[0.0], np.cumsum(heights)[:-1]])
    return tops + heights / 2 - 0.5, float(heights.sum()), heights


@dataclass
class Row:
    """One line of the forest plot.

    ``kind`` is ``study``, ``group`` (a subgroup's title), ``subtotal``,
    ``total``, ``pi`` (prediction interval), ``text`` (heterogeneity and
    tests) or ``blank``; ``key`` names the row's artists (``study-3``,
    ``subgroup-random``, ``overall``). Numbers are on the displayed scale.
    """

    kind: str
    key: str
    label: str
    estimate: float = np.nan
    low: float = np.nan
    high: float = np.nan
    weight: float = np.nan
    cells: dict = field(default_factory=dict)
    bold: bool = False


@dataclass
class Column:
    """A text column: its key, header (may span two lines) and alignment."""

    key: str
    header: str
    align: str


@dataclass
class Table:
    """Everything a forest plot shows, in drawing order."""

    rows: list
    columns: list
    footnotes: list
    plot_header: str
    axis_label: str
    level: float


def build_table(
    fit,
    scale,
    layout,
    *,
    sort=None,
    show_pi=True,
    show_weights=True,
    annotate=True,
    n=None,
    digits=2,
    groups=("Experimental", "Control"),
    xlabel=None,
):
    """Return the :class:`Table` of a forest plot of ``fit``.

    Parameters are those of :func:`evidextract.forest`; ``scale`` is the
    :class:`~evidextract.plot._scale.Scale` the plot shows and ``layout`` the
    :class:`~evidextract.plot._style.Layout`.
    """
    _fitview.check_pooled_model(fit, "forest()")
    studies = _fitview.study_frame(fit)
    k = len(studies)
    data = _fitview.fit_data(fit, k)
    level = _fitview.level_of(fit)
    n_columns = _fitview.sample_size_columns(data, n)
    scale_n = _fitview.sample_size_for_scale(data) if scale.needs_n else None
    pooled_n = None if scale_n is None else 1.0 / np.nanmean(1.0 / scale_n)
    notes = _fitview.imputed_notes(data)
    marks = _assign_marks(notes)

    def show(values, n_values):
        values = scale.back(values, n_values)
        if scale.bounds is not None:
            values = np.clip(values, *scale.bounds)
        return values

    study_est = show(studies["yi"].to_numpy(dtype=float), scale_n)
    study_low = show(studies["ci_low"].to_numpy(dtype=float), scale_n)
    study_high = show(studies["ci_high"].to_numpy(dtype=float), scale_n)
    weights = studies["weight"].to_numpy(dtype=float)
    labels = [str(label) for label in studies["label"]]

    def study_row(i):
        cells = {"label": labels[i] + marks.get(notes[i], "")}
        for name, values in n_columns:
            cells[f"n:{name}"] = _format_count(values[i])
        if show_weights:
            cells["weight"] = format_weight(weights[i], layout)
        if annotate:
            cells["estimate"] = format_interval(
                study_est[i], study_low[i], study_high[i], digits, layout
            )
        return Row(
            "study",
            f"study-{i}",
            labels[i],
            study_est[i],
            study_low[i],
            study_high[i],
            weights[i],
            cells,
        )

    def pooled_row(kind, key, label, subfit, weight, totals):
        est, low, high = (
            float(show(getattr(subfit, name), pooled_n))
            for name in ("estimate", "ci_low", "ci_high")
        )
        cells = {"label": label}
        for (name, _), total in zip(n_columns, totals, strict=True):
            cells[f"n:{name}"] = _format_count(total)
        if show_weights:
            cells["weight"] = format_weight(weight, layout)
        if annotate:
            cells["estimate"] = format_interval(est, low, high, digits, layout)
        return Row(kind, key, label, est, low, high, weight, cells, bold=True)

    order = _study_order(studies, data, sort)
    rows = []
    lvl = f"{100 * level:g}%"
    groups_found, between = _fitview.subgroups(fit)
    if groups_found:
        for name, subfit, mask in groups_found:
            key = f"subgroup-{name}"
            rows.append(Row("group", f"group-{name}", name, cells={"label": name}, bold=True))
            members = [i for i in order if mask[i]]
            rows.extend(study_row(i) for i in members)
            totals = [np.nansum(values[members]) for _, values in n_columns]
            label = f"Subtotal ({lvl} CI)" if layout.name == "revman" else "Subtotal"
            rows.append(
                pooled_row("subtotal", key, label, subfit, np.nansum(weights[members]), totals)
            )
            rows.extend(_text_rows(subfit, key, layout, scale))
            rows.append(Row("blank", f"{key}-blank", ""))
    else:
        rows.extend(study_row(i) for i in order)

    totals = [np.nansum(values) for _, values in n_columns]
    label = f"Total ({lvl} CI)" if layout.name == "revman" else "Overall"
    rows.append(pooled_row("total", "overall", label, fit, 100.0, totals))
    if show_pi and _fitview.is_random_effects(fit) and k >= 2:
        pi_low, pi_high = (float(v) for v in show(_fitview.prediction_interval(fit), pooled_n))
        cells = {
            "label": f"Prediction interval ({lvl})"
            if layout.name == "revman"
            else f"{lvl} Prediction interval"
        }
        if annotate:
            opening, separator, closing = layout.brackets
            if layout.name == "jama" and min(pi_low, pi_high) < 0:
                separator = " to "
            low_text, high_text = (format_number(v, digits, layout) for v in (pi_low, pi_high))
            cells["estimate"] = f"{opening}{low_text}{separator}{high_text}{closing}"
        rows.append(Row("pi", "overall", cells["label"], np.nan, pi_low, pi_high, cells=cells))
    rows.extend(_text_rows(fit, "overall", layout, scale))
    if between is not None:
        text = _between_text(between, layout)
        rows.append(Row("text", "test:subgroups", "", cells={"text": text}))

    columns = _columns(fit, scale, layout, n_columns, show_weights, annotate, groups, level)
    axis_label = xlabel if xlabel is not None else scale.name
    footnotes = [f"{mark} {note[:1].upper()}{note[1:]}" for note, mark in marks.items()]
    footnotes.extend(
        f"Not pooled: {label} ({reason})" for label, reason in _fitview.excluded_studies(fit)
    )
    return Table(
        rows, columns, footnotes, _plot_header(fit, scale, layout, level), axis_label, level
    )


def _assign_marks(notes):
    """Map each distinct non-empty note to a mark, in order of first use."""
    marks = {}
    for note in notes:
        if note and note not in marks:
            index = len(marks)
            marks[note] = FOOTNOTE_MARKS[index] if index < len(FOOTNOTE_MARKS) else f"[{index + 1}]"
    return marks


def _study_order(studies, data, sort):
    """Return study positions in display order (``sort``: see :func:`evidextract.forest`)."""
    k = len(studies)
    if sort is None:
        return list(range(k))
    descending = isinstance(sort, str) and sort.startswith("-")
    key = sort.lstrip("-") if isinstance(sort, str) else sort
    if key in ("estimate", "yi"):
        values = studies["yi"].to_numpy()
    elif key == "weight":
        values = studies["weight"].to_numpy()
    elif key in ("precision", "vi", "variance"):
        values = studies["vi"].to_numpy()
    elif key == "label":
        values = studies["label"].astype(str).to_numpy()
    elif isinstance(key, str) and key in data.columns:
        values = data[key].to_numpy()
    else:
        raise ValueError(
            f"cannot sort by {sort!r}: use 'estimate', 'weight', 'precision', 'label' "
            "or a column of fit.data, with '-' in front for descending order"
        )
    order = sorted(range(k), key=lambda i: values[i])  # stable: ties keep data order
    return order[::-1] if descending else order


def _format_count(value):
    if value is None or not np.isfinite(float(value)):
        return ""
    return f"{float(value):.0f}"


def _text_rows(fit, key, layout, scale):
    """Heterogeneity line, and the test of the pooled effect where it has a null."""
    het = _fitview.heterogeneity(fit)
    stat, pval, name = _fitview.overall_test(fit)
    random = _fitview.is_random_effects(fit)
    p_het, p_test = format_p(het["q_pval"], layout), format_p(pval, layout)
    i2 = format_i2(het["i2"], layout)
    tau2 = format_tau2(het["tau2"])
    if layout.name == "revman":
        parts = [f"Tau² = {tau2}; "] if random else []
        het_text = (
            f"Heterogeneity: {''.join(parts)}Chi² = {het['q']:.2f}, df = {het['df']} "
            f"({p_het}); I² = {i2}"
        )
        test_text = f"Test for overall effect: {name.upper()} = {abs(stat):.2f} ({p_test})"
    else:
        parts = [f"τ² = {tau2}; "] if random else []
        het_text = (
            f"Heterogeneity: {''.join(parts)}I² = {i2}; Q = {het['q']:.2f}, "
            f"df = {het['df']}, {p_het}"
        )
        stat_text = f"{stat:.2f}".replace("-", MINUS)
        test_text = f"Overall effect: {name} = {stat_text}, {p_test}"
    if het["k"] < 2:
        het_text = "Heterogeneity: Not applicable"
    rows = [Row("text", f"het:{key}", "", cells={"text": het_text})]
    if scale.null is not None:  # a pooled proportion has no effect of 0 to test against
        rows.append(Row("text", f"test:{key}", "", cells={"text": test_text}))
    return rows


def _between_text(between, layout):
    q, df = between["q"], between["df"]
    p_text = format_p(between["pval"], layout)
    if layout.name == "revman":
        i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
        return (
            f"Test for subgroup differences: Chi² = {q:.2f}, df = {df} ({p_text}), "
            f"I² = {format_i2(i2, layout)}"
        )
    return f"Subgroup differences: Q = {q:.2f}, df = {df}, {p_text}"


def _columns(fit, scale, layout, n_columns, show_weights, annotate, groups, level):
    columns = []
    for key in layout.columns:
        if key == "label":
            header = "Study or Subgroup" if layout.name == "revman" else "Source"
            columns.append(Column("label", header, "left"))
        elif key == "n":
            for (name, _), group in zip(n_columns, _n_headers(n_columns, groups), strict=True):
                columns.append(Column(f"n:{name}", _n_header(group, layout), "right"))
        elif key == "weight" and show_weights:
            header = "Weight" if layout.percent_in_cells else "Weight,\n%"
            columns.append(Column("weight", header, "right"))
        elif key == "estimate" and annotate:
            if layout.name == "revman":
                header = _plot_header(fit, scale, layout, level)
            else:
                header = f"{scale.abbrev}\n({100 * level:g}% CI)"
            columns.append(Column("estimate", header, "left"))
        elif key == "plot":
            columns.append(Column("plot", "", "center"))
    return columns


def _n_headers(n_columns, groups):
    if len(n_columns) == 2:
        return list(groups)
    return [None] * len(n_columns)


def _n_header(group, layout):
    if layout.name == "revman":
        return f"{group}\nTotal" if group else "Total"
    return f"{group}\nNo." if group else "No. of\npatients"


def _plot_header(fit, scale, layout, level):
    if layout.name != "revman":
        return ""
    model = "Random" if _fitview.is_random_effects(fit) else "Fixed"
    return f"{scale.name.title()}\nIV, {model}, {100 * level:g}% CI"
