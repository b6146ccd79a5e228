"""Printed summaries of a fitted meta-analysis, laid out as metafor's ``print.rma.uni``."""

import html
import math


def _fmt_p(p):
    if math.isnan(p):
        return "NA"
    return "<.0001" if p < 1e-4 else f"{p:.4f}"


def _fmt_p_eq(p):
    return "p-val < .0001" if p < 1e-4 else f"p-val = {p:.4f}"


def _stars(p):
    if math.isnan(p):
        return ""
    for cut, mark in ((0.001, "***"), (0.01, "**"), (0.05, "*"), (0.1, ".")):
        if p < cut:
            return mark
    return ""


class Summary:
    """Text and HTML summary of a :class:`MetaAnalysis`.

    Parameters
    ----------
    fit : MetaAnalysis
        The fitted model.

    Examples
    --------
    >>> import numpy as np
    >>> from evidextract import rma
    >>> fit = rma(np.array([0.1, 0.5, 0.2]), np.array([0.01, 0.02, 0.015]), method="DL")
    >>> print(fit.summary())  # doctest: +NORMALIZE_WHITESPACE
    Random-Effects Model (k = 3; tau^2 estimator: DL)
    <BLANKLINE>
    tau^2 (estimated amount of total heterogeneity): 0.0244 (SE = 0.0392)
    tau (square root of estimated tau^2 value):      0.1563
    I^2 (total heterogeneity / total variability):   62.86%
    H^2 (total variability / sampling variability):  2.69
    <BLANKLINE>
    Test for Heterogeneity:
    Q(df = 2) = 5.3846, p-val = 0.0677
    <BLANKLINE>
    Model Results:
    <BLANKLINE>
    estimate      se    zval    pval   ci.lb   ci.ub
      0.2500  0.1140  2.1924  0.0284  0.0265  0.4736  *
    """

    def __init__(self, fit):
        self.fit = fit

    # ------------------------------------------------------------------ pieces
    def _header(self):
        f = self.fit
        reg = not f.estimator.intercept_only_
        if f.method == "EE":
            kind = "Fixed-Effects with Moderators" if reg else "Equal-Effects"
            return f"{kind} Model (k = {f.k})"
        kind = "Mixed-Effects" if reg else "Random-Effects"
        return f"{kind} Model (k = {f.k}; tau^2 estimator: {f.method})"

    def _heterogeneity(self):
        f = self.fit
        reg = not f.estimator.intercept_only_
        if reg:
            i2_text = "I^2 (residual heterogeneity / unaccounted variability):"
            h2_text = "H^2 (unaccounted variability / sampling variability):"
        else:
            i2_text = "I^2 (total heterogeneity / total variability):"
            h2_text = "H^2 (total variability / sampling variability):"
        rows = []
        if f.method != "EE":
            what = "residual" if reg else "total"
            se = "" if math.isnan(f.se_tau2) else f" (SE = {f.se_tau2:.4f})"
            rows += [
                (f"tau^2 (estimated amount of {what} heterogeneity):", f"{f.tau2:.4f}{se}"),
                ("tau (square root of estimated tau^2 value):", f"{f.tau:.4f}"),
            ]
        rows += [(i2_text, f"{100 * f.i2:.2f}%"), (h2_text, f"{f.h2:.2f}")]
        if reg and not math.isnan(f.r2):
            rows.append(("R^2 (amount of heterogeneity accounted for):", f"{100 * f.r2:.2f}%"))
        width = max(len(label) for label, _ in rows) + 1
        return [label.ljust(width) + value for label, value in rows]

    def _q_line(self):
        f = self.fit
        if f.estimator.intercept_only_:
            return [
                "Test for Heterogeneity:",
                f"Q(df = {f.q_df}) = {f.q:.4f}, {_fmt_p_eq(f.q_pval)}",
            ]
        return [
            "Test for Residual Heterogeneity:",
            f"QE(df = {f.q_df}) = {f.q:.4f}, {_fmt_p_eq(f.q_pval)}",
        ]

    def _moderator_lines(self):
        f = self.fit
        if f.estimator.intercept_only_:
            return []
        btt = f._btt()
        coefs = f"{btt[0] + 1}:{btt[-1] + 1}" if len(btt) > 1 else f"{btt[0] + 1}"
        df1, df2 = f.qm_df
        if f.test == "knha":
            stat = f"F(df1 = {df1}, df2 = {df2}) = {f.qm:.4f}, {_fmt_p_eq(f.qm_pval)}"
        else:
            stat = f"QM(df = {df1}) = {f.qm:.4f}, {_fmt_p_eq(f.qm_pval)}"
        return [
            "Test of Moderators (coefficient{} {}):".format("s" if len(btt) > 1 else "", coefs),
            stat,
        ]

    def table(self):
        """Return the model-results table as rows of strings (header first).

        Returns
        -------
        list of list of str
        """
        f = self.fit
        c = f.coefs
        stat = "tval" if f.test == "knha" else "zval"
        head = (
            ["", "estimate", "se", stat]
            + (["df"] if f.test == "knha" else [])
            + [
                "pval",
                "ci.lb",
                "ci.ub",
                "",
            ]
        )
        rows = [head]
        for _, r in c.iterrows():
            row = [
                r["term"] if f.p > 1 else "",
                "{:.4f}".format(r["estimate"]),
                "{:.4f}".format(r["se"]),
                "{:.4f}".format(r["zval"]),
            ]
            if f.test == "knha":
                row.append(f"{f.ddf:.0f}")
            row += [
                _fmt_p(r["pval"]),
                "{:.4f}".format(r["ci_low"]),
                "{:.4f}".format(r["ci_high"]),
                _stars(r["pval"]),
            ]
            rows.append(row)
        if f.p == 1:
            rows = [row[1:] for row in rows]
        return rows

    def _table_text(self):
        rows = self.table()
        ncol = len(rows[0])
        widths = [max(len(r[j]) for r in rows) for j in range(ncol)]
        out = []
        for r in rows:
            cells = []
            for j, cell in enumerate(r):
                if j == 0 and self.fit.p > 1:
                    cells.append(cell.ljust(widths[j]))
                elif j == ncol - 1:
                    cells.append(cell)
                else:
                    cells.append(cell.rjust(widths[j]))
            out.append("  ".join(cells).rstrip())
        return out

    # ------------------------------------------------------------------ output
    def __str__(self):
        f = self.fit
        lines = [self._header(), ""]
        lines += self._heterogeneity()
        lines += [""] + self._q_line() + [""]
        mods = self._moderator_lines()
        if mods:
            lines += mods + [""]
        lines += ["Model Results:", ""]
        lines += self._table_text()
        if f.subgroups is not None:
            lines += ["", str(f.subgroups)]
        return "\n".join(lines)

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        f = self.fit
        esc = html.escape
        parts = ["<div class='evidextract-rma'>", f"<p><b>{esc(self._header())}</b></p>"]
        parts.append("<pre>{}</pre>".format(esc("\n".join(self._heterogeneity()))))
        parts.append("<p>{}</p>".format("<br>".join(esc(x) for x in self._q_line())))
        mods = self._moderator_lines()
        if mods:
            parts.append("<p>{}</p>".format("<br>".join(esc(x) for x in mods)))
        rows = self.table()
        parts.append("<table><thead><tr>")
        parts += [f"<th>{esc(h)}</th>" for h in rows[0]]
        parts.append("</tr></thead><tbody>")
        for r in rows[1:]:
            parts.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>")
        parts.append("</tbody></table>")
        if f.subgroups is not None:
            parts.append(f"<pre>{esc(str(f.subgroups))}</pre>")
        parts.append("</div>")
        return "".join(parts)
