"""``extract``: from records to the statistics table, in batches or chunk by chunk."""

from __future__ import annotations

import ast
import itertools
import json
import warnings
from collections.abc import Iterable, Iterator, Mapping

import numpy as np
import pandas as pd

from evidextract.extract._components import ROW_FIELDS, ROWS_ONLY
from evidextract.extract._pipeline import make_pipeline

#: The ``stat`` vocabulary of the statistics table (``STATS_SCHEMA.md``).
STATS = ("mean", "median", "proportion", "sample_size", "p_value", "auc", "sensitivity",
         "specificity", "accuracy", "icc", "kappa", "correlation", "i2", "smd",
         "mean_difference", "odds_ratio", "risk_ratio", "hazard_ratio", "coefficient",
         "quantity")

_STRING = "string"
_FLOAT = "float64"
_INT = "Int64"
#: Columns of the statistics table, in order, with their dtypes: the schema's columns, then
#: the provenance columns ``sentence_index, pattern_id, link_id``.
COLUMNS = {
    "record_id": _STRING, "section": _STRING, "start": _INT, "end": _INT, "text": _STRING,
    "sentence": _STRING, "stat": pd.CategoricalDtype(STATS), "value": _FLOAT,
    "comparator": _STRING, "sd": _FLOAT, "se": _FLOAT, "ci_low": _FLOAT, "ci_high": _FLOAT,
    "ci_level": _FLOAT, "range_low": _FLOAT, "range_high": _FLOAT, "iqr_low": _FLOAT,
    "iqr_high": _FLOAT, "count": _INT, "total": _INT, "unit": _STRING, "outcome": _STRING,
    "timepoint": _STRING, "timepoint_days": _FLOAT, "group": _STRING, "sentence_index": _INT,
    "pattern_id": _STRING, "link_id": _INT,
}
assert set(ROW_FIELDS) <= set(COLUMNS)


class ExtractWarning(UserWarning):
    """A record could not be processed; the others were."""


def _records(records) -> Iterator[tuple[str, str, list | None]]:
    """Yield ``(record_id, abstract, sections or None)`` from any accepted input."""
    if isinstance(records, str):
        yield "0", records, None
        return
    if isinstance(records, pd.DataFrame):
        has_sections = "sections" in records.columns
        ids = records["record_id"] if "record_id" in records.columns else records.index
        abstracts = records["abstract"]
        sections = records["sections"] if has_sections else itertools.repeat(None)
        for rid, abstract, secs in zip(ids, abstracts, sections, strict=False):
            yield str(rid), abstract, _sections_or_none(secs)
        return
    for i, item in enumerate(records):
        if isinstance(item, str):
            yield str(i), item, None
        elif isinstance(item, Mapping):
            rid = item.get("record_id", item.get("id", i))
            yield str(rid), item.get("abstract"), _sections_or_none(item.get("sections"))
        else:
            yield str(i), item, None


def _sections_or_none(value):
    """Return the ``(name, label, start, end)`` sections of a record, or ``None``.

    ``None`` lets the pipeline find the sections itself. A records table read back from
    CSV holds ``sections`` as text (JSON, or the ``repr`` of the tuples that pandas
    writes): it is decoded; anything that is not a list of 4-field sections is recomputed.

    Examples
    --------
    >>> _sections_or_none('[["results", "Results", 0, 12]]')
    [('results', 'Results', 0, 12)]
    >>> _sections_or_none("[('results', 'Results', 0, 12)]")
    [('results', 'Results', 0, 12)]
    >>> _sections_or_none("[]"), _sections_or_none("not sections"), _sections_or_none(float("nan"))
    ([], None, None)
    """
    if value is None or isinstance(value, float):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            try:
                value = ast.literal_eval(value)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                return None
    try:
        sections = [tuple(s) for s in value]
    except TypeError:
        return None
    for section in sections:
        if (len(section) != 4 or not all(isinstance(x, str) for x in section[:2])
                or not all(isinstance(x, int) for x in section[2:])):
            return None
    return sections


def empty_table() -> pd.DataFrame:
    """Return a statistics table with no rows and every column.

    Examples
    --------
    >>> empty_table().columns[:6].tolist()
    ['record_id', 'section', 'start', 'end', 'text', 'sentence']
    """
    return _frame([])


