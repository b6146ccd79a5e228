"""Review sheets: a study table out to CSV or Excel for a second reviewer, and back."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import pandas as pd

from evidextract.review._table import StudyTable

ROW_KEY = "row"
NOTE = "note"
_SPAN_KEYS = ("start", "end", "text", "sentence")
#: A spreadsheet reads a cell starting with one of these as a formula (OWASP's list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _quote_formula(value):
    """Prefix ``'`` to text a spreadsheet would run as a formula ("=HYPERLINK(...)")."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _unquote_formula(value):
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(_FORMULA_STARTS):
        return value[1:]
    return value


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    raise ValueError(f"{path}: a review sheet is .csv or .xlsx, not {suffix or 'no suffix'!r}")


def _sheet_order(columns) -> list[str]:
    """Each number followed by its source text and sentence; offsets at the end."""
    columns = list(columns)
    prefixes = [c[: -len("_text")] for c in columns if c.endswith("_text") and c != "text"]
    spans = {f"{p}_{k}" for p in prefixes for k in _SPAN_KEYS}
    order = []
    for column in columns:
        if column in spans:
            continue
        order.append(column)
        if column in prefixes:
            order += [c for c in (f"{column}_text", f"{column}_sentence") if c in columns]
    order += [c for c in columns if c in spans and c not in order]
    return order


def to_review(table: pd.DataFrame, path) -> Path:
    """Write a study table to a CSV or Excel sheet, each number beside its source sentence.

    Parameters
    ----------
    table : pandas.DataFrame
        A study table (:func:`evidextract.pre_post` and friends).
    path : str or path-like
        ``.csv`` or ``.xlsx`` (written with openpyxl).

    Returns
    -------
    pathlib.Path
        The path written. The sheet's first column ``row`` keys each row back to the table;
        a ``note`` column is left for the reviewer. Edit numbers in place, delete rows to
        exclude them, add rows with an empty ``row``.

    Notes
    -----
    Text that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return, as a crafted abstract may) is stored as text: as a
    string cell in Excel, behind a ``'`` in CSV (OWASP's advice against CSV injection);
    :func:`from_review` removes that ``'`` again.

    See Also
    --------
    from_review : read the corrected sheet back.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> table = pd.DataFrame({"study": ["a"], "m1i": [2.5], "m1i_text": ["2.5 ± 2.6"]})
    >>> path = to_review(table, pathlib.Path(tempfile.mkdtemp()) / "review.csv")
    >>> path.read_text(encoding="utf-8-sig").splitlines()[0]
    'row,study,m1i,m1i_text,note'
    """
    path = Path(path)
    kind = _format(path)
    sheet = table[_sheet_order(table.columns)].copy()
    if NOTE not in sheet.columns:
        sheet[NOTE] = ""
    sheet.insert(0, ROW_KEY, list(table.index))
    sheet = pd.DataFrame(sheet)
    if kind == "csv":
        for column in sheet.columns:
            if not pd.api.types.is_numeric_dtype(sheet[column].dtype):
                sheet[column] = sheet[column].astype(object).map(_quote_formula)
        sheet.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            sheet.to_excel(writer, sheet_name="studies", index=False)
            worksheet = writer.sheets["studies"]
            worksheet.freeze_panes = "C2"
            for row in worksheet.iter_rows(min_row=2):
                for cell in row:
                    if cell.data_type == "f":  # text from an abstract, never a formula
                        cell.data_type = "s"
            for cells in worksheet.columns:
                name = str(cells[0].value)
                wide = name.endswith("_sentence")
                worksheet.column_dimensions[cells[0].column_letter].width = 60 if wide else 14
    return path


def _read(path: Path) -> pd.DataFrame:
    if _format(path) == "csv":
        sheet = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False,
                            na_values=[""])
        return sheet.apply(lambda column: column.map(_unquote_formula))
    return pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")


def _typed(column: pd.Series, like: pd.Series | None) -> pd.Series:
    if like is None:
        converted = pd.to_numeric(column, errors="coerce")
        if converted.notna().sum() == column.notna().sum() and column.notna().any():
            return converted
        return column.astype("string")
    if pd.api.types.is_integer_dtype(like.dtype):
        return pd.to_numeric(column, errors="coerce").round().astype(like.dtype)
    if pd.api.types.is_float_dtype(like.dtype):
        return pd.to_numeric(column, errors="coerce").astype(like.dtype)
    if pd.api.types.is_bool_dtype(like.dtype):
        return column.astype(like.dtype)
    return column.astype("string")


