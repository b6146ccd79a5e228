"""Readers: one per export format, behind :func:`read`; text normalization; sections."""

from evidextract.io._sections import CANONICAL_SECTIONS, split_sections


def read(source, format="auto", **kwargs):  # noqa: D103 - placeholder until the readers land
    raise NotImplementedError("evidextract.read lands with issue 2")


def iter_records(source, format="auto", **kwargs):  # noqa: D103 - placeholder
    raise NotImplementedError("evidextract.io.iter_records lands with issue 2")


__all__ = ["read", "iter_records", "split_sections", "CANONICAL_SECTIONS"]