def _frame(rows: list[dict]) -> pd.DataFrame:
    # Each column built with its dtype at once: no inference pass, no astype copy.
    data = {}
    for name, dtype in COLUMNS.items():
        values = list(map(dict.get, rows, itertools.repeat(name)))
        if dtype == _FLOAT:
            data[name] = np.array(values, dtype=float)  # None becomes NaN
        else:
            data[name] = pd.array(values, dtype=dtype)
    return pd.DataFrame(data, columns=list(COLUMNS), copy=False)


def _section_of(sections, start):
    for name, _label, s, e in sections:
        if s <= start < e:
            return name
    return None


def _doc_rows(rid: str, doc, text: str) -> list[dict]:
    sections = doc._.evid_sections or []
    rows = doc._.evid_rows
    for row in rows:
        if text[row["start"]:row["end"]] != row["text"]:
            raise ValueError(f"offsets {row['start']}:{row['end']} do not give {row['text']!r}")
        # The doc's own rows are completed in place: the doc is dropped right after.
        row["record_id"] = rid
        row["section"] = _section_of(sections, row["start"])
    return rows


def _read_docs(pairs):
    """Yield ``(record_id, rows, None)`` or ``(record_id, None, exception)`` per doc."""
    for doc, (rid, abstract) in pairs:
        try:
            yield rid, _doc_rows(rid, doc, abstract), None
        except Exception as exc:
            yield rid, None, exc


def _process_chunk(nlp, chunk, batch_size, n_process, errors):
    """Return ``(rows, failed)`` for one chunk of ``(record_id, abstract, sections)``."""
    rows, failed = [], []
    good = []
    for rid, abstract, sections in chunk:
        if abstract is None or (isinstance(abstract, float) and pd.isna(abstract)):
            continue
        if not isinstance(abstract, str):
            failed.append((rid, f"abstract is {type(abstract).__name__}, not text"))
            continue
        good.append((rid, abstract, sections))

    def as_docs(items):
        for rid, abstract, sections in items:
            doc = nlp.make_doc(abstract)
            doc.user_data[ROWS_ONLY] = True  # the rows are read, not the spans
            if sections is not None:
                doc._.evid_sections = sections
            yield doc, (rid, abstract)

    # Each doc is read as it comes and dropped: holding a chunk of docs made the garbage
    # collector's full passes (over every object of pandas and spaCy) more frequent.
    try:
        results = list(_read_docs(nlp.pipe(as_docs(good), batch_size=batch_size,
                                           n_process=n_process, as_tuples=True)))
    except Exception:
        if errors == "raise" and len(good) == 1:
            raise
        results = []
        for item in good:  # find the record that failed; process the others one by one
            try:
                results.extend(_read_docs(nlp.pipe(as_docs([item]), as_tuples=True)))
            except Exception as exc:
                if errors == "raise":
                    raise
                failed.append((item[0], f"{type(exc).__name__}: {exc}"))
    for rid, doc_rows, exc in results:
        if exc is None:
            rows.extend(doc_rows)
        elif errors == "raise":
            raise exc
        else:
            failed.append((rid, f"{type(exc).__name__}: {exc}"))
    return rows, failed


def _report(failed, errors):
    if errors == "warn":
        for rid, reason in failed:
            warnings.warn(f"record {rid!r} was not processed: {reason}", ExtractWarning,
                          stacklevel=3)


def _failed_list(failed) -> list[dict]:
    """Return ``(record_id, reason)`` pairs as the JSON-ready list ``attrs["failed"]`` holds.

    Plain lists of dicts, not a DataFrame: pandas compares ``attrs`` with ``==`` when it
    carries them over (``concat``, ``merge``) and writes them as JSON in ``to_parquet``.
    """
    return [{"record_id": str(rid), "reason": str(reason)} for rid, reason in failed]


def _iter_chunks(records, nlp, n_process, batch_size, errors, start_index):
    source = _records(records)
    offset = start_index
    while True:
        chunk = list(itertools.islice(source, batch_size))
        if not chunk:
            return
        rows, failed = _process_chunk(nlp, chunk, batch_size, n_process, errors)
        frame = _frame(rows)
        frame.index = pd.RangeIndex(offset, offset + len(frame))
        offset += len(frame)
        _report(failed, errors)
        frame.attrs["failed"] = _failed_list(failed)
        yield frame


