"""Readers: one per export format, behind :func:`read`."""


def read(source, format="auto", **kwargs):  # placeholder until the readers land
    raise NotImplementedError("evidextract.read lands with issue 2")


def iter_records(source, format="auto", **kwargs):  # placeholder
    raise NotImplementedError("evidextract.io.iter_records lands with issue 2")
