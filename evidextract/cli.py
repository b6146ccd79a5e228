"""The ``evidextract`` command line: one subcommand per job.

Each subcommand lives in ``evidextract/_cli/<name>.py`` with two functions,
``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS = {
    "read": "Read bibliographic exports into a records table.",
    "extract": "Extract the reported statistics from abstracts into a statistics table.",
    "pool": "Pool extracted statistics into a meta-analysis and draw its forest plot.",
    "run": "The whole path on a folder of exports: read, extract, pool, plot.",
}


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``evidextract`` command."""
    parser = argparse.ArgumentParser(
        prog="evidextract",
        description="Read bibliographic exports, extract the statistics their abstracts "
        "report, and pool them as R's metafor does.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in SUBCOMMANDS.items():
        module = importlib.import_module(f"evidextract._cli.{name}")
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(sub_parser)
        sub_parser.set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
