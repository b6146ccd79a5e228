"""Statistics extraction with spaCy rules."""


def extract(records, **kwargs):  # placeholder until the extractor lands
    raise NotImplementedError("evidextract.extract lands with issue 3")


def make_pipeline(**kwargs):  # placeholder
    raise NotImplementedError("evidextract.make_pipeline lands with issue 3")
