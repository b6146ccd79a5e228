"""The study table: a DataFrame that shows, in Jupyter, where each of its numbers came from."""

from __future__ import annotations

import html

import pandas as pd

_SPAN_KEYS = ("start", "end", "text", "sentence")
_MAX_ROWS = 60


class StudyTable(pd.DataFrame):
    """A study table: one row per study, columns named as :func:`evidextract.escalc` reads them.

    It is a :class:`pandas.DataFrame` in every respect; only its notebook display differs:
    each number carries its source sentence as a tooltip, the source spans are listed in a
    ``sources`` cell, and rows whose inputs were converted or imputed are marked.

    Examples
    --------
    >>> table = StudyTable({"study": ["a"], "m1i": [2.5], "m1i_text": ["2.5 ± 2.6"],
    ...                     "m1i_sentence": ["fell to 2.5 ± 2.6"], "imputed": ["imputed r = 0.5"]})
    >>> "2.5 ± 2.6" in table._repr_html_()
    True
    >>> type(table[table["m1i"] > 0]).__name__
    'StudyTable'
    """

    @property
    def _constructor(self):
        return StudyTable

    def _repr_html_(self) -> str:
        """Return the table as escaped HTML, numbers with their sources."""
        return study_table_html(self)


def _span_prefixes(columns) -> list[str]:
    return [c[: -len("_text")] for c in columns if c.endswith("_text") and c != "text"]


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return '<td style="color:#999">NA</td>'
    if isinstance(value, float):
        return f"<td>{html.escape(f'{value:.6g}')}</td>"
    return f"<td>{html.escape(str(value))}</td>"


def study_table_html(table: pd.DataFrame) -> str:
    """Render a study table as HTML with every value escaped.

    Parameters
    ----------
    table : pandas.DataFrame
        A study table (:func:`evidextract.pre_post` and friends).

    Returns
    -------
    str
        An HTML ``<table>``: the value columns; a tooltip on each number quoting its source
        sentence; a ``sources`` cell quoting each source span; a dagger on rows with a
        non-empty ``imputed``.
    """
    prefixes = [p for p in _span_prefixes(table.columns) if p in table.columns]
    hidden = {f"{p}_{key}" for p in _span_prefixes(table.columns) for key in _SPAN_KEYS}
    shown = [c for c in table.columns if c not in hidden]
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in ["", *shown, "sources"])
    rows = []
    for position, (index, row) in enumerate(table.iterrows()):
        if position >= _MAX_ROWS:
            rows.append(f'<tr><td colspan="{len(shown) + 2}">… {len(table) - _MAX_ROWS} more '
                        "rows</td></tr>")
            break
        imputed = row.get("imputed")
        mark = "†" if isinstance(imputed, str) and imputed else ""
        cells = [f"<th>{html.escape(str(index))}{mark}</th>"]
        for column in shown:
            cell = _cell(row[column])
            sentence = row.get(f"{column}_sentence") if column in prefixes else None
            if isinstance(sentence, str):
                cell = cell.replace("<td", f'<td title="{html.escape(sentence, quote=True)}"', 1)
            cells.append(cell)
        sources = [
            f"<b>{html.escape(p)}</b>: «{html.escape(str(row[f'{p}_text']))}»"
            for p in prefixes
            if isinstance(row.get(f"{p}_text"), str)
        ]
        cells.append(f'<td style="text-align:left">{"<br>".join(sources)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = ""
    if "imputed" in table.columns and table["imputed"].fillna("").astype(str).ne("").any():
        note = "<p style='font-size:smaller'>† an input was converted or imputed: see the " \
               "<code>imputed</code> column.</p>"
    return (
        f'<table class="dataframe evidextract-studies"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        f"<p style='font-size:smaller'>{len(table)} rows × {len(table.columns)} columns</p>"
        f"{note}"
    )
