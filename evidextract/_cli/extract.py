"""``evidextract extract``: statistics of many files, into one table or a folder of parts.

``-o stats.csv`` (or ``.parquet``, ``.jsonl``) writes one table;
``-o stats/`` writes partitioned Parquet with a manifest, resumable by
running the same command again. The exit status is 0 when every input was
read, 1 when some failed (reported at the end; the rest is written), 2 on a
usage error, 130 on Ctrl-C and 143 on SIGTERM (what batch schedulers send
before killing a job): both save the manifest and keep every finished part.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import pandas as pd

#: Output suffixes that mean "one table" rather than "a folder of parts".
TABLE_SUFFIXES = (".csv", ".parquet", ".jsonl")


def add_arguments(parser):
    """Add the arguments of ``evidextract extract`` to ``parser``."""
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="bibliographic files (PubMed XML, .gz, RIS, ...) or folders of them")
    parser.add_argument("-o", "--out", default="stats/",
                        help="a .csv, .parquet or .jsonl file for one table, or a folder for "
                        "partitioned Parquet with a manifest (default: stats/)")
    parser.add_argument("-j", "--jobs", type=int, default=1,
                        help="worker processes (default: 1)")
    parser.add_argument("--chunk-size", type=int, default=1000,
                        help="records a part; memory grows with it (default: 1000)")
    parser.add_argument("--format", default="auto", help="input format (default: auto)")
    parser.add_argument("--errors", choices=("warn", "raise"), default="warn",
                        help="warn: report failed inputs and go on; raise: stop at the first")
    parser.add_argument("--checksum", action="store_true",
                        help="identify finished inputs by SHA-256 too, not only size and mtime")
    parser.add_argument("--no-progress", dest="progress", action="store_false",
                        help="no progress bar")


def _write_table(run, target: Path) -> int:
    """Stream the statistics parts of ``run`` into one file, atomically; return its rows."""
    import pyarrow.parquet as pq

    from evidextract._batch._parts import read_parts

    paths = run.part_paths("statistics")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".tmp-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    rows = 0
    suffix = target.suffix.lower()
    try:
        if suffix == ".parquet":
            tables = (pq.read_table(path).replace_schema_metadata(None) for path in paths)
            first = next(tables, None)
            if first is None:
                first = _empty_statistics_table()
            with pq.ParquetWriter(temp_name, first.schema) as writer:
                for table in [first] if first is not None else []:
                    writer.write_table(table)
                    rows += table.num_rows
                for table in tables:
                    writer.write_table(table.cast(first.schema))
                    rows += table.num_rows
        else:
            with open(temp_name, "w", encoding="utf-8", newline="") as handle:
                header = True
                for path in paths:  # one part at a time: memory stays bounded
                    frame = read_parts([path])
                    rows += len(frame)
                    if suffix == ".csv":
                        frame.to_csv(handle, header=header, index=False)
                    else:
                        _write_json_lines(frame, handle)
                    header = False
        os.replace(temp_name, target)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
    return rows


def _json_value(value):
    """Return a JSON-ready value: NA as None, NumPy scalars as Python numbers."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _write_json_lines(frame, handle) -> None:
    """Write rows as JSON lines; floats keep every digit (``repr``), unlike ``to_json``."""
    columns = list(frame.columns)
    for row in frame.astype(object).itertuples(index=False, name=None):
        record = {name: _json_value(value) for name, value in zip(columns, row, strict=True)}
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _empty_statistics_table():
    """Return the statistics table of no records (its columns), as Arrow."""
    from evidextract._batch._parts import statistics_table
    from evidextract._batch._workers import _records_frame, default_extractor

    return statistics_table(default_extractor(_records_frame([])))


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: manifest saved, workers stopped."""


def _raise_terminated(signum, frame):
    raise _Terminated


def run(args) -> int:
    """Run ``evidextract extract``; return the exit status."""
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        return _run(args)
    except _Terminated:
        return 143
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args) -> int:
    from evidextract.batch import BatchError, extract_files

    target = Path(args.out)
    single = target.suffix.lower() in TABLE_SUFFIXES
    if args.jobs < 1 or args.chunk_size < 1:
        print("evidextract extract: --jobs and --chunk-size must be at least 1", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix=".evidextract-", dir=target.parent if single and
                                 target.parent.is_dir() else None)) if single else target
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the summary below says it all, once
            batch = extract_files(
                args.inputs, out=work, n_process=args.jobs, chunk_size=args.chunk_size,
                progress=args.progress, errors=args.errors, format=args.format,
                checksum=args.checksum,
            )
        print(batch.summary(), file=sys.stderr)
        if single:
            rows = _write_table(batch, target)
            print(f"wrote {rows} statistics to {target}", file=sys.stderr)
        else:
            print(f"parts in {target}/statistics and {target}/records, "
                  f"manifest {target / 'manifest.json'}", file=sys.stderr)
        return 0 if batch.ok else 1
    except BatchError as exc:
        print(f"evidextract extract: stopped: {exc}", file=sys.stderr)
        return 1
    except _Terminated:
        raise
    except KeyboardInterrupt:
        return 130
    finally:
        if single:
            shutil.rmtree(work, ignore_errors=True)
