"""``evidextract run``: the main job, from exports to a pooled pain-score change and a plot.

``evidextract run data/seeds -o out/`` reads every export, extracts the statistics, writes
``out/records.csv`` and ``out/stats.csv``, builds the pre-post study table of the pain
scores (``out/studies.csv``, a review sheet), pools it and draws ``out/forest.png``.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pandas as pd

from evidextract._cli.pool import add_pooling_arguments, pool_stats
from evidextract.review import study_labels

#: Records per extraction chunk: the progress bar moves once a chunk.
CHUNK = 64


def add_arguments(parser):
    """Add the options of ``evidextract run``."""
    parser.add_argument("inputs", nargs="+", type=Path, help="export files or folders")
    parser.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    parser.add_argument("--no-progress", dest="progress", action="store_false",
                        help="no progress bar")
    add_pooling_arguments(parser, outcome="NRS,VAS", followup="1month")


def read_inputs(paths, err=None) -> pd.DataFrame:
    """Read every input into one records table; problems are reported, never fatal."""
    from evidextract import read

    err = err or sys.stderr
    missing = [p for p in paths if not Path(p).exists()]
    for path in missing:
        print(f"{path}: no such file or folder", file=err)
    present = [str(p) for p in paths if Path(p).exists()]
    if not present:
        return pd.DataFrame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # collected in attrs["warnings"] and summarized below
        records = read(present, errors="warn")
    for warning in records.attrs.get("warnings", []):
        print(f"read: {warning}", file=err)
    return records


def extract_with_progress(records: pd.DataFrame, progress: bool = True) -> pd.DataFrame:
    """Extract chunk by chunk under a tqdm bar (terminal or notebook alike)."""
    from tqdm.auto import tqdm

    from evidextract import extract

    parts = []
    with tqdm(total=len(records), unit=" records", desc="extract", disable=not progress,
              file=sys.stderr) as bar:
        # errors="ignore": failed records are collected in attrs["failed"] and reported by run
        for part in extract(records, chunked=True, batch_size=CHUNK, errors="ignore"):
            parts.append(part)
            bar.update(min(CHUNK, len(records) - bar.n))
    failed = [item for part in parts for item in part.attrs.get("failed", [])]
    stats = pd.concat(parts, ignore_index=True) if parts else extract(records.head(0))
    stats.attrs["failed"] = failed
    return stats


def run(args) -> int:
    """Run ``evidextract run``."""
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    records = read_inputs(args.inputs)
    if records.empty:
        print("no records read", file=sys.stderr)
        return 1
    written = records.copy()
    for column in written.columns:
        if written[column].map(lambda v: isinstance(v, list | tuple | dict)).any():
            written[column] = written[column].map(repr)
    written.to_csv(out / "records.csv", index=False)
    readable = records[records["status"] == "ok"] if "status" in records else records
    stats = extract_with_progress(readable, progress=args.progress)  # others have no text
    stats.to_csv(out / "stats.csv", index=False)
    failed = stats.attrs.get("failed", [])
    for item in failed:
        print(f"extract: record {item['record_id']} not processed: {item['reason']}",
              file=sys.stderr)
    status = records["status"].value_counts().to_dict() if "status" in records else {}
    not_processed = f", {len(failed)} not processed by extract" if len(failed) else ""
    print(f"{len(records)} records ({', '.join(f'{v} {k}' for k, v in status.items())}"
          f"{not_processed}), {len(stats)} statistics: {out / 'records.csv'}, "
          f"{out / 'stats.csv'}")
    if args.studies is None:
        args.studies = out / "studies.csv"
    if args.forest is None:
        args.forest = out / "forest.png"
    return pool_stats(stats, args, labels=study_labels(records))
