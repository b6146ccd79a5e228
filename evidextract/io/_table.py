"""Tables: CSV/TSV exports (Embase, Scopus, WoS, spreadsheets) and evidextract's own output."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

from evidextract.io._records import Problems, clean_doi, make_record
from evidextract.io._sources import Input

_FIELDS = ("record_id", "title", "abstract", "doi", "pmid", "year", "journal", "authors",
           "source_id", "url")


@lru_cache(maxsize=1)
def _aliases() -> dict[str, list[str]]:
    text = resources.files("evidextract.io").joinpath("column_names.json").read_text("utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def map_columns(header: list[str], columns: dict | None = None) -> dict[str, str]:
    """Return ``{field: column}`` for a table's header.

    Parameters
    ----------
    header : list of str
        The table's column names.
    columns : dict, optional
        The user's own mapping ``{their column: field}``; it wins over the built-in names.

    Examples
    --------
    >>> map_columns(["Title", "Author Names", "Abstract", "Source"])
    {'title': 'Title', 'abstract': 'Abstract', 'journal': 'Source', 'authors': 'Author Names'}
    >>> map_columns(["Summary", "Heading"], columns={"Summary": "abstract", "Heading": "title"})
    {'abstract': 'Summary', 'title': 'Heading'}
    """
    mapping = {}
    for column, field in (columns or {}).items():
        if field not in _FIELDS:
            raise ValueError(f"columns maps {column!r} to {field!r}; fields are {_FIELDS}")
        if column in header:
            mapping[field] = column
    lower = {name.strip().lower().lstrip("\ufeff"): name for name in header}
    for field, names in _aliases().items():
        if field in mapping:
            continue
        for name in names:
            if name in lower:
                mapping[field] = lower[name]
                break
    return mapping


def _journal(value: str) -> str:
    # Embase "Source": "Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 2014"
    return re.split(r"\s\(\d{4}\)|\.\s*Date of Publication", value or "")[0].strip()


def row_record(row: dict, mapping: dict[str, str], source: str) -> dict:
    """Map one table row to a record with the column mapping of :func:`map_columns`."""

    def get(field):
        column = mapping.get(field)
        value = row.get(column) if column else None
        return "" if value is None or (isinstance(value, float) and value != value) else value

    journal = str(get("journal"))
    record = make_record(
        source=source,
        title=get("title"),
        abstract=get("abstract"),
        doi=get("doi") or clean_doi(get("url")),
        pmid=get("pmid"),
        year=get("year") or journal,
        journal=_journal(journal),
        authors=get("authors"),
        source_id=get("source_id"),
    )
    if get("record_id"):
        record["record_id"] = str(get("record_id"))
    return record


def read_table(item: Input, problems: Problems, delimiter: str | None = None,
               columns: dict | None = None) -> Iterator[dict]:
    """Yield one record per row of a CSV/TSV file with a header line."""
    text = item.read_text(problems)
    if delimiter is None:
        header_line = text.split("\n", 1)[0]
        delimiter = "\t" if header_line.count("\t") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    mapping = map_columns(header, columns)
    if "abstract" not in mapping and "title" not in mapping:
        problems.add(item.name, f"no title or abstract column among {header[:12]}; pass "
                     "columns={'their name': 'abstract', ...}", line=1)
    line = reader.line_num + 1
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                line = reader.line_num + 1
                continue
            if len(row) != len(header):
                problems.add(item.name, f"row has {len(row)} cells, the header {len(header)}",
                             line=line)
            record = row_record(dict(zip(header, row, strict=False)), mapping, item.name)
            record["_line"] = line
            yield record
            line = reader.line_num + 1
    except csv.Error as exc:
        message = f"table breaks off: {exc}"
        problems.add(item.name, message, line=line)
        yield make_record(source=item.name, status="error", message=message)


def read_parquet(item: Input, problems: Problems, columns: dict | None = None):
    """Yield the rows of a Parquet table (evidextract's own records table, or similar)."""
    import pandas as pd

    try:
        frame = pd.read_parquet(item.path if item.path is not None else io.BytesIO(item.data))
    except Exception as exc:  # pyarrow raises several types on a file that is not Parquet
        message = f"not a readable Parquet file ({type(exc).__name__})"
        problems.add(item.name, message)
        yield make_record(source=item.name, status="unreadable", message=message)
        return
    mapping = map_columns(list(frame.columns), columns)
    for number, row in enumerate(frame.to_dict("records"), 1):
        record = row_record(row, mapping, item.name)
        record["_line"] = number
        yield record
