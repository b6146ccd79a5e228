"""``read`` and ``iter_records``: any export in, one records table out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

import pandas as pd

from evidextract.io._bibtex import read_bibtex
from evidextract.io._detect import FORMATS, canonical_format, detect_format, suffix_formats
from evidextract.io._json import read_json, read_jsonl
from evidextract.io._medline import read_medline
from evidextract.io._records import RECORD_COLUMNS, Problems, ReadError, make_record
from evidextract.io._ris import read_ris, read_wos
from evidextract.io._sources import Input, decode, looks_binary, resolve_sources
from evidextract.io._table import map_columns, read_parquet, read_table
from evidextract.io._webpage import read_text, read_webpage
from evidextract.io._xml import read_endnote_xml, read_jats, read_pubmed_xml

_READERS = {
    "pubmed_xml": read_pubmed_xml,
    "medline": read_medline,
    "ris": read_ris,
    "wos": read_wos,
    "endnote_xml": read_endnote_xml,
    "bibtex": read_bibtex,
    "csv": partial(read_table, delimiter=","),
    "tsv": partial(read_table, delimiter="\t"),
    "jats": read_jats,
    "json": read_json,
    "jsonl": read_jsonl,
    "webpage": read_webpage,
    "parquet": read_parquet,
    "text": read_text,
}
_TAKES_COLUMNS = {"csv", "tsv", "parquet"}


def _table_by_shape(text: str) -> str | None:
    """Return csv or tsv when a header the aliases do not know splits like the next line."""
    lines = [line for line in text.split("\n")[:5] if line.strip()]
    for delimiter, name in (("\t", "tsv"), (",", "csv")):
        if len(lines) >= 2 and lines[0].count(delimiter) >= 1 and (
            lines[1].count(delimiter) == lines[0].count(delimiter)
        ):
            return name
    return None


def _choose_format(item: Input, format: str, problems: Problems) -> str | None:
    head = item.head()
    if not head.strip():
        problems.add(item.name, "empty file: no record in it")
        return None
    if head.startswith(b"PAR1"):
        return "parquet"
    text = decode(head, item.name, Problems("ignore"))
    if looks_binary(text):
        return "binary"
    detected = detect_format(text)
    promised = suffix_formats(item.name)
    if detected == "text" and promised and promised <= {"csv", "tsv"}:
        detected = _table_by_shape(text) or detected
    if format == "auto":
        if promised and detected not in promised:
            problems.add(item.name, f"the file name promises {' or '.join(sorted(promised))} "
                         f"but the content reads as {detected}; read as {detected}")
        return detected
    if detected != format and detected not in ("text", "webpage"):
        problems.add(item.name, f"format={format!r} was asked but the content looks like "
                     f"{detected}; read as {format}")
    return format


def _file_records(item: Input, format: str, problems: Problems, columns) -> Iterator[dict]:
    """Yield the records of one file, ids completed, never raising except ReadError."""
    try:
        chosen = _choose_format(item, format, problems)
    except OSError as exc:
        message = f"cannot open the file ({exc})"
        problems.add(item.name, message)
        yield make_record(source=item.name, status="unreadable", message=message)
        return
    if chosen is None:
        return
    if chosen == "binary":
        message = "binary content (not text): no record could be read"
        problems.add(item.name, message, line=1)
        yield make_record(source=item.name, status="unreadable", message=message)
        return
    reader = _READERS[chosen]
    if chosen in _TAKES_COLUMNS:
        reader = partial(reader, columns=columns)
    count = 0
    try:
        for record in reader(item, problems):
            count += 1
            record.pop("_line", None)
            yield record
    except ReadError:
        raise
    except Exception as exc:  # one broken file must not stop a batch
        message = f"reading as {chosen} failed after {count} record(s): {exc!r}"
        problems.add(item.name, message, record=count + 1)
        count += 1
        yield make_record(source=item.name, status="error", message=message)
    if count == 0:
        message = f"no record could be read (read as {chosen})"
        yield make_record(source=item.name, status="unreadable", message=message)


def _with_ids(item: Input, records: Iterator[dict]) -> Iterator[dict]:
    """Give records without an id ``<file stem>`` or, when the file holds several, ``:<n>``.

    Only the first record waits for the second (to know which of the two it gets); the rest
    stream through.
    """
    first = next(records, None)
    if first is None:
        return
    second = next(records, None)
    if first["record_id"] is None:
        first["record_id"] = item.stem if second is None else f"{item.stem}:1"
    yield first
    if second is None:
        return
    for number, record in enumerate(_chain(second, records), 2):
        if record["record_id"] is None:
            record["record_id"] = f"{item.stem}:{number}"
        yield record


def _chain(head: dict, rest: Iterator[dict]) -> Iterator[dict]:
    yield head
    yield from rest


def _iter(source, format, problems: Problems, columns, names=None) -> Iterator[dict]:
    format = canonical_format(format)
    map_columns([], columns)  # a wrong mapping is the caller's error: raise it now
    for item in resolve_sources(source):
        if names is not None:
            names.append(item.name)
        yield from _with_ids(item, _file_records(item, format, problems, columns))


def iter_records(source, format: str = "auto", errors: str = "warn", *, columns=None,
                 warnings_list: list | None = None):
    r"""Yield the records of ``source`` one at a time, as dicts (the streaming reader).

    Parameters
    ----------
    source, format, errors, columns
        As in :func:`read`.
    warnings_list : list, optional
        A list that receives each :class:`ReadWarning` as it is found (a batch keeps its
        problems this way, with ``errors="ignore"`` to silence the Python warnings).

    Yields
    ------
    dict
        One record with the keys of the records table (see :func:`read`). PubMed XML
        (``.xml``, ``.xml.gz``) is parsed incrementally with ``lxml.etree.iterparse``, each
        article cleared once read, so a 30,000-record baseline file is never held whole.
        Problems are issued as :class:`ReadWarning` Python warnings (``errors="warn"``).
        No duplicates are merged here; :func:`read` does that.

    Examples
    --------
    >>> text = "PMID- 1\nTI  - A trial.\nAB  - RESULTS: 12 of 40 improved.\n"
    >>> [(r["record_id"], r["sections"]) for r in iter_records(text)]
    [('1', [])]
    """
    problems = Problems(errors)
    if warnings_list is not None:
        problems.warnings = warnings_list
    yield from _iter(source, format, problems, columns)


def _norm_key(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def duplicate_keys(record) -> list[tuple[str, str]]:
    """Return the keys by which two records are the same: the DOI, and a long abstract.

    Case, spacing and punctuation aside; abstracts under 100 characters are no key
    (too many records share "No abstract available." and the like).
    """
    keys = []
    if record["status"] in ("ok", "no_abstract"):
        if record["doi"]:
            keys.append(("doi", record["doi"].lower()))
        if len(record["abstract"]) >= 100:
            keys.append(("abstract", _norm_key(record["abstract"])))
    return keys


def _dedupe(records: list[dict]) -> tuple[list[dict], list[dict]]:
    kept, merged, index = [], [], {}
    for record in records:
        keys = duplicate_keys(record)
        match = next((index[k] for k in keys if k in index), None)
        if match is None:
            for key in keys:
                index[key] = record
            kept.append(record)
            continue
        for field in ("title", "doi", "pmid", "year", "journal", "authors"):
            if match[field] in (None, "") and record[field] not in (None, ""):
                match[field] = record[field]
        for key in keys:
            index.setdefault(key, match)
        note = f"merged duplicate {record['record_id']} from {record['source']}"
        match["message"] = f"{match['message']}; {note}" if match["message"] else note
        merged.append({"kept": match["record_id"], "dropped": record["record_id"],
                       "source": record["source"]})
    return kept, merged


def read(source, format: str = "auto", *, errors: str = "warn", columns=None,
         dedupe: bool = True) -> pd.DataFrame:
    """Read bibliographic exports into a records table, one row per abstract.

    Parameters
    ----------
    source : str, path, list, bytes or file
        A file, a folder (read recursively), a glob (``"exports/*.ris"``), a list of any of
        these, raw text, bytes, or an open file.
    format : str, default "auto"
        ``"auto"`` tells each file's format from its content. Or one of ``pubmed_xml``,
        ``medline``, ``ris``, ``wos``, ``endnote_xml``, ``bibtex``, ``csv``, ``tsv``,
        ``jats``, ``json``, ``jsonl``, ``webpage``, ``parquet``, ``text``.
    errors : {"warn", "ignore", "raise"}, default "warn"
        What a problem does: ``"warn"`` keeps every readable record, issues a
        :class:`ReadWarning` and collects it in ``df.attrs["warnings"]``; ``"ignore"`` only
        collects it; ``"raise"`` raises :class:`ReadError` at the first one.
    columns : dict, optional
        For CSV/TSV: ``{"their column": field}`` with ``field`` one of ``record_id, title,
        abstract, doi, pmid, year, journal, authors``.
    dedupe : bool, default True
        Merge records with the same DOI or the same abstract (case, spacing and punctuation
        aside), keeping the first; ``message`` and ``df.attrs["duplicates"]`` say what was
        merged.

    Returns
    -------
    pandas.DataFrame
        Columns ``record_id, title, abstract, doi, pmid, year, journal, authors, source,
        sections, status, message``. ``record_id`` is the PMID, else the DOI, else the id
        the source gives, else the file's stem (``stem:n`` when a file holds several
        records). ``abstract`` is normalized text (HTML stripped, entities unescaped, white
        space folded, a closing copyright line dropped). ``sections`` lists the
        ``(name, label, start, end)`` of :func:`split_sections`. ``status`` is ``ok``,
        ``no_abstract``, ``unreadable`` or ``error``; ``message`` says why.
        ``df.attrs["warnings"]`` lists the :class:`ReadWarning` (file, record, line,
        message) of every problem, ``df.attrs["duplicates"]`` the merged records
        (``{"kept", "dropped", "source"}``) and ``df.attrs["files"]`` the files read.

    Notes
    -----
    Formats are told from the content; a file name whose suffix promises another format
    gives a warning. XML is parsed with ``resolve_entities=False, no_network=True,
    load_dtd=False``. An empty file gives a warning and no row; a file from which nothing
    can be read gives one ``unreadable`` row, so every input is accounted for.

    See Also
    --------
    iter_records : the same records one at a time, for large files.
    split_sections : the sections of one abstract.

    Examples
    --------
    >>> ris = '''TY  - JOUR
    ... TI  - Cryoablation of bone metastases
    ... AB  - Objective: To test. Results: Pain fell in 30 of 40 (75%).
    ... DO  - 10.1000/xyz
    ... PY  - 2024
    ... ER  -
    ... TY  - JOUR
    ... TI  - A record without abstract
    ... ER  -
    ... '''
    >>> df = read(ris)
    >>> df[["record_id", "year", "status"]]
         record_id  year       status
    0  10.1000/xyz  2024           ok
    1       text:2  <NA>  no_abstract
    >>> df.loc[0, "sections"]
    [('objective', 'Objective', 0, 19), ('results', 'Results', 20, 57)]
    """
    problems = Problems(errors)
    names = []
    records = list(_iter(source, format, problems, columns, names))
    merged = []
    if dedupe:
        records, merged = _dedupe(records)
    seen = {}
    for record in records:  # ids stay unique even when two files share a stem
        n = seen[record["record_id"]] = seen.get(record["record_id"], 0) + 1
        if n > 1:
            record["record_id"] = f"{record['record_id']}~{n}"
    frame = pd.DataFrame(records, columns=list(RECORD_COLUMNS))
    frame["year"] = pd.array(frame["year"].tolist(), dtype="Int64")
    for column in RECORD_COLUMNS:
        if column not in ("year", "sections"):
            frame[column] = frame[column].fillna("").astype(object)
    frame.attrs["warnings"] = list(problems.warnings)
    frame.attrs["duplicates"] = merged
    frame.attrs["files"] = names
    return frame


__all__ = ["read", "iter_records", "FORMATS"]
