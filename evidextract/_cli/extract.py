"""``evidextract extract``."""


def add_arguments(parser):  # placeholder, replaced by the subcommand's owner
    parser.add_argument("inputs", nargs="*")


def run(args):  # placeholder
    raise SystemExit("evidextract extract is not implemented yet")