def extract(records, *, n_process: int = 1, batch_size: int = 256, chunked: bool = False,
            errors: str = "warn", nlp=None):
    """Extract the reported statistics of abstracts into a tidy table.

    Parameters
    ----------
    records : pandas.DataFrame, str, or iterable of str or dict
        The records table of :func:`evidextract.read` (columns ``record_id``, ``abstract``
        and, when present, ``sections``); or one abstract; or abstracts; or dicts with
        ``record_id`` (or ``id``) and ``abstract``. Strings get ids ``"0"``, ``"1"``, ...
    n_process : int, default 1
        Processes for :meth:`spacy.language.Language.pipe`.
    batch_size : int, default 256
        Records per batch, and per chunk when ``chunked``.
    chunked : bool, default False
        Yield one table per ``batch_size`` records instead of returning one table, so
        memory stays flat on any number of records (the input is read lazily).
    errors : {"warn", "raise", "ignore"}, default "warn"
        What to do with a record whose processing fails: warn (``ExtractWarning`` naming
        the record) and go on, raise, or go on silently. Failed records are listed in
        ``df.attrs["failed"]`` (with ``chunked``, on each chunk) as ``{"record_id",
        "reason"}`` dicts: ``pd.DataFrame(df.attrs["failed"])`` tabulates them, and the
        table still writes to Parquet, which stores ``attrs`` as JSON.
    nlp : spacy.language.Language, optional
        A pipeline with the ``evidextract_sentences`` and ``evidextract_stats``
        components; :func:`make_pipeline` by default.

    Returns
    -------
    pandas.DataFrame or iterator of pandas.DataFrame
        One row per reported statistic, with the columns of the statistics table in order
        (``record_id, section, start, end, text, sentence, stat, value, comparator, sd,
        se, ci_low, ci_high, ci_level, range_low, range_high, iqr_low, iqr_high, count,
        total, unit, outcome, timepoint, timepoint_days, group``), then the provenance
        columns ``sentence_index`` (sentence number in the abstract), ``pattern_id`` (the
        rule that fired) and ``link_id`` (for a p-value: the ``start`` of the row of the
        same record that it tests). ``abstract[start:end] == text`` on every row. The
        columns and dtypes never depend on the input.

    See Also
    --------
    make_pipeline : the spaCy pipeline doing the work.
    evidextract.read : the records table.

    Notes
    -----
    Rules, not a statistical model: the patterns in ``evidextract/extract/patterns``
    mark keywords, units, counted nouns, CI/SD/range markers, p-values, timepoints and
    numbers that are no statistics (years, inclusion ages, citations); the numbers of
    each sentence are then read with what is attached to them. Proportions are fractions
    (``72.4%`` is 0.724), ``timepoint_days`` counts a month as 30.4375 days and a year as
    365.25 days.

    Examples
    --------
    >>> df = extract("Pain fell from 6.8 ± 2.2 at baseline to 4.1 ± 2.4 at 24 h (p < 0.001).")
    >>> df[["text", "stat", "value", "sd", "timepoint_days"]]
            text     stat   value   sd  timepoint_days
    0  6.8 ± 2.2     mean  6.8000  2.2             0.0
    1  4.1 ± 2.4     mean  4.1000  2.4             1.0
    2  p < 0.001  p_value  0.0010  NaN             1.0
    >>> int(df.loc[2, "link_id"]) == int(df.loc[1, "start"])
    True
    """
    if errors not in ("warn", "raise", "ignore"):
        raise ValueError(f"errors must be 'warn', 'raise' or 'ignore', not {errors!r}")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    nlp = make_pipeline() if nlp is None else nlp
    chunks = _iter_chunks(records, nlp, n_process, batch_size, errors, 0)
    if chunked:
        return chunks
    frames, failed = [], []
    for frame in chunks:
        failed.extend(frame.attrs.pop("failed"))
        frames.append(frame)
    if len(frames) > 1:
        result = pd.concat(frames, ignore_index=True)
    else:  # one chunk (its index already starts at 0), or none
        result = frames[0] if frames else empty_table()
    # Each chunk is built with the table's dtypes; cast (a copy) only if concat changed one.
    changed = {name: dtype for name, dtype in COLUMNS.items() if result[name].dtype != dtype}
    if changed:
        result = result.astype(changed)
    result.attrs["failed"] = failed
    return result


def iter_extract(records: Iterable, **kwargs) -> Iterator[pd.DataFrame]:
    """Shorthand for ``extract(records, chunked=True, **kwargs)``."""
    return extract(records, chunked=True, **kwargs)
