"""``evidextract run``: the main job, from exports to a pooled pain-score change and a plot.

``evidextract run data/seeds -o out/`` reads every export, extracts the statistics, writes
``out/records.csv`` and ``out/stats.csv``, builds the pre-post study table of the pain
scores (``out/studies.csv``, a review sheet), pools it and draws ``out/forest.png``.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import pandas as pd

from evidextract._cli.pool import add_pooling_arguments, pool_stats
from evidextract.review import study_labels


def add_arguments(parser):
    """Add the options of ``evidextract run``."""
    parser.add_argument("inputs", nargs="+", type=Path, help="export files or folders")
    parser.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    add_pooling_arguments(parser, outcome="NRS,VAS", followup="1month")


def _inputs(paths) -> list[Path]:
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        else:
            files.append(path)
    return files


def read_inputs(paths, err=None) -> pd.DataFrame:
    """Read every file; a file that cannot be read is reported by name and skipped."""
    err = err or sys.stderr
    from evidextract import read

    frames = []
    for path in _inputs(paths):
        if not path.exists():
            print(f"{path}: no such file", file=err)
            continue
        try:
            frames.append(read(path))
        except Exception as error:  # noqa: BLE001 - one bad file never stops the run
            print(f"{path}: not read: {type(error).__name__}: {error}", file=err)
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def run(args) -> int:
    """Run ``evidextract run``."""
    from evidextract import extract

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
    options = {}
    if "progress" in inspect.signature(extract).parameters:
        options["progress"] = True
    stats = extract(records, **options)
    stats.to_csv(out / "stats.csv", index=False)
    status = records["status"].value_counts().to_dict() if "status" in records else {}
    print(f"{len(records)} records ({', '.join(f'{v} {k}' for k, v in status.items())}), "
          f"{len(stats)} statistics: {out / 'records.csv'}, {out / 'stats.csv'}")
    if args.studies is None:
        args.studies = out / "studies.csv"
    if args.forest is None:
        args.forest = out / "forest.png"
    return pool_stats(stats, args, labels=study_labels(records))
