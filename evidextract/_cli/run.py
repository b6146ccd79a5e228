"""``evidextract run``."""


def add_arguments(parser):  # placeholder, replaced by the subcommand's owner
    parser.add_argument("inputs", nargs="*")


def run(args):  # placeholder
    raise SystemExit("evidextract run is not implemented yet")
