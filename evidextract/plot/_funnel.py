"""The contour-enhanced funnel plot, with trim-and-fill's added studies."""

from __future__ import annotations

import numpy as np
from scipy import stats

from evidextract.plot import _fitview
from evidextract.plot._scale import scale_for
from evidextract.plot._style import sans_family

# metafor's shades for the contour example of funnel.rma: inside the smallest
# level white, then darker to lighter grey outwards.
_SHADES = ("white", "#8c8c8c", "#bfbfbf", "#d9d9d9", "#ececec")
_OUTSIDE = "#f2f2f2"


def funnel(
    fit,
    ax=None,
    *,
    contours=(0.90, 0.95, 0.99),
    trimfill=False,
    refline=0.0,
    xlabel=None,
    legend=True,
    fontsize=8.0,
):
    """Draw a contour-enhanced funnel plot of a fitted meta-analysis.

    Each study is a point at its effect size (x, on the analysis scale: log
    ratios, logits...) and its standard error (y, zero at the top). Shaded
    regions show where a study would be statistically significant at each
    level of ``contours`` (two-sided, around ``refline``); dashed lines are
    the pseudo confidence region around the pooled estimate.

    Parameters
    ----------
    fit : fitted model
        The result of :func:`evidextract.rma`.
    ax : matplotlib.axes.Axes, optional
        Draw in this Axes; by default a new 5.4 x 3.6 inch figure.
    contours : sequence of float
        Significance contours as confidence levels (0.90, 0.95, 0.99 mark
        p = 0.10, 0.05, 0.01); empty for a plain funnel.
    trimfill : bool
        Add the studies trim-and-fill (``fit.trimfill()``) imputes as open
        points, and centre the pseudo confidence region on its adjusted
        estimate, as metafor's ``funnel(trimfill(res))`` does.
    refline : float
        Centre of the significance contours (the null on the analysis scale).
    xlabel : str, optional
        Axis label; defaults to the measure's analysis-scale name.
    legend : bool
        Show the p-value key of the shaded regions.
    fontsize : float
        Font size in points.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    A study with effect size y and standard error s lies inside the contour
    of level L when ``|y - refline| / s < z`` with ``z`` the
    ``(1 + L) / 2`` quantile of the standard normal, so each contour is the
    triangle from ``(refline, 0)`` to ``refline ± z * s_max`` (Peters et al.,
    2008). Artists carry gids: ``studies``, ``filled``, ``contour:0.95``,
    ``pseudo-ci``, ``estimate``.

    References
    ----------
    Peters JL, Sutton AJ, Jones DR, Abrams KR, Rushton L. Contour-enhanced
    meta-analysis funnel plots help distinguish publication bias from other
    causes of asymmetry. J Clin Epidemiol. 2008;61(10):991-996.

    Examples
    --------
    >>> import evidextract as ee
    >>> dat = ee.escalc("SMD", m1i=[5.1, 4.8, 6.0, 5.5], sd1i=[1.2, 1.1, 1.4, 1.0],
    ...                 n1i=[30, 45, 25, 60], m2i=[4.2, 4.6, 4.9, 5.3],
    ...                 sd2i=[1.3, 1.0, 1.5, 1.1], n2i=[31, 44, 27, 58])
    >>> fig = ee.funnel(ee.rma("yi", "vi", data=dat))
    >>> [a.get_gid() for a in fig.axes[0].patches][:3]
    ['contour:0.99', 'contour:0.95', 'contour:0.9']
    """
    import matplotlib.pyplot as plt

    _fitview.check_pooled_model(fit, "funnel()")
    family = sans_family()
    studies = _fitview.study_frame(fit)
    yi = studies["yi"].to_numpy(dtype=float)
    sei = np.sqrt(studies["vi"].to_numpy(dtype=float))
    center_fit = fit
    filled_y = filled_se = np.array([])
    if trimfill:
        filled_fit = fit.trimfill()
        mask = _fitview.filled_mask(filled_fit)
        filled_studies = _fitview.study_frame(filled_fit)
        filled_y = filled_studies["yi"].to_numpy(dtype=float)[mask]
        filled_se = np.sqrt(filled_studies["vi"].to_numpy(dtype=float)[mask])
        center_fit = filled_fit
    se_max = _nice_upper(np.nanmax(np.concatenate([sei, filled_se])))

    with plt.rc_context(
        {"font.family": family, "font.size": fontsize, "svg.fonttype": "none", "pdf.fonttype": 42}
    ):
        if ax is None:
            fig, ax = plt.subplots(figsize=(5.4, 3.6), layout="constrained")
        fig = ax.figure
        ax.set_facecolor(_OUTSIDE if contours else "white")
        handles = _draw_contours(ax, contours, refline, se_max, legend)
        _draw_pseudo_ci(ax, center_fit, se_max)
        ax.plot(yi, sei, "o", color="black", markersize=4.5, gid="studies", zorder=4)
        if trimfill:
            ax.plot(
                filled_y,
                filled_se,
                "o",
                markerfacecolor="white",
                markeredgecolor="black",
                markersize=4.5,
                gid="filled",
                zorder=4,
            )
        if legend and (handles or trimfill):
            _draw_legend(ax, handles, trimfill, bool(contours), fontsize)
        ax.set_xlim(
            *_x_limits(np.concatenate([yi, filled_y]), contours, refline, center_fit, se_max)
        )
        ax.set_ylim(se_max, 0)
        scale = scale_for(getattr(fit, "measure", None), transf=False)
        ax.set_xlabel(xlabel if xlabel is not None else scale.name, fontsize=fontsize)
        ax.set_ylabel("Standard error", fontsize=fontsize)
        ax.tick_params(labelsize=fontsize)
    return fig


