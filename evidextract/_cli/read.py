"""``evidextract read``: bibliographic exports in, one records table out."""

from __future__ import annotations

import argparse
import sys
import textwrap
import warnings

from evidextract.io import FORMATS, ReadError, read, write_records

_EPILOG = """\
formats (told from each file's content; --format forces one):
{formats}

examples:
  evidextract read data/seeds/*.txt
  evidextract read pubmed_result.xml scopus.ris -o records.csv
  evidextract read exports/ -o records.parquet
  evidextract read embase.csv --columns "Heading=title" "Summary=abstract" -o records.jsonl

The table has one row per abstract: record_id, title, abstract, doi, pmid, year, journal,
authors, source, sections, status (ok, no_abstract, unreadable, error) and message.
Records found twice (same DOI or same abstract) are merged unless --keep-duplicates.
Problems (bad encoding, a record without an end tag, a truncated file) are printed to
stderr with the file and line; every readable record is kept.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``evidextract read`` to ``parser``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.description = textwrap.fill(
        "Read bibliographic exports (PubMed XML, MEDLINE, RIS, Web of Science, EndNote XML, "
        "BibTeX, CSV, JSON, PMC full text, saved web pages, plain text) into one table of "
        "records, one row per abstract.", 88
    )
    parser.epilog = _EPILOG.format(
        formats="\n".join(f"  {name:<12} {text}" for name, text in FORMATS.items())
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="files, folders or glob patterns (quote globs for recursion)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the table to FILE (.csv, .parquet or .jsonl); without it, "
                        "print a summary of each record")
    parser.add_argument("--format", default="auto", metavar="F",
                        help="read every input as format F (default: auto, from the content)")
    parser.add_argument("--errors", choices=("warn", "raise"), default="warn",
                        help="warn: keep going and report problems (default); raise: stop at "
                        "the first problem")
    parser.add_argument("--columns", nargs="+", metavar="NAME=FIELD", default=None,
                        help="for CSV/TSV: map your column NAME to a FIELD (title, abstract, "
                        "doi, pmid, year, journal, authors, record_id)")
    parser.add_argument("--keep-duplicates", action="store_true",
                        help="do not merge records that have the same DOI or abstract")


def _parse_columns(pairs):
    if not pairs:
        return None
    mapping = {}
    for pair in pairs:
        name, sep, field = pair.rpartition("=")
        if not sep or not name:
            raise SystemExit(f"--columns expects NAME=FIELD, not {pair!r}")
        mapping[name] = field
    return mapping


def summary_line(frame) -> str:
    """One line counting the records of a records table by status."""
    counts = frame["status"].value_counts()
    files = len(frame.attrs.get("files", [])) or frame["source"].nunique()
    merged = len(frame.attrs.get("duplicates", []))
    return (
        f"{len(frame)} records read from {files} file(s): {counts.get('ok', 0)} with abstract, "
        f"{counts.get('no_abstract', 0)} no abstract, {counts.get('unreadable', 0)} unreadable, "
        f"{counts.get('error', 0)} error; {merged} duplicate(s) merged; "
        f"{len(frame.attrs.get('warnings', []))} warning(s)"
    )


def _print_records(frame, out) -> None:
    for row in frame.itertuples():
        title = textwrap.shorten(row.title or "(no title)", 90, placeholder=" ...")
        labels = ", ".join(label for _, label, _, _ in row.sections) or "unstructured"
        year = "" if row.year is None or row.year != row.year else f"{row.year}, "
        print(f"{row.record_id}  [{row.status}]  {title}", file=out)
        detail = f"    {year}{row.journal or 'journal unknown'}; {len(row.abstract)} characters"
        print(f"{detail}; sections: {labels}; from {row.source}", file=out)
        if row.message:
            print(f"    {row.message}", file=out)


def run(args: argparse.Namespace) -> int:
    """Read the inputs, write or print the table, report problems; return the exit status."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # printed below, once each, with the summary
            frame = read(args.inputs if len(args.inputs) > 1 else args.inputs[0],
                         format=args.format, errors=args.errors,
                         columns=_parse_columns(args.columns),
                         dedupe=not args.keep_duplicates)
    except (ReadError, FileNotFoundError, ValueError) as exc:
        print(f"evidextract read: {exc}", file=sys.stderr)
        return 1
    for warning in frame.attrs["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    if args.output:
        try:
            path = write_records(frame, args.output)
        except (ValueError, OSError) as exc:
            print(f"evidextract read: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {path}", file=sys.stderr)
    else:
        _print_records(frame, sys.stdout)
    print(summary_line(frame), file=sys.stderr)
    return 0
