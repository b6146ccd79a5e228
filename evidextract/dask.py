"""Extraction on a Dask (or Spark) cluster: one partition function and its ``meta``.

Status: experimental.

The batch machinery of :func:`evidextract.extract_files` runs on one
machine. To go past one machine, reuse an engine rather than a home-made
one: :func:`extract_partition` turns a partition of the records table into
its statistics table, so it plugs into ``dask.dataframe.map_partitions``,
``dask.bag.map_partitions`` (through :func:`extract_records`) and Spark's
``mapInPandas``. :func:`read_pubmed` reads PubMed XML files as a Dask
DataFrame with one partition per file, and :func:`extract_dask` chains the
two.

Notes
-----
Each worker process builds its spaCy pipeline once, on its first partition,
and keeps it. Under Spark, ``mapInPandas`` hands an iterator of pandas
frames; the same function applies to each (a sketch: pyspark is not a
dependency and this is not run by the tests)::

    from evidextract.dask import extract_partition, statistics_schema_ddl

    def extract_batches(frames):
        for records in frames:
            yield extract_partition(records).astype({"stat": "string"})

    stats = records_sdf.mapInPandas(extract_batches, schema=statistics_schema_ddl())
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from evidextract._batch._workers import _records_frame, default_extractor, extract_chunk

__all__ = [
    "extract_partition",
    "extract_records",
    "statistics_meta",
    "records_meta",
    "read_pubmed",
    "extract_dask",
    "statistics_schema_ddl",
]

#: Columns of the records table (CONTRIBUTING.md), in order.
RECORD_COLUMNS = ("record_id", "title", "abstract", "doi", "pmid", "year", "journal",
                  "authors", "source", "sections", "status", "message")

_META: dict = {}


def statistics_meta() -> pd.DataFrame:
    """Return the empty statistics table: the ``meta`` of :func:`extract_partition`.

    Returns
    -------
    pandas.DataFrame
        No rows; the columns and dtypes of :func:`evidextract.extract`'s output.

    Examples
    --------
    >>> from evidextract.dask import statistics_meta
    >>> meta = statistics_meta()
    >>> len(meta), list(meta.columns[:4])
    (0, ['record_id', 'section', 'start', 'end'])
    """
    if "statistics" not in _META:
        _META["statistics"] = default_extractor(_records_frame([])).iloc[0:0]
    return _META["statistics"].copy()


def records_meta() -> pd.DataFrame:
    """Return the empty records table: the ``meta`` of :func:`read_pubmed`.

    Examples
    --------
    >>> from evidextract.dask import records_meta
    >>> list(records_meta().columns)  # doctest: +NORMALIZE_WHITESPACE
    ['record_id', 'title', 'abstract', 'doi', 'pmid', 'year', 'journal', 'authors',
     'source', 'sections', 'status', 'message']
    """
    frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in RECORD_COLUMNS})
    frame["year"] = frame["year"].astype("Int64")
    return frame


def _decode_sections(value):
    """Return sections as a list of ``(name, label, start, end)`` tuples from any carrier.

    Engines store them differently: Dask's string conversion and Spark turn
    them into JSON text here (see :func:`read_pubmed`), Arrow into arrays.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if value is None or isinstance(value, float):
        return None
    try:
        return [tuple(item) for item in value]
    except TypeError:
        return None


def _conform(stats: pd.DataFrame) -> pd.DataFrame:
    """Give ``stats`` exactly the columns and dtypes of :func:`statistics_meta`."""
    meta = statistics_meta()
    stats = stats.reindex(columns=meta.columns).reset_index(drop=True)
    for name, dtype in meta.dtypes.items():
        if stats[name].dtype != dtype:
            if isinstance(dtype, pd.CategoricalDtype):
                stats[name] = stats[name].astype(object).astype(dtype)
            else:
                stats[name] = stats[name].astype(dtype)
    return stats


