"""spaCy components of evidextract (being written; issue 3)."""


def make_stats_component(nlp, name):
    """Build the statistics component (placeholder until issue 3 lands)."""
    raise NotImplementedError("evidextract_stats lands with issue 3")
