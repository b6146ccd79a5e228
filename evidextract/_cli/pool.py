"""``evidextract pool``: a statistics table to a pooled pre-post estimate and its forest plot.

Example::

    evidextract pool stats.csv --measure SMCC --outcome NRS,VAS --followup 1month
        --forest forest.png
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pandas as pd

from evidextract.review._sensitivity import PRE_POST_MEASURES


def add_arguments(parser):
    """Add the options of ``evidextract pool`` (and the pooling options of ``run``)."""
    parser.add_argument("stats", type=Path,
                        help="statistics table written by 'evidextract extract' "
                             "(.csv, .parquet, .jsonl)")
    add_pooling_arguments(parser)


def add_pooling_arguments(parser, outcome=None, followup=None):
    """Options shared by ``pool`` and ``run``: which means, which measure, where n comes from."""
    group = parser.add_argument_group("pooling")
    group.add_argument("--measure", default="SMCC", type=str.upper, choices=PRE_POST_MEASURES,
                       help="metafor's pre-post measure (default: SMCC)")
    group.add_argument("--outcome", default=outcome,
                       help="outcomes to pool, comma-separated (e.g. NRS,VAS)"
                            + (f"; default {outcome}" if outcome else ""))
    group.add_argument("--baseline", default="baseline",
                       help="timepoint of the before mean (default: baseline)")
    group.add_argument("--followup", default=followup,
                       help="timepoint of the after mean, e.g. 1month, 24h, 12weeks"
                            + (f"; default {followup}" if followup else ""))
    group.add_argument("--ri", type=float, default=0.5,
                       help="assumed baseline/follow-up correlation (default: 0.5)")
    group.add_argument("--scale", default=None,
                       help="put pain scales on one scale first, e.g. 0-10 (the default for "
                            "--measure MC)")
    group.add_argument("--n", action="append", default=[], metavar="RECORD=N",
                       help="n of a study whose text gives none (repeatable)")
    group.add_argument("--n-from", choices=("measurement", "sample_size"), default="measurement",
                       help="where n comes from: only the n the text attaches to the "
                            "measurement (default), or else the study's enrolment (its "
                            "largest count of people), flagged as such")
    group.add_argument("--method", default="REML", help="tau^2 estimator (default: REML)")
    group.add_argument("--reviewed", type=Path, default=None,
                       help="a corrected review sheet (from --studies) to pool instead")
    group.add_argument("--studies", type=Path, default=None,
                       help="write the study table as a review sheet (.csv or .xlsx)")
    group.add_argument("--forest", type=Path, default=None,
                       help="write the forest plot (.png, .svg, .pdf)")


def read_stats(path: Path) -> pd.DataFrame:
    """Read a statistics table written as CSV, Parquet or JSON Lines."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix in (".jsonl", ".json"):
        return pd.read_json(path, lines=suffix == ".jsonl")
    return pd.read_csv(path)


def _n_mapping(pairs) -> dict:
    mapping = {}
    for pair in pairs:
        record, sep, value = pair.rpartition("=")
        if not sep or not record:
            raise SystemExit(f"--n expects RECORD=N, got {pair!r}")
        try:
            mapping[record] = int(value)
        except ValueError:
            raise SystemExit(f"--n {pair!r}: N must be a whole number") from None
    return mapping


def pool_stats(stats: pd.DataFrame, args, out=None, err=None, labels=None) -> int:
    """Build the pre-post study table, pool it, print the fit and write the requested files."""
    out = out or sys.stdout
    err = err or sys.stderr
    if args.measure == "MC" and args.scale is None:
        args.scale = "0-10"  # raw changes on a 0-100 VAS and a 0-10 NRS cannot be pooled as is
        print("MC: pain scales put on 0-10 first (--scale 0-10); the table says how", file=err)
    from evidextract import forest, from_review, pre_post, rma, to_review
    from evidextract.review import effect_sizes

    table = pre_post(stats, outcome=args.outcome, baseline=args.baseline,
                     followup=args.followup, ri=args.ri, scale=args.scale,
                     n=_n_mapping(args.n), n_from=args.n_from, labels=labels)
    if args.reviewed is not None:
        table = from_review(args.reviewed, original=table)
    for skip in table.attrs.get("skipped", []):
        print(f"skipped {skip['record_id']} ({skip['outcome']}): {skip['reason']}", file=err)
    if args.studies is not None:
        to_review(table, args.studies)
        print(f"study table: {args.studies}", file=out)
    if table.empty:
        print("no study has both a baseline and a follow-up mean for these outcomes "
              f"(outcome={args.outcome!r}, followup={args.followup!r})", file=err)
        return 1
    repeated = table[table.duplicated(["record_id", "outcome", "group"], keep=False)]
    if not repeated.empty:
        print("several follow-up times per study: choose one with --followup "
              f"({', '.join(sorted(set(repeated['timepoint'].dropna())))})", file=err)
        return 1
    sizes = effect_sizes(table, args.measure)
    for index in sizes.attrs["dropped"]:
        row = table.loc[index]
        if pd.isna(row["ni"]):
            print(f"left out {row['study']} ({row['outcome']}): n missing: the text gives no n "
                  f"for the means; supply it with --n {row['record_id']}=N, or use "
                  "--n-from sample_size", file=err)
        else:
            print(f"left out {row['study']} ({row['outcome']}): {row['imputed']}", file=err)
    if sizes.empty:
        print("no study has every input (means, SDs and n); supply a missing n with "
              "--n RECORD=N", file=err)
        return 1
    print(f"{args.measure} of {args.followup or 'follow-up'} vs {args.baseline}, "
          f"assumed r = {args.ri:g}:", file=out)
    columns = ["study", "outcome", "timepoint", "m2i", "sd2i", "m1i", "sd1i", "ni", "yi", "vi"]
    print(pd.DataFrame(sizes[columns]).round(4).to_string(index=False), file=out)
    notes = [f"  {row['study']}: {row['imputed']}" for _, row in sizes.iterrows()
             if isinstance(row["imputed"], str) and row["imputed"]]
    if notes:
        print("assumed or converted:", *notes, sep="\n", file=out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # k = 1 and the like: printed by summary
        fit = rma("yi", "vi", data=sizes, method=args.method, slab="study",
                  measure=args.measure)
    print(file=out)
    print(str(fit.summary()), file=out)
    if args.forest is not None:
        import matplotlib.pyplot as plt

        figure = forest(fit)
        figure.savefig(args.forest, dpi=200, bbox_inches="tight")
        plt.close(figure)
        print(f"forest plot: {args.forest}", file=out)
    return 0


def run(args) -> int:
    """Run ``evidextract pool``."""
    if not args.stats.is_file():
        print(f"{args.stats}: no such file", file=sys.stderr)
        return 2
    return pool_stats(read_stats(args.stats), args)