def _same(old, new) -> bool:
    old_missing = old is None or (not isinstance(old, str) and pd.isna(old))
    new_missing = new is None or (not isinstance(new, str) and pd.isna(new))
    if old_missing or new_missing:
        return old_missing and new_missing
    if isinstance(old, float | int) and isinstance(new, float | int):
        return math.isclose(float(old), float(new), rel_tol=1e-12, abs_tol=0.0)
    return str(old) == str(new)


def _show(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "NA"
    return f"{value:g}" if isinstance(value, float) else str(value)


def from_review(path, original: pd.DataFrame | None = None) -> StudyTable:
    """Read a corrected review sheet back: the reviewer's values win, and are recorded.

    Parameters
    ----------
    path : str or path-like
        A sheet written by :func:`to_review` and edited (``.csv`` or ``.xlsx``).
    original : pandas.DataFrame, optional
        The table that was written. With it, columns keep their types, and every changed
        value is recorded.

    Returns
    -------
    StudyTable
        The reviewed table, indexed as the original, with ``note`` (the reviewer's
        comment), ``corrected`` (the fields the reviewer changed, comma-separated; ``added``
        for a new row; empty when untouched) and ``original_values`` (``field: old value``
        pairs). Rows deleted in the sheet are left out and listed in
        ``table.attrs["removed"]``.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> table = pd.DataFrame({"study": ["a", "b"], "ni": pd.array([64, None], dtype="Int64")})
    >>> path = to_review(table, pathlib.Path(tempfile.mkdtemp()) / "review.csv")
    >>> edited = path.read_text(encoding="utf-8-sig").replace("b,,", "b,51,")
    >>> _ = path.write_text(edited, encoding="utf-8")
    >>> reviewed = from_review(path, original=table)
    >>> reviewed[["study", "ni", "corrected", "original_values"]]
      study  ni corrected original_values
    0     a  64
    1     b  51        ni           ni: NA
    """
    path = Path(path)
    sheet = _read(path)
    if ROW_KEY not in sheet.columns:
        raise ValueError(f"{path}: no {ROW_KEY!r} column; was it written by to_review()?")
    if original is None:
        out = sheet.drop(columns=[ROW_KEY])
        for column in out.columns:
            out[column] = _typed(out[column], None)
        return StudyTable(out)
    columns = [c for c in original.columns if c != NOTE] + [NOTE]
    extra = [c for c in sheet.columns if c not in columns and c != ROW_KEY]
    if extra:
        warnings.warn(f"{path}: columns {extra} are not in the original table; ignored",
                      stacklevel=2)
    index_type = type(original.index[0]) if len(original.index) else str
    records, kept = [], set()
    for _, line in sheet.iterrows():
        key = line[ROW_KEY]
        if key is None or (not isinstance(key, str) and pd.isna(key)) or str(key).strip() == "":
            records.append((None, line, "added"))
            continue
        try:
            key = index_type(key) if not isinstance(key, index_type) else key
        except (TypeError, ValueError):
            key = str(key)
        if isinstance(key, float) and key.is_integer():
            key = int(key)
        if key not in original.index:
            records.append((None, line, "added"))
            continue
        kept.add(key)
        records.append((key, line, None))
    typed = pd.DataFrame({c: [line.get(c) for _, line, _ in records] for c in columns})
    for column in columns:
        like = original[column] if column in original.columns else None
        typed[column] = _typed(typed[column], like)
    corrected, old_values, index = [], [], []
    for position, (key, _, status) in enumerate(records):
        index.append(key if key is not None else f"added{position}")
        if status == "added":
            corrected.append("added")
            old_values.append("")
            continue
        changed = [c for c in columns if c in original.columns
                   and not _same(original.at[key, c], typed.at[position, c])]
        corrected.append(", ".join(changed))
        old_values.append("; ".join(f"{c}: {_show(original.at[key, c])}" for c in changed))
    typed.index = pd.Index(index, name=original.index.name)
    typed["corrected"] = pd.array(corrected, dtype="string")
    typed["original_values"] = pd.array(old_values, dtype="string")
    typed[NOTE] = typed[NOTE].fillna("")
    table = StudyTable(typed)
    table.attrs = dict(original.attrs)
    table.attrs["removed"] = [k for k in original.index if k not in kept]
    return table
