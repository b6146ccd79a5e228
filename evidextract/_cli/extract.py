"""``evidextract extract``: statistics of many files, into one table or a folder of parts.

``-o stats.csv`` (or ``.parquet``, ``.jsonl``) writes one table;
``-o stats/`` writes partitioned Parquet with a manifest, resumable by
running the same command again. The exit status is 0 when every input was
read, 1 when some failed (reported at the end; the rest is written), 2 on a
usage error, 130 on Ctrl-C and 143 on SIGTERM (what batch schedulers send
before killing a job): both save the manifest and keep every finished part.

One table holds each record once: a record whose DOI or abstract came earlier
(the same article exported by PubMed and by Scopus) gives no rows, as in
:func:`evidextract.read`. Parts keep every record, so that they stay resumable.
"""

from __future__ import annotations

import hashlib
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
    parser.add_argument("--keep-duplicates", action="store_true",
                        help="one table: keep records whose DOI or abstract came earlier "
                        "(default: their rows are dropped)")


class _FirstSeen:
    """Tell, part by part, which records repeat one of an earlier part or of the same part.

    Keys are hashed to 16 bytes, so a million records cost tens of megabytes.
    """

    def __init__(self):
        self.keys = set()
        self.dropped = 0

    def repeated_ids(self, records: pd.DataFrame) -> set:
        from evidextract.io._read import duplicate_keys

        repeated, kept = set(), set()
        for record in records[["record_id", "doi", "abstract", "status"]].itertuples(index=False):
            fields = {"doi": record.doi or "", "abstract": record.abstract or "",
                      "status": record.status}
            keys = [hashlib.blake2b(repr(key).encode(), digest_size=16).digest()
                    for key in duplicate_keys(fields)]
            if any(key in self.keys for key in keys):
                repeated.add(record.record_id)
                self.dropped += 1
            else:
                kept.add(record.record_id)
            self.keys.update(keys)
        return repeated - kept  # an id shared with a kept record keeps its rows


def _unique_parts(run, first_seen):
    """Yield each statistics part as an Arrow table without the rows of repeated records."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from evidextract._batch._parts import read_parts

    for stats_path, records_path in zip(run.part_paths("statistics"),
                                        run.part_paths("records"), strict=True):
        table = pq.read_table(stats_path).replace_schema_metadata(None)
        if first_seen is not None:
            repeated = first_seen.repeated_ids(read_parts([records_path]))
            if repeated and table.num_rows:
                keep = pc.invert(pc.is_in(table["record_id"], value_set=pa.array(sorted(repeated))))
                table = table.filter(keep)
        yield table


def _write_table(run, target: Path, first_seen=None) -> int:
    """Stream the statistics parts of ``run`` into one file, atomically; return its rows.

    ``first_seen``, a :class:`_FirstSeen`, drops the rows of records seen before.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".tmp-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    rows = 0
    suffix = target.suffix.lower()
    try:
        parts = _unique_parts(run, first_seen)  # one part at a time: memory stays bounded
        if suffix == ".parquet":
            first = next(parts, None)
            if first is None:
                first = _empty_statistics_table()
            with pq.ParquetWriter(temp_name, first.schema) as writer:
                writer.write_table(first)
                rows += first.num_rows
                for table in parts:
                    writer.write_table(table.cast(first.schema))
                    rows += table.num_rows
        else:
            with open(temp_name, "w", encoding="utf-8", newline="") as handle:
                header = True
                for table in parts:
                    frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
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
            first_seen = None if args.keep_duplicates else _FirstSeen()
            rows = _write_table(batch, target, first_seen)
            dropped = first_seen.dropped if first_seen is not None else 0
            repeated = f" ({dropped} repeated record{'s' if dropped > 1 else ''} left out)" \
                if dropped else ""
            print(f"wrote {rows} statistics to {target}{repeated}", file=sys.stderr)
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
