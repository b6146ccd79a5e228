"""Effect sizes and meta-analytic pooling, numerically matched to R's metafor."""


def escalc(measure, data=None, **columns):  # placeholder until pooling lands
    raise NotImplementedError("evidextract.escalc lands with issue 4")


def rma(yi=None, vi=None, data=None, **kwargs):  # placeholder
    raise NotImplementedError("evidextract.rma lands with issue 4")
