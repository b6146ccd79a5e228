"""Write a records table to CSV, Parquet or JSON Lines, keeping ``sections`` readable."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

_SECTION_FIELDS = ("name", "label", "start", "end")


def _sections_json(sections) -> str:
    return json.dumps([list(s) for s in (sections if sections is not None else [])],
                      ensure_ascii=False)


def write_records(frame: pd.DataFrame, path) -> Path:
    r"""Write a records table; the format follows the suffix (``.csv``, ``.parquet``, ``.jsonl``).

    Parameters
    ----------
    frame : pandas.DataFrame
        A records table from :func:`read`.
    path : str or path
        Where to write it.

    Returns
    -------
    pathlib.Path
        The path written.

    Notes
    -----
    ``sections`` is a list of ``(name, label, start, end)`` tuples. In CSV it is stored as a
    JSON string (``[["results", "Results", 120, 410], ...]``); in Parquet as a list of structs
    ``{name, label, start, end}``; in JSON Lines as a list of 4-element lists.
    :func:`read` gives the same records back from each of the three (it recomputes
    ``sections`` from ``abstract``, so the tuples come back identical).

    Examples
    --------
    >>> import tempfile, os
    >>> from evidextract.io import read
    >>> df = read("PMID- 7\nTI  - T.\nAB  - BACKGROUND: A. RESULTS: B.\n")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     back = read(write_records(df, os.path.join(tmp, "r.parquet")))
    >>> back.loc[0, ["record_id", "abstract"]].tolist()
    ['7', 'BACKGROUND: A. RESULTS: B.']
    >>> back.loc[0, "sections"]
    [('background', 'BACKGROUND', 0, 14), ('results', 'RESULTS', 15, 26)]
    """
    path = Path(path)
    suffix = path.suffix.lower()
    out = frame.copy()
    if suffix == ".csv":
        out["sections"] = out["sections"].map(_sections_json)
        out.to_csv(path, index=False)
    elif suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        section_type = pa.list_(pa.struct([("name", pa.string()), ("label", pa.string()),
                                           ("start", pa.int64()), ("end", pa.int64())]))
        out["sections"] = out["sections"].map(
            lambda ss: [dict(zip(_SECTION_FIELDS, s, strict=True)) for s in (ss or [])]
        )
        table = pa.Table.from_pandas(out, preserve_index=False)
        index = table.schema.get_field_index("sections")
        table = table.set_column(index, pa.field("sections", section_type),
                                 pa.array(out["sections"].tolist(), type=section_type))
        pq.write_table(table, path)
    elif suffix in (".jsonl", ".ndjson"):
        out["sections"] = out["sections"].map(lambda ss: [list(s) for s in (ss or [])])
        out["year"] = out["year"].astype(object).where(out["year"].notna(), None)
        with open(path, "w", encoding="utf-8") as handle:
            for row in out.to_dict("records"):
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        raise ValueError(f"cannot write {path.name}: use a .csv, .parquet or .jsonl name")
    return path
