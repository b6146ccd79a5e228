"""Parquet parts of a batch run: fixed schemas, atomic writes, footer checks.

A part is one chunk of one input: ``statistics/<key>-<chunk>.parquet`` holds
its statistics rows and ``records/<key>-<chunk>.parquet`` its records with
their status. Each part carries, in its Parquet footer, the identity of the
chunk it holds (input key and fingerprint, chunk size and number, counts), so
a re-run can tell a finished part from a stale one without trusting file
names alone.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

#: Key of the footer entry that identifies a part.
FOOTER_KEY = b"evidextract"

#: Prefix of temporary files; anything starting with it is debris of a killed run.
TEMP_PREFIX = ".tmp-"

#: Sub-folders of the output folder, one a table.
TABLES = ("statistics", "records")

# Columns of the records table and their Arrow types. Lists (authors,
# sections) are stored as JSON text so that every part has the same schema
# whatever its content.
_RECORD_TYPES = {
    "record_id": pa.string(),
    "title": pa.string(),
    "abstract": pa.string(),
    "doi": pa.string(),
    "pmid": pa.string(),
    "year": pa.int64(),
    "journal": pa.string(),
    "authors": pa.string(),
    "source": pa.string(),
    "sections": pa.string(),
    "status": pa.string(),
    "message": pa.string(),
    "n_statistics": pa.int64(),
}


def part_name(key: str, chunk: int) -> str:
    """Return the file name of chunk ``chunk`` of input ``key``.

    Examples
    --------
    >>> part_name("pubmed25n0001.xml.gz-1a2b3c4d", 3)
    'pubmed25n0001.xml.gz-1a2b3c4d-00003.parquet'
    """
    return f"{key}-{chunk:05d}.parquet"


def _text_or_none(value):
    """Return ``value`` as text (lists and dicts as JSON), or None when missing."""
    if value is None:
        return None
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _arrow_type(series: pd.Series) -> pa.DataType:
    """Return the Arrow type a statistics column is stored as, from its dtype only."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return pa.bool_()
    if pd.api.types.is_integer_dtype(dtype):
        return pa.int64()
    if pd.api.types.is_float_dtype(dtype):
        return pa.float64()
    return pa.string()


def _column(series: pd.Series, arrow_type: pa.DataType) -> pa.Array:
    """Convert one column to Arrow, missing values as nulls."""
    if pa.types.is_string(arrow_type):
        return pa.array([_text_or_none(v) for v in series], type=arrow_type)
    if pa.types.is_integer(arrow_type):
        values = pd.to_numeric(series, errors="coerce").astype("Float64")
        return pa.array(
            [None if pd.isna(v) else int(v) for v in values], type=arrow_type
        )
    if pa.types.is_floating(arrow_type):
        values = pd.to_numeric(series, errors="coerce").astype("float64")
        return pa.array(values.to_numpy(), type=arrow_type, from_pandas=True)
    return pa.array(series.astype(object).where(series.notna(), None), type=arrow_type)


def statistics_table(stats: pd.DataFrame) -> pa.Table:
    """Return the statistics rows as an Arrow table whose schema depends on dtypes only."""
    arrays, fields = [], []
    for name in stats.columns:
        arrow_type = _arrow_type(stats[name])
        arrays.append(_column(stats[name], arrow_type))
        fields.append(pa.field(str(name), arrow_type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def records_table(records: pd.DataFrame) -> pa.Table:
    """Return the records as an Arrow table with the fixed records schema.

    Columns beyond the records contract are kept, as text.
    """
    names = list(_RECORD_TYPES) + [c for c in records.columns if c not in _RECORD_TYPES]
    arrays, fields = [], []
    for name in names:
        arrow_type = _RECORD_TYPES.get(name, pa.string())
        if name in records.columns:
            column = _column(records[name], arrow_type)
        else:
            column = pa.nulls(len(records), type=arrow_type)
        arrays.append(column)
        fields.append(pa.field(str(name), arrow_type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def write_atomic(table: pa.Table, path: Path, identity: dict) -> None:
    """Write ``table`` to ``path`` so that ``path`` is either absent or complete.

    The table goes to a temporary file in the same folder, is flushed to disk
    (``fsync``), then renamed over ``path`` with :func:`os.replace`, which is
    atomic on POSIX and Windows within one file system. Any error, including
    ``KeyboardInterrupt``, removes the temporary file.

    Parameters
    ----------
    table : pyarrow.Table
        The rows to write.
    path : pathlib.Path
        Final path of the part.
    identity : dict
        JSON-serializable identity of the part, stored in the Parquet footer.
    """
    metadata = dict(table.schema.metadata or {})
    metadata[FOOTER_KEY] = json.dumps(identity, sort_keys=True).encode()
    table = table.replace_schema_metadata(metadata)
    fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".parquet.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            pq.write_table(table, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Flush a folder entry so the rename survives a power cut (POSIX only)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_identity(path: Path) -> dict | None:
    """Return the identity stored in a part's footer, or None if it is not a valid part."""
    try:
        metadata = pq.read_metadata(path)
    except (OSError, pa.ArrowException):
        return None
    raw = (metadata.metadata or {}).get(FOOTER_KEY)
    if raw is None:
        return None
    try:
        identity = json.loads(raw)
    except ValueError:
        return None
    if identity.get("rows") != metadata.num_rows:
        return None
    return identity


def remove_temp_files(out: Path) -> int:
    """Remove temporary files that a killed run left in the part folders; return how many."""
    removed = 0
    for table in TABLES:
        folder = out / table
        if not folder.is_dir():
            continue
        for path in folder.glob(TEMP_PREFIX + "*"):
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed += 1
    return removed


def read_parts(paths) -> pd.DataFrame | None:
    """Read parts, in the given order, into one DataFrame with nullable integers."""
    tables = [pq.read_table(path) for path in paths]
    if not tables:
        return None
    table = pa.concat_tables(tables, promote_options="permissive")
    table = table.replace_schema_metadata(None)
    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
