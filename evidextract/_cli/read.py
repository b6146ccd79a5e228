"""``evidextract read``."""


def add_arguments(parser):  # placeholder, replaced by the subcommand's owner
    parser.add_argument("inputs", nargs="*")


def run(args):  # placeholder
    raise SystemExit("evidextract read is not implemented yet")
