"""metafor's ``escalc``: effect sizes and their sampling variances."""


def escalc(measure, data=None, **columns):  # placeholder until pooling lands
    raise NotImplementedError("evidextract.escalc lands with issue 4")
