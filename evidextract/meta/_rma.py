"""metafor's ``rma``: fixed- and random-effects models."""


def rma(yi=None, vi=None, data=None, **kwargs):  # placeholder
    raise NotImplementedError("evidextract.rma lands with issue 4")