def extract_partition(records: pd.DataFrame, extractor=None) -> pd.DataFrame:
    """Return the statistics table of one partition of records.

    Parameters
    ----------
    records : pandas.DataFrame
        Rows of the records table (columns of :func:`records_meta`; at
        least ``record_id`` and ``abstract``).
    extractor : callable, optional
        ``extractor(records) -> statistics``; default :func:`evidextract.extract`.

    Returns
    -------
    pandas.DataFrame
        The statistics table, with exactly the columns and dtypes of
        :func:`statistics_meta`, index 0..n-1. A record that breaks the
        extractor gives no rows rather than failing the partition.

    Examples
    --------
    >>> import pandas as pd
    >>> from evidextract.dask import extract_partition, statistics_meta
    >>> records = pd.DataFrame({"record_id": ["r1"],
    ...                         "abstract": ["Of 120 patients, 45 (37.5%) responded."]})
    >>> stats = extract_partition(records)
    >>> list(stats.columns) == list(statistics_meta().columns)
    True
    >>> set(stats["record_id"])
    {'r1'}

    With Dask, one call per partition, run where the data are::

        stats = records_ddf.map_partitions(extract_partition, meta=statistics_meta())
    """
    frame = records.reset_index(drop=True).copy()
    if "sections" in frame.columns:
        frame["sections"] = frame["sections"].map(_decode_sections).astype(object)
    if "status" not in frame.columns:
        frame["status"] = None
    if "message" not in frame.columns:
        frame["message"] = None
    return _conform(extract_chunk(frame, extractor or default_extractor))


def extract_records(records, extractor=None) -> list[dict]:
    """Return the statistics of a list of record dicts as a list of row dicts (for dask.bag).

    Examples
    --------
    >>> from evidextract.dask import extract_records
    >>> rows = extract_records([{"record_id": "r1", "abstract": "Of 120 patients, 45 died."}])
    >>> {row["record_id"] for row in rows}
    {'r1'}

    With ``dask.bag``::

        bag.map_partitions(extract_records).to_dataframe(meta=statistics_meta())
    """
    stats = extract_partition(_records_frame(list(records)), extractor)
    return stats.astype(object).where(stats.notna(), None).to_dict(orient="records")


def _read_file(path, format: str = "auto") -> pd.DataFrame:
    """Read one file into a records frame with the columns of :func:`records_meta`."""
    from evidextract.io import iter_records

    records = list(iter_records(Path(path), format=format, errors="warn"))
    frame = pd.DataFrame.from_records(records, columns=list(RECORD_COLUMNS))
    # Sections travel as JSON text: every engine (Dask's Arrow strings, Spark) keeps it.
    frame["sections"] = [json.dumps(s) if s is not None else None for s in frame["sections"]]
    meta = records_meta()
    for name in meta.columns:
        frame[name] = frame[name].astype(meta[name].dtype)
    return frame


def read_pubmed(paths, format: str = "auto"):
    """Read PubMed XML files (``.xml`` or ``.xml.gz``) as a Dask DataFrame, a partition a file.

    Parameters
    ----------
    paths : path or list of paths
        The files, read lazily on the workers. Other formats work too
        (``format`` is passed to :func:`evidextract.io.iter_records`).
    format : str, default "auto"

    Returns
    -------
    dask.dataframe.DataFrame
        The records table (:func:`records_meta`), one partition per file, in
        the order given. ``sections`` is JSON text (``[[name, label, start,
        end], ...]``), which every engine carries; :func:`extract_partition`
        reads it back.
    """
    import dask.dataframe as dd

    if isinstance(paths, str) or not hasattr(paths, "__iter__"):
        paths = [paths]
    paths = [str(path) for path in paths]
    return dd.from_map(_read_file, paths, format=format, meta=records_meta(),
                       label="evidextract-read", enforce_metadata=False)


def extract_dask(paths_or_ddf, extractor=None):
    """Return the lazy statistics table of files or of a Dask DataFrame of records.

    Parameters
    ----------
    paths_or_ddf : list of paths or dask.dataframe.DataFrame
        Files to read with :func:`read_pubmed`, or records already in Dask.
    extractor : callable, optional
        Default :func:`evidextract.extract`.

    Returns
    -------
    dask.dataframe.DataFrame
        Call ``.compute()`` for pandas or ``.to_parquet(folder)`` to write it.
    """
    import dask.dataframe as dd

    if isinstance(paths_or_ddf, dd.DataFrame):
        ddf = paths_or_ddf
    else:
        ddf = read_pubmed(paths_or_ddf)
    return ddf.map_partitions(extract_partition, extractor, meta=statistics_meta(),
                              enforce_metadata=False)


_DDL_TYPES = {"Int64": "bigint", "int64": "bigint", "float64": "double", "bool": "boolean"}


def statistics_schema_ddl() -> str:
    """Return the statistics table's schema as a Spark DDL string, for ``mapInPandas``.

    Examples
    --------
    >>> from evidextract.dask import statistics_schema_ddl
    >>> statistics_schema_ddl().split(", ")[:3]
    ['`record_id` string', '`section` string', '`start` bigint']
    """
    meta = statistics_meta()
    # Back-quoted names: "end" is a keyword of Spark SQL.
    fields = [f"`{name}` {_DDL_TYPES.get(str(dtype), 'string')}" for name, dtype in
              meta.dtypes.items()]
    return ", ".join(fields)