def _x_limits(points, contours, refline, center_fit, se_max):
    """Cover the points, the widest contour and the pseudo confidence region."""
    z_contour = _z(max(contours, default=0.0)) if len(contours) else 0.0
    z_pseudo = _z(_fitview.level_of(center_fit))
    estimate = float(center_fit.estimate)
    ends = np.concatenate(
        [
            points[np.isfinite(points)],
            [refline - z_contour * se_max, refline + z_contour * se_max],
            [estimate - z_pseudo * se_max, estimate + z_pseudo * se_max],
        ]
    )
    pad = 0.04 * (ends.max() - ends.min())
    return ends.min() - pad, ends.max() + pad


def _z(level):
    return float(stats.norm.ppf(0.5 + level / 2))


def _nice_upper(value):
    """Round the largest standard error up to a tidy axis end."""
    if not np.isfinite(value) or value <= 0:
        return 1.0
    magnitude = 10 ** np.floor(np.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(10 * magnitude)


def _draw_contours(ax, contours, refline, se_max, legend):
    """Draw nested triangles, the widest first; return the legend's patches."""
    from matplotlib.patches import Patch, Polygon

    levels = sorted(contours, reverse=True)
    handles = []
    for index, level in enumerate(levels):
        z = _z(level)
        inner = len(levels) - 1 - index  # 0 for the innermost contour
        shade = _SHADES[inner] if inner < len(_SHADES) else "white"
        vertices = [(refline, 0.0), (refline - z * se_max, se_max), (refline + z * se_max, se_max)]
        ax.add_patch(
            Polygon(
                vertices,
                closed=True,
                facecolor=shade,
                edgecolor="none",
                gid=f"contour:{level:g}",
                zorder=1,
            )
        )
        handles.append((level, shade))
    if legend and levels:
        alphas = [1 - level for level in sorted(contours)]  # 0.10, 0.05, 0.01
        bounds = [1.0] + alphas + [0.0]
        colours = [shade for _, shade in sorted(handles)] + [_OUTSIDE]
        patches = [
            Patch(
                facecolor=colour,
                edgecolor="#777777",
                linewidth=0.5,
                label=f"{low:.2f} < p ≤ {high:.2f}" if low > 0 else f"p ≤ {high:.2f}",
            )
            for colour, high, low in zip(colours, bounds[:-1], bounds[1:], strict=True)
        ]
        return patches
    return []


def _draw_legend(ax, handles, trimfill, contours, fontsize):
    """Key of the shaded regions (and of observed and filled studies), right of the plot."""
    from matplotlib.lines import Line2D

    if trimfill:
        handles = handles + [
            Line2D([], [], marker="o", linestyle="none", color="black", markersize=4.5,
                   label="Observed studies"),
            Line2D([], [], marker="o", linestyle="none", markerfacecolor="white",
                   markeredgecolor="black", markersize=4.5, label="Filled (trim and fill)"),
        ]  # fmt: skip
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        fontsize=fontsize * 0.9,
        frameon=False,
        title="Two-sided p" if contours else None,
        title_fontsize=fontsize * 0.9,
        alignment="left",
    )


def _draw_pseudo_ci(ax, fit, se_max):
    """Vertical line at the pooled estimate and its pseudo confidence region."""
    level = _fitview.level_of(fit)
    z = _z(level)
    estimate = float(fit.estimate)
    ax.plot([estimate, estimate], [0, se_max], color="black", lw=0.8, gid="estimate", zorder=3)
    ax.plot(
        [estimate - z * se_max, estimate, estimate + z * se_max],
        [se_max, 0, se_max],
        color="black",
        lw=0.8,
        linestyle="--",
        gid="pseudo-ci",
        zorder=3,
    )
