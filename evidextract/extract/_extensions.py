"""The extension attributes evidextract sets, declared once from one table."""

from __future__ import annotations

from spacy.tokens import Doc, Span


def _row_field(field):
    def getter(span):
        row = span._.evid_row
        return None if row is None else row.get(field)

    return getter


#: ``(object, name) -> keyword arguments of set_extension``. Stored values have defaults;
#: values derived from the stored row are getters.
EXTENSIONS = {
    (Doc, "evid_sections"): {"default": None},
    (Doc, "evid_rows"): {"default": None},
    (Span, "evid_row"): {"default": None},
    (Span, "evid_stat"): {"getter": _row_field("stat")},
    (Span, "evid_value"): {"getter": _row_field("value")},
}


def register_extensions() -> None:
    """Declare every extension of :data:`EXTENSIONS`; safe to call again (``force=True``).

    Examples
    --------
    >>> from spacy.tokens import Doc
    >>> register_extensions()
    >>> Doc.has_extension("evid_rows")
    True
    """
    for (cls, name), kwargs in EXTENSIONS.items():
        if not cls.has_extension(name):
            cls.set_extension(name, **kwargs)


register_extensions()
