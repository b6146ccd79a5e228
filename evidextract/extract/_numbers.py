"""Read numbers, number words and time units as written in abstracts."""

from __future__ import annotations

from functools import lru_cache

# Characters that stand for a minus sign or a decimal point in published text.
_MINUS = "-\u2212\u2013\u2012\u2010"
_DECIMAL_POINTS = {"\u00b7": ".", "\u2219": ".", "\u22c5": "."}

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000}
#: Every word that can be part of a written number.
NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TENS) | frozenset(_SCALES)

_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}

#: Ordinal words (``fourth``), which spaCy's ``LIKE_NUM`` counts as numbers.
ORDINAL_WORDS = frozenset(_ORDINALS)

#: Days in one time unit: a month is 365.25 / 12 days.
_DAYS = {
    "minute": 1 / 1440, "min": 1 / 1440, "hour": 1 / 24, "h": 1 / 24, "hr": 1 / 24,
    "day": 1.0, "d": 1.0, "week": 7.0, "wk": 7.0, "month": 30.4375, "mo": 30.4375,
    "year": 365.25, "yr": 365.25,
}


@lru_cache(maxsize=65536)
def parse_number(text: str) -> float | None:
    """Return the value of a numeric token, or None when it is not a plain number.

    Parameters
    ----------
    text : str
        One token: ``"0.72"``, ``".001"``, ``"0·72"``, ``"−2.00"``, ``"1,267"``.

    Returns
    -------
    float or None
        The number, or None for anything else (words, dates, identifiers).

    Examples
    --------
    >>> parse_number("0·72"), parse_number("\u22122.00"), parse_number("1,267")
    (0.72, -2.0, 1267.0)
    >>> parse_number(".001"), parse_number("12a") is None
    (0.001, True)
    """
    if not text or len(text) > 24:
        return None
    sign = 1.0
    if text[0] in _MINUS or text[0] == "+":
        if len(text) == 1:
            return None
        sign = -1.0 if text[0] != "+" else 1.0
        text = text[1:]
    for char, point in _DECIMAL_POINTS.items():
        text = text.replace(char, point)
    if "," in text:
        # A thousands separator only: 1,267 or 12,345,678; never 0,72 (ambiguous).
        head, *groups = text.split(",")
        if not head.isdigit() or len(head) > 3 or any(len(g) != 3 or not g.isdigit()
                                                      for g in groups[:-1]):
            return None
        last = groups[-1]
        int_part, _, frac = last.partition(".")
        if len(int_part) != 3 or not int_part.isdigit() or (frac and not frac.isdigit()):
            return None
        text = text.replace(",", "")
    int_part, dot, frac = text.partition(".")
    if not (int_part.isdigit() or (dot and not int_part)):
        return None
    if dot and not frac.isdigit():
        return None
    if not int_part.isascii() or not frac.isascii():
        return None
    return sign * float(text)


def token_number_info(text: str) -> tuple[str, float | None, bool]:
    """Return ``(lower case, number or None, counts as a number)`` for one token text.

    A token counts as a number when it is one (:func:`parse_number`) or is a number word
    or an ordinal word (``twelve``, ``fourth``), as spaCy's ``LIKE_NUM`` counts them.

    Examples
    --------
    >>> token_number_info("0·72"), token_number_info("Fourth"), token_number_info("lung")
    (('0·72', 0.72, True), ('fourth', None, True), ('lung', None, False))
    """
    lower = text.lower()
    if lower == text:
        lower = text  # one string object for both: less memory in the caches
    number = parse_number(text)
    return lower, number, number is not None or lower in NUMBER_WORDS or lower in ORDINAL_WORDS


def words_to_number(words: list[str]) -> int | None:
    """Return the value of a written number (``["one", "hundred", "fifty", "one"]``).

    Hyphens and ``and`` between the words are ignored.

    Examples
    --------
    >>> words_to_number(["One", "hundred", "fifty", "-", "one"])
    151
    >>> words_to_number(["Thirty", "-", "four"]), words_to_number(["lung"]) is None
    (34, True)
    """
    total = current = 0
    seen = False
    for word in words:
        low = word.lower()
        if low in ("-", "and"):
            continue
        if low in _UNITS:
            current += _UNITS[low]
        elif low in _TENS:
            current += _TENS[low]
        elif low in _SCALES:
            scale = _SCALES[low]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def ordinal_value(word: str) -> int | None:
    """Return 4 for ``"fourth"`` (or ``"4th"``), None for anything else.

    Examples
    --------
    >>> ordinal_value("fourth"), ordinal_value("12th"), ordinal_value("week")
    (4, 12, None)
    """
    low = word.lower()
    if low in _ORDINALS:
        return _ORDINALS[low]
    if low[-2:] in ("st", "nd", "rd", "th") and low[:-2].isdigit():
        return int(low[:-2])
    return None


def unit_days(unit: str) -> float | None:
    """Return the length in days of a time unit (``"months"`` -> 30.4375).

    Examples
    --------
    >>> unit_days("months"), unit_days("h"), unit_days("Years"), unit_days("mg") is None
    (30.4375, 0.041666666666666664, 365.25, True)
    """
    low = unit.lower().rstrip(".")
    if low in _DAYS:
        return _DAYS[low]
    if low.endswith("s") and low[:-1] in _DAYS:
        return _DAYS[low[:-1]]
    return None
