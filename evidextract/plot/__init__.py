"""Forest and funnel plots (matplotlib)."""


def forest(fit, ax=None, **kwargs):  # placeholder until plots land
    raise NotImplementedError("evidextract.forest lands with issue 5")


def funnel(fit, ax=None, **kwargs):  # placeholder
    raise NotImplementedError("evidextract.funnel lands with issue 5")
