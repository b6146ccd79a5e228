"""Assemble statistics from the tokens of one sentence and the rule matches inside it.

The matcher (patterns in ``patterns/*.jsonl``) marks the words that matter: statistic
keywords, units, counted nouns, CI/SD/range markers, p-value signs, timepoints and numbers
that are no statistics (years, inclusion ages, citations). This module walks the numbers
of a sentence left to right, reads what is attached to each one (``± SD``, ``(95% CI ...)``,
``(range, 0–10)``, ``n/N (x%)``) and decides which statistic it is. Everything here is plain
Python over lists built once per document, so its cost grows with the number of numbers.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from evidextract.extract._numbers import (
    NUMBER_WORDS,
    ORDINAL_WORDS,
    ordinal_value,
    parse_number,
    unit_days,
    words_to_number,
)

COMPARATORS = {"<": "<", "=": "=", ">": ">", "\u2264": "<=", "\u2265": ">=", "<=": "<=",
               ">=": ">=", "\u2266": "<=", "\u2267": ">="}
_WORD_COMPARATORS = {
    ("higher", "than"): ">", ("greater", "than"): ">", ("more", "than"): ">",
    ("larger", "than"): ">", ("above",): ">", ("exceeding",): ">", ("over",): ">",
    ("lower", "than"): "<", ("less", "than"): "<", ("fewer", "than"): "<",
    ("smaller", "than"): "<", ("below",): "<", ("under",): "<", ("up", "to"): "<=",
    ("at", "least"): ">=", ("at", "most"): "<=",
}
_MINUS_TOKENS = {"-", "\u2212", "\u2013"}
_RANGE_DASHES = {"-", "\u2013", "\u2014", "\u2212", "to", "\u223c", "~", "and"}
_PM = {"\u00b1", "+/-", "+/\u2212"}
_OPEN = {"(": ")", "[": "]"}
_ITEM_SEPARATORS = {";", ","}
_COMPARATIVES = {"larger", "higher", "smaller", "lower", "greater", "more", "less", "increased",
                 "decreased", "reduced", "improved", "longer", "shorter", "fewer", "rose",
                 "fell", "dropped", "declined", "increase", "decrease", "reduction"}
_RUN_GAP = {",", "and", "vs", "vs.", "versus", "or", "to", "compared", "with", "respectively"}
_MODIFIER_STOP = {
    "of", "with", "and", "or", "in", "the", "a", "an", "were", "was", "had", "have", "has",
    "who", "that", "which", "for", "to", "at", "from", "by", "on", "vs", "vs.", "versus", "are",
    "is", "be", "been", "per", "each", "than", "as", "into", "underwent", "received", "did",
    "showed", "not", "no", "all", "these", "those", "their", "after", "before", "during",
}
_GROUP_PREPOSITIONS = {"for", "in", "among", "amongst"}
_GROUP_STOP = {",", ";", ".", "(", ")", "[", "]", "and", "were", "was", "is", "are", "had",
               "vs", "vs.", "versus", "compared", "whereas", "while", "but", "which", "who",
               "respectively", ":", "than", "with", "at", "after", "as", "to", "by", "of"}
#: How far back (tokens) context is looked for: keeps the work linear in long sentences.
_LOOKBACK = 80
# After "24-hour" or "44-month", nouns that make it a length of time, not a timepoint.
_DURATION_NOUNS = {"period", "periods", "interval", "window", "span", "recall", "course"}
# Words that may follow a score out of 10 or 100 ("7.1/10 with a range", "2/10 at 3 months");
# any other word makes "/100" a rate ("36.6/100 person-years") or a count ("7/10 lesions").
_AFTER_SCORE = {"with", "at", "and", "or", "in", "on", "after", "before", "vs", "vs.", "versus",
                "to", "for", "from", "was", "were", "by", "during", "compared", "respectively",
                "while", "whereas", "but", "than", "points", "point", "pts"}
# Nouns that a number names rather than measures: "dose 2", "codon 12", "grade 3".
_LABEL_NOUNS = {"dose", "codon", "grade", "stage", "type", "group", "arm", "cycle", "level",
                "phase", "experiment", "cohort", "study", "trial", "visit", "segment", "score",
                "week", "weeks", "day", "days", "month", "months", "year", "years", "version",
                "patient", "case", "lesion", "figure", "table", "model"}
_DIAGNOSTIC = {"sensitivity", "specificity", "accuracy", "auc"}
_FRACTION_STATS = {"proportion", "sensitivity", "specificity", "accuracy", "i2"}
_UNIT_RANGE_STATS = {"auc", "icc", "kappa", "sensitivity", "specificity", "accuracy"}
_ESTIMATES = {"auc", "icc", "kappa", "correlation", "smd", "mean_difference", "odds_ratio",
              "risk_ratio", "hazard_ratio", "coefficient", "sensitivity", "specificity",
              "accuracy", "i2"}


_TOKEN_CACHE: dict = {}


def _token_info(text):
    """Return and cache ``(lower, number or None, counts as a number)`` for a token text."""
    lower = text.lower()
    number = parse_number(text)
    info = (lower, number, number is not None or lower in NUMBER_WORDS or lower in ORDINAL_WORDS)
    _TOKEN_CACHE[text] = info
    return info


@dataclass
class DocIndex:
    """What the matcher found in a document, indexed by token position."""

    texts: list
    lowers: list
    numbers: list
    spaces: list
    starts: dict = field(default_factory=dict)   # label -> {start: (end, id)}
    covered: dict = field(default_factory=dict)  # label -> {token: (start, end, id)}
    sd_declared: bool = False
    se_declared: bool = False
    iqr_declared: bool = False
    abbreviations: dict = field(default_factory=dict)
    tp_sorted: list | None = None
    positions: list | None = None
    is_num: list | None = None


@dataclass
class Row:
    """One statistic while it is being assembled (token offsets, then fields)."""

    a: int
    b: int
    stat: str | None = None
    value: float | None = None
    fields: dict = field(default_factory=dict)
    pattern: str = ""
    link: Row | None = None
    percent: bool = False
    integer: bool = False


def build_index(texts, spaces, matches, labels, more_matches=None) -> DocIndex:
    """Index matcher output ``[(label, id, start, end)]`` by label and token position.

    ``more_matches(texts, lowers, numbers, is_num)``, when given, returns more matches.
    """
    # One cache lookup a token gives its lower case, its number and whether it counts as one.
    cache = _TOKEN_CACHE
    if len(cache) > 200_000:
        cache.clear()
    try:
        infos = list(map(cache.__getitem__, texts))  # C-speed when every token is known
    except KeyError:
        get = cache.get
        infos = [get(t) or _token_info(t) for t in texts]
    if infos:
        lowers, numbers, is_num = (list(column) for column in zip(*infos, strict=True))
    else:
        lowers, numbers, is_num = [], [], []
    index = DocIndex(texts=texts, lowers=lowers, numbers=numbers, spaces=spaces)
    index.is_num = is_num
    if more_matches is not None:
        matches = list(matches) + more_matches(texts, lowers, numbers, index.is_num)
    for label in labels:
        index.starts[label] = {}
        index.covered[label] = {}
    years = []
    for label, pid, start, end in matches:
        if label == "NOT_STAT" and pid == "year" and end - start == 1:
            years.append((label, pid, start, end))
            continue
        if label == "NOT_STAT" and pid == "year" and not _is_year_match(index, start, end):
            continue
        if label == "NOT_STAT" and pid == "inclusion_age" and start and \
                lowers[start - 1] in ("mean", "median", "average"):
            continue  # "mean age of 61.8 years" is a statistic
        best = index.starts[label].get(start)
        if best is None or best[0] < end:
            index.starts[label][start] = (end, pid)
        cover = index.covered[label]
        for i in range(start, end):
            old = cover.get(i)
            if old is None or old[1] - old[0] < end - start:
                cover[i] = (start, end, pid)
    # A lone four-digit number is a year when it reads as one: 1900-2100, counting nothing.
    nouns, units = index.starts["COUNT_NOUN"], index.starts["UNIT"]
    for _label, _pid, start, end in years:
        nxt = end if end < len(texts) else None
        if not _is_year_match(index, start, end) or start in index.covered["NOT_STAT"]:
            continue
        if nxt is not None and (nxt in nouns or nxt in units or texts[nxt] in ("%", "/")
                                or _noun_within(index, nxt)):
            continue
        index.starts["NOT_STAT"][start] = (end, "year")
        index.covered["NOT_STAT"][start] = (start, end, "year")
    # "95% CI", "95%-CI": the level before the interval's name.
    ci_starts = index.starts["CI"]
    for k in sorted(ci_starts):
        m = k - 1 if k and texts[k - 1] == "%" else k - 2 if k > 1 and texts[k - 1] == "-" \
            and texts[k - 2] == "%" else None
        if m is not None and m > 0 and numbers[m - 1] is not None:
            end, _ = ci_starts.pop(k)
            ci_starts[m - 1] = (end, "ci_level")
    spread = index.starts["SPREAD"]
    index.sd_declared = any(pid == "sd" for _, pid in spread.values())
    index.se_declared = any(pid == "se" for _, pid in spread.values())
    index.iqr_declared = any(pid == "iqr" for _, pid in index.starts["RANGE"].values())
    index.abbreviations = _abbreviations(index)
    return index


def _noun_within(index, k, span=3):
    """Tell whether a counted noun starts within ``span`` words of ``k`` (``2000 adult men``)."""
    for m in range(k, min(len(index.texts), k + span)):
        if m in index.starts["COUNT_NOUN"]:
            return True
        if not index.texts[m].isalpha():
            return False
    return False


def _is_year_match(index, start, end):
    for i in range(start, end):
        v = index.numbers[i]
        if v is not None and 1900 <= v <= 2100 and index.texts[i].isdigit():
            return True
    return False


def _abbreviations(index):
    """Abbreviations defined as ``long form (ABBR)`` whose long form ends in a counted noun."""
    found = {}
    texts = index.texts
    nouns = index.covered["COUNT_NOUN"]
    for i in range(2, len(texts) - 1):
        if texts[i - 1] == "(" and texts[i + 1] == ")" and texts[i].isupper() and len(texts[i]) > 1:
            hit = nouns.get(i - 2)
            if hit is not None and hit[1] == i - 1:
                found[texts[i]] = hit[2]
    return found


# --------------------------------------------------------------------------- numbers

def read_number(index, i, lo):
    """Read the number at token ``i`` with its sign; return ``(value, start, end)`` or None."""
    v = index.numbers[i]
    if v is None:
        return None
    a = i
    prev = i - 1
    if prev >= lo and index.texts[prev] in _MINUS_TOKENS and v >= 0:
        before = prev - 1
        if before < lo or (index.numbers[before] is None and index.texts[before] != "%"):
            v, a = -v, prev
    return v, a, i + 1


def read_number_words(index, i, hi):
    """Read a written number (``One hundred fifty-one``) at ``i``: ``(value, end)`` or None."""
    lowers = index.lowers
    if lowers[i] not in NUMBER_WORDS:
        return None
    j = i + 1
    while j < hi and (lowers[j] in NUMBER_WORDS or (
            lowers[j] in ("-", "and") and j + 1 < hi and lowers[j + 1] in NUMBER_WORDS)):
        j += 1
    value = words_to_number(index.texts[i:j])
    return None if value is None else (float(value), j)


# --------------------------------------------------------------------------- timepoints

@dataclass
class Timepoint:
    """A timepoint mention: token span, text as written and length in days."""

    a: int
    b: int
    text: str
    days: float | None


def find_timepoints(index, lo, hi, value_tokens):
    """Return the timepoints of tokens ``lo:hi`` (not those that are values)."""
    found = []
    texts = index.texts
    if index.tp_sorted is None:
        index.tp_sorted = sorted(index.starts["TIMEPOINT"])
    first = bisect_left(index.tp_sorted, lo)
    last = bisect_left(index.tp_sorted, hi)
    for start in index.tp_sorted[first:last]:
        end, pid = index.starts["TIMEPOINT"][start]
        if end > hi or start in value_tokens:
            continue
        if found and start < found[-1].b:
            continue
        text = _span_text(index, start, end)
        days = None
        if pid == "tp_baseline":
            days = 0.0
        elif pid == "tp_number_unit":
            value = index.numbers[start]
            if value is None:
                value = words_to_number([texts[start]]) or ordinal_value(texts[start])
            if value is None or (start > lo and "-" not in texts[start:end]
                                 and _is_value_context(index, start, lo)):
                continue
            if start > lo and texts[start - 1] in COMPARATORS:
                continue  # "(≥ 50 years)": an age limit, not a time
            if end < hi and index.lowers[end] in _DURATION_NOUNS:
                continue  # "in a 24-hour period": how long, not when
            per = unit_days(texts[end - 1])
            days = None if per is None else value * per
            # "Two- and 5-year", "at 1, 3, 5 years": earlier numbers share the unit.
            unit = texts[end - 1]
            hyphen = "-" in texts[start:end]
            items = [(k, v0) for k, v0 in coordinated_numbers(index, start, lo)
                     if k not in value_tokens]
            if items and per is not None:
                for sep, v0 in reversed(items):
                    one = unit[:-1] if v0 == 1 and unit.endswith("s") else unit
                    label = f"{_fmt(v0)}-{unit}" if hyphen else f"{_fmt(v0)} {one}"
                    found.append(Timepoint(sep, sep + 1, label, v0 * per))
                text = f"{_fmt(value)}-{unit}" if hyphen else f"{_fmt(value)} {unit}"
        elif pid == "tp_ordinal_unit":
            n = ordinal_value(texts[start])
            per = unit_days(texts[end - 1])
            days = None if n is None or per is None else n * per
        elif pid == "tp_unit_number":
            value = index.numbers[end - 1]
            per = unit_days(texts[start])
            days = None if value is None or per is None else value * per
        found.append(Timepoint(start, end, text, days))
    return found


def coordinated_numbers(index, start, lo):
    """Numbers listed before the one at ``start``: ``1, 3 and`` in ``1, 3 and 5 years``."""
    items = []
    k = start - 1
    lowers, texts = index.lowers, index.texts
    while k >= lo and len(items) < 8:
        sep = k
        while sep >= lo and lowers[sep] in (",", "and", "or", "-"):
            sep -= 1
        if sep == k or sep < lo:
            break
        v0 = index.numbers[sep]
        if v0 is None:
            v0 = words_to_number([texts[sep]])
        if v0 is None or v0 < 0:
            break
        items.append((sep, v0))
        k = sep - 1
    return items


def _fmt(value):
    return str(int(value)) if float(value).is_integer() else str(value)


_AFTER_TIME = {"after", "post", "following", "later", "postoperatively", "postoperative",
               "post-treatment", "posttreatment", "postprocedure", "post-procedure", "from"}


def _is_value_context(index, i, lo):
    """Tell whether the number at ``i`` is a value (``mean follow-up of 12.6 months``).

    ``6 months after surgery`` is a time even after ``mean``.
    """
    unit_end = i + 1
    while unit_end < len(index.texts) and unit_days(index.texts[unit_end]) is None \
            and unit_end < i + 3:
        unit_end += 1
    if unit_end + 1 < len(index.texts) and index.lowers[unit_end + 1] in _AFTER_TIME:
        return False
    for k in range(i - 1, max(lo, i - 8) - 1, -1):
        hit = index.covered["STAT_KEYWORD"].get(k)
        if hit is not None and hit[2] in ("mean", "median"):
            return True
        if index.texts[k] in (";", ".", ")") or index.numbers[k] is not None:
            return False
    return False


def _span_text(index, a, b):
    out = []
    for i in range(a, b):
        out.append(index.texts[i])
        if i < b - 1 and index.spaces[i]:
            out.append(" ")
    return "".join(out)


# --------------------------------------------------------------------------- attachments

def _read_pair(index, j, hi):
    """Read ``NUM (to|-|–) NUM`` at ``j``: ``(low, high, end)`` or None."""
    first = _signed(index, j, hi)
    if first is None:
        return None
    low, k = first
    if k < hi and index.lowers[k] in _RANGE_DASHES - {"and"}:
        second = _signed(index, k + 1, hi)
        if second is not None:
            return low, second[0], second[1]
    if k < hi and index.texts[k] == "," and k + 1 < hi:
        second = _signed(index, k + 1, hi)
        if second is not None:
            return low, second[0], second[1]
    return None


def _signed(index, j, hi):
    """Read a number with an optional detached sign at ``j``: ``(value, end)`` or None."""
    if j < hi and index.texts[j] in _MINUS_TOKENS and j + 1 < hi \
            and index.numbers[j + 1] is not None:
        return -index.numbers[j + 1], j + 2
    if j < hi and index.numbers[j] is not None:
        return index.numbers[j], j + 1
    return None


def _skip(index, j, hi, tokens=(":", ",", "=", "of", "was", "is", "were")):
    while j < hi:
        if index.lowers[j] in tokens:
            j += 1
        elif index.texts[j] in _OPEN and j + 2 < hi \
                and index.texts[j + 2] == _OPEN[index.texts[j]] \
                and index.texts[j + 1] in ("CI", "CIs", "SD", "SE", "IQR", "CrI"):
            j += 3  # "95% confidence interval [CI]: ..."
        else:
            break
    return j


def read_p_value(index, j, hi):
    """Read a p-value whose marker (``p <``) starts at ``j``.

    Returns ``(comparator, [values], value_start, end)`` or None.
    """
    end, pid = index.starts["P_VALUE"][j]
    comparator = COMPARATORS.get(index.texts[end - 1], "=") if pid == "p_sign" else "="
    k = end
    number = _signed(index, k, hi)
    if number is None:
        return None
    values = [number[0]]
    k = number[1]
    if k + 1 < hi and index.lowers[k] in ("-", "\u2013", "to") \
            and index.numbers[k + 1] is not None and index.numbers[k + 1] <= 1 and values[0] <= 1:
        values.append(index.numbers[k + 1])
        k += 2
    if any(v < 0 or v > 1 for v in values):
        return None
    return comparator, values, end, k


def read_attachments(index, row, j, hi, consumed, sentence_ci):
    """Read what follows a value at ``j``: spread, CI, range, fraction, p-values.

    Fills ``row.fields`` and returns ``(text_end, new_p_rows)``.
    """
    fields = row.fields
    texts = index.texts
    text_end = j
    p_rows = []
    while j < hi:
        t = texts[j]
        if t in _PM:
            number = _signed(index, j + 1, hi)
            if number is None or number[0] < 0:
                break  # "± −2.00" is no spread
            fields["se" if index.se_declared and not index.sd_declared else "sd"] = number[0]
            j = text_end = number[1]
            unit = index.starts["UNIT"].get(j)
            if unit is not None and "unit" not in fields:
                fields["unit"] = _span_text(index, j, unit[0])
                j = text_end = unit[0]
            elif j < hi and unit_days(texts[j]) is not None and "unit" not in fields:
                fields["unit"] = texts[j]
                j = text_end = j + 1
            continue
        if t in _OPEN:
            close = _OPEN[t]
            end = _matching(index, j, hi, t, close)
            if end is None:
                break
            got, last, ps = _read_items(index, row, j + 1, end, consumed)
            p_rows.extend(ps)
            if not got:
                break
            text_end = last
            j = end + 1
            continue
        if t in _ITEM_SEPARATORS and j + 1 < hi:
            k = j + 1
            if k in index.starts["P_VALUE"]:
                p = read_p_value(index, k, hi)
                if p is None:
                    break
                p_rows.extend(_p_rows(index, p, k, row))
                consumed.update(range(k, p[3]))
                j = p[3]
                continue
            if k in index.starts["CI"] or k in index.starts["RANGE"] or k in index.starts["SPREAD"]:
                got, last = _read_item(index, row, k, hi)
                if not got:
                    break
                j = text_end = last
                continue
            if sentence_ci and "ci_low" not in fields:
                pair = _read_pair(index, k, hi)
                if pair is not None:
                    fields["ci_low"], fields["ci_high"] = pair[0], pair[1]
                    if sentence_ci[1] is not None:
                        fields["ci_level"] = sentence_ci[1]
                    j = text_end = pair[2]
                    continue
        break
    return text_end, p_rows


def _matching(index, j, hi, opener, closer):
    depth = 0
    for k in range(j, min(hi, j + 60)):
        t = index.texts[k]
        if t == opener:
            depth += 1
        elif t == closer:
            depth -= 1
            if depth == 0:
                return k
    return None


def _read_items(index, row, j, end, consumed):
    """Read the items inside brackets ``j:end``; return ``(any, last_end, p_rows)``."""
    got = False
    last = j
    p_rows = []
    k = j
    last_was_p = False
    while k < end:
        if k in index.starts["P_VALUE"]:
            p = read_p_value(index, k, end)
            if p is None:
                return got, last, p_rows
            p_rows.extend(_p_rows(index, p, k, row))
            consumed.update(range(k, p[3]))
            k = p[3]
            last_was_p = True
        else:
            last_was_p = False
            ok, stop = _read_item(index, row, k, end)
            if not ok:
                return got, last, p_rows
            got = True
            last = k = stop
            if k < end and index.texts[k] in ("]", ")") and k + 1 < end:
                k += 1
        if k < end and index.texts[k] in _ITEM_SEPARATORS:
            k += 1
            continue
        if k >= end:
            # The text ends with the closing bracket, or before a trailing p-value.
            last = max(last, end + 1) if got and not last_was_p else last
            break
        return got, last, p_rows
    return got, last, p_rows


def _read_item(index, row, k, end):
    """Read one attachment at ``k``; return ``(understood, end_of_item)``."""
    fields = row.fields
    texts, lowers = index.texts, index.lowers
    if texts[k] in _PM:
        number = _signed(index, k + 1, end)
        if number is None or number[0] < 0:
            return False, k
        fields["se" if index.se_declared and not index.sd_declared else "sd"] = number[0]
        return True, number[1]
    spread = index.starts["SPREAD"].get(k)
    if spread is not None and spread[1] in ("sd", "se"):
        m = _skip(index, spread[0], end)
        number = _signed(index, m, end)
        if number is None:
            return False, k
        fields[spread[1]] = number[0]
        return True, number[1]
    ci = index.starts["CI"].get(k)
    if ci is not None:
        m = _skip(index, ci[0], end)
        pair = _read_pair(index, m, end)
        if pair is None:
            return False, k
        fields["ci_low"], fields["ci_high"] = pair[0], pair[1]
        level = index.numbers[k] if ci[1] == "ci_level" else None
        fields["ci_level"] = level / 100 if level is not None else 0.95
        return True, _after_percent_pair(index, pair[2], end)
    rng = index.starts["RANGE"].get(k)
    if rng is not None:
        m = _skip(index, rng[0], end)
        pair = _read_pair(index, m, end)
        if pair is None:
            return False, k
        key = "iqr" if rng[1] == "iqr" else "range"
        fields[f"{key}_low"], fields[f"{key}_high"] = pair[0], pair[1]
        return True, pair[2]
    if lowers[k] in ("n", "total") and k + 2 < end:
        m = k + 1 if lowers[k] == "n" else k + 2
        if texts[m] == "=" and index.numbers[m + 1] is not None \
                and float(index.numbers[m + 1]).is_integer():
            fields["count" if row.percent and "count" not in fields else "total"] = \
                int(index.numbers[m + 1])
            return True, m + 2
        return False, k
    if lowers[k] in ("out", "of") :
        m = k + 2 if lowers[k] == "out" and k + 1 < end and lowers[k + 1] == "of" else k + 1
        if m < end and index.numbers[m] is not None and row.integer \
                and float(index.numbers[m]).is_integer():
            fields["count"] = int(row.value)
            fields["total"] = int(index.numbers[m])
            stop = m + 1
            stop = _skip_noun(index, stop, end)
            if stop < end and texts[stop] in _OPEN:
                close = _matching(index, stop, end + 1, texts[stop], _OPEN[texts[stop]])
                if close is not None and close - stop == 3 and texts[stop + 2] == "%":
                    pct = index.numbers[stop + 1]
                    if pct is not None:
                        fields["percent"] = pct / 100
                        stop = close + 1
            return True, stop
        return False, k
    number = _signed(index, k, end)
    if number is None:
        return False, k
    value, m = number
    if m < end and texts[m] == "/" and m + 1 < end and index.numbers[m + 1] is not None:
        total = index.numbers[m + 1]
        if not (float(value).is_integer() and float(total).is_integer() and 0 <= value <= total):
            return False, k
        fields["count"], fields["total"] = int(value), int(total)
        return True, m + 2
    if m < end and texts[m] == "%":
        fields["percent"] = value / 100
        return True, m + 1
    pair = _read_pair(index, k, end)
    if pair is not None and (pair[2] == end or texts[pair[2]] in _ITEM_SEPARATORS):
        if row.stat in _ESTIMATES or (row.stat == "proportion" and not row.percent):
            fields["ci_low"], fields["ci_high"] = pair[0], pair[1]
            fields.setdefault("ci_level", 0.95)
        elif row.stat == "median" or "sd" in fields or "se" in fields:
            # "median 6 (3–12)", "3.8 ± 1.9 (1-8)": a range (IQR when the abstract says so)
            key = "iqr" if index.iqr_declared and row.stat == "median" else "range"
            fields[f"{key}_low"], fields[f"{key}_high"] = pair[0], pair[1]
        else:
            return False, k
        return True, _after_percent_pair(index, pair[2], end)
    if m == end and not row.percent and not row.integer and abs(value) < abs(row.value or 0) + 1e9:
        if index.se_declared and not index.sd_declared:
            fields["se"] = value
            return True, m
        if index.sd_declared:
            fields["sd"] = value
            return True, m
    return False, k


def _after_percent_pair(index, k, end):
    return k + 1 if k < end and index.texts[k] == "%" else k


def _skip_noun(index, k, end):
    hit = index.starts["COUNT_NOUN"].get(k)
    if hit is not None:
        return hit[0]
    if k < end and index.texts[k] in index.abbreviations:
        return k + 1
    return k


def _p_rows(index, p, k, linked):
    comparator, values, _value_start, end = p
    rows = []
    for value in values:
        r = Row(a=k, b=end, stat="p_value", value=value, pattern="p_value/" +
                index.starts["P_VALUE"][k][1])
        r.fields["comparator"] = comparator
        r.link = linked
        rows.append(r)
    return rows


# --------------------------------------------------------------------------- the scan

def nearest_keyword(index, a, lo, window=12):
    """Return ``(stat, distance, start, end)`` of the nearest keyword before ``a``."""
    cover = index.covered["STAT_KEYWORD"]
    for k in range(a - 1, max(lo, a - window) - 1, -1):
        if index.texts[k] in (";",):
            return None
        hit = cover.get(k)
        if hit is not None:
            return hit[2], a - hit[1], hit[0], hit[1]
    return None


def keyword_after(index, b, hi, window=1):
    """Return the stat of a keyword within ``window`` tokens after ``b``, or None."""
    cover = index.covered["STAT_KEYWORD"]
    for k in range(b, min(hi, b + window)):
        hit = cover.get(k)
        if hit is not None:
            return hit[2]
        if index.numbers[k] is not None or index.texts[k] in (";", "(", ")"):
            return None
    return None


def _noun_after(index, j, hi, max_modifiers=3):
    """Find ``[modifiers] counted-noun`` at ``j``: return ``(unit_text, end)`` or None."""
    texts, lowers = index.texts, index.lowers
    if j < hi and texts[j] == "-":
        return None  # "three-arm trial", "12-lead ECG": a compound adjective, not a count
    k = j
    for _ in range(max_modifiers + 1):
        if k >= hi:
            return None
        hit = index.starts["COUNT_NOUN"].get(k)
        if hit is not None:
            return _span_text(index, j, hit[0]), hit[0]
        if texts[k] in index.abbreviations:
            return _span_text(index, j, k + 1), k + 1
        t = texts[k]
        if lowers[k] in _MODIFIER_STOP or not (t.isalpha() or t == "-" or t.isupper()):
            return None
        if index.covered["UNIT"].get(k) is not None or unit_days(t) is not None:
            return None
        k += 1
    return None


def scan_sentence(index, lo, hi):
    """Return the :class:`Row` s of the statistics in tokens ``lo:hi`` (one sentence)."""
    texts, numbers = index.texts, index.numbers
    rows = []
    last_main = None
    consumed = set()
    sentence_ci = None
    not_stat = index.covered["NOT_STAT"]
    tps = index.starts["TIMEPOINT"]
    positions = index.positions
    if positions is None:
        # Only tokens where something can start are visited: numbers and rule matches.
        starts = index.starts
        found = {k for k, flag in enumerate(index.is_num) if flag}
        for label in ("P_VALUE", "NOT_STAT", "CI", "TIMEPOINT"):
            found.update(starts[label])
        positions = index.positions = sorted(found)
    cursor = bisect_left(positions, lo)
    i = lo
    while i < hi:
        if cursor < len(positions) and positions[cursor] < i:
            cursor = bisect_left(positions, i, cursor)
        if cursor >= len(positions) or positions[cursor] >= hi:
            break
        i = positions[cursor]
        if i in consumed:
            i += 1
            continue
        if i in index.starts["P_VALUE"]:
            p = read_p_value(index, i, hi)
            if p is not None:
                rows.extend(_p_rows(index, p, i, last_main))
                consumed.update(range(i, p[3]))
                i = p[3]
                continue
        hit = not_stat.get(i)
        if hit is not None:
            i = hit[1]
            continue
        ci = index.starts["CI"].get(i)
        if ci is not None:
            level = numbers[i] / 100 if ci[1] == "ci_level" and numbers[i] else None
            if sentence_ci is None or level is not None:
                sentence_ci = (i, level if level is not None else 0.95)
            i = ci[0]
            continue
        tp = tps.get(i)
        if tp is not None and tp[1] == "tp_number_unit" and not _is_value_context(index, i, lo):
            for k, _v in coordinated_numbers(index, i, lo):
                if k not in consumed and not any(r.a <= k < r.b for r in rows[-3:]):
                    rows[:] = [r for r in rows if not (r.a == k and r.b == k + 1)]
                    consumed.add(k)
        if tp is not None and (tp[1] != "tp_number_unit" or "-" in texts[i:tp[0]]
                               or not _is_value_context(index, i, lo)):
            if tp[1] == "tp_number_unit" and tp[0] < hi and texts[tp[0]] in _PM:
                pass  # "12.6 months ± 3.1": a value after all
            else:
                i = tp[0]
                continue
        if numbers[i] is None and index.lowers[i] not in NUMBER_WORDS:
            i += 1
            continue
        row, i = _scan_value(index, i, lo, hi, consumed, sentence_ci, rows)
        if row is not None:
            rows.extend(row)
            last_main = next((r for r in row if r.stat != "p_value"), last_main)
    _percent_lists(index, rows, lo, consumed)
    _post_process(index, rows, lo, hi)
    return rows


def _names_a_number(word):
    """Tell whether ``word`` before a number makes it a label (``Experiment 1``, ``dose 2``)."""
    return word.isalpha() and (word[0].isupper() or word.lower() in _LABEL_NOUNS)


def _percent_lists(index, rows, lo, consumed):
    """``rates were 78.2, 48.3 and 18.3%``: one ``%`` after a list applies to each number.

    The bare numbers (0 to 100, no row of their own) separated by commas or ``and`` right
    before a percentage become rows of the same statistic.
    """
    texts, numbers = index.texts, index.numbers
    not_stat = index.covered["NOT_STAT"]
    timepoints = index.covered["TIMEPOINT"]
    taken = set()
    for r in rows:
        taken.update(range(r.a, r.b))
    family = _UNIT_RANGE_STATS | {"proportion"}
    added = []
    for r in rows:
        if not r.percent or r.stat not in family or "count" in r.fields:
            continue
        k = r.a - 1
        found = []
        while k > lo:
            gap = 0
            while k > lo and texts[k] in (",", "and") and gap < 2:
                k -= 1
                gap += 1
            v = numbers[k]
            if gap == 0 or v is None or not 0 <= v <= 100 or k in taken or k in consumed \
                    or k in not_stat or k in timepoints or texts[k - 1] in COMPARATORS \
                    or texts[k - 1] in _PM or _names_a_number(texts[k - 1]):
                break
            found.append(k)
            k -= 1
        for k in found:
            extra = Row(a=k, b=k + 1, stat=r.stat, value=numbers[k] / 100,
                        pattern=f"{r.stat}/percent_list", percent=True)
            added.append(extra)
    if added:
        rows.extend(added)
        rows.sort(key=lambda row: row.a)


def _scan_value(index, i, lo, hi, consumed, sentence_ci, rows):
    """Read the statistic whose number starts at ``i``; return ``(rows or None, next i)``."""
    texts, lowers, numbers = index.texts, index.lowers, index.numbers
    number = read_number(index, i, lo)
    words = False
    if number is None:
        written = read_number_words(index, i, hi)
        if written is None:
            return None, i + 1
        v, a, b = written[0], i, written[1]
        words = True
    else:
        v, a, b = number
    row = Row(a=a, b=b, value=v)
    row.integer = float(v).is_integer() and "." not in texts[b - 1] and "\u00b7" not in texts[b - 1]
    fields = row.fields
    shape = "number"
    # A comparator before the number: "< 47.5 mg/ml", "AUCs higher than 0.70".
    if a - 1 >= lo and texts[a - 1] in COMPARATORS:
        if a - 2 >= lo and lowers[a - 2] == "n" and texts[a - 1] == "=":
            row.a = a - 3 if a - 3 >= lo and lowers[a - 3] == "total" else a - 2
            # "n = 5 948 342": thousands separated by spaces.
            while b < hi and len(texts[b]) == 3 and texts[b].isdigit() and v < 1e12 \
                    and index.spaces[b - 1]:
                v = v * 1000 + int(texts[b])
                b += 1
            row.value, row.b = v, b
            fields["unit"] = _nearest_noun_before(index, row.a, lo)
            row.stat, row.pattern = "sample_size", "sample_size/n_equals"
            return [row] if row.integer else None, b
        if texts[a - 1] != "=":
            fields["comparator"] = COMPARATORS[texts[a - 1]]
            row.a = a - 1
    else:
        for words_ in _WORD_COMPARATORS:
            n = len(words_)
            if a - n >= lo and tuple(lowers[a - n:a]) == words_:
                fields["comparator"] = _WORD_COMPARATORS[words_]
                row.a = a - n
                break
    if words:
        noun = _noun_after(index, b, hi)
        if noun is None:
            return None, b
    j = b
    unit_kind = None
    if j < hi and texts[j] == "%":
        row.percent = True
        shape = "percent"
        j += 1
    elif _on_a_scale(index, row, j, lo, hi):
        j += 2  # "7.1/10": a score with the top of its scale, not a count out of a total
        shape = "scale"
    elif j + 1 < hi and texts[j] == "/" and numbers[j + 1] is not None and row.integer:
        fields["count"], fields["total"] = int(v), int(numbers[j + 1])
        shape = "n_of_N"
        j += 2
    else:
        unit = index.starts["UNIT"].get(j)
        if unit is None and j + 2 < hi and texts[j] in _RANGE_DASHES - {"and"} \
                and numbers[j + 1] is not None and j + 2 in index.starts["UNIT"]:
            # "45∼50 mg/ml": two values sharing one unit.
            unit_end = index.starts["UNIT"][j + 2][0]
            unit_text = _span_text(index, j + 2, unit_end)
            out = []
            for value in (v, numbers[j + 1]):
                r = Row(a=row.a, b=unit_end, stat="quantity", value=value,
                        pattern="quantity/range_unit")
                r.fields["unit"] = unit_text
                out.append(r)
            return out, unit_end
        if unit is not None:
            fields["unit"] = _span_text(index, j, unit[0])
            unit_kind = "measure"
            j = unit[0]
        elif j < hi and unit_days(texts[j]) is not None:
            fields["unit"] = texts[j]
            unit_kind = "time"
            j += 1
        else:
            noun = _noun_after(index, j, hi)
            if noun is not None and row.integer and v >= 0:
                fields["unit"] = noun[0]
                unit_kind = "count"
                j = noun[1]
    kw = nearest_keyword(index, row.a, lo)
    kw_stat = kw[0] if kw else None
    kw_dist = kw[1] if kw else 99
    if kw_stat in ("mean", "median") and any(numbers[k] is not None for k in range(kw[3], row.a)):
        kw_dist = 99  # "median age 61 years, and 12 ...": the keyword belongs to another number
    after = keyword_after(index, j, hi)
    prelim = None
    if kw_stat in ("mean", "median") and kw_dist <= 8:
        prelim = kw_stat
    elif kw_stat in _ESTIMATES and kw_dist <= 12:
        prelim = kw_stat
    elif kw_stat == "proportion" and not row.percent and v <= 1 and kw_dist <= 10 \
            and not row.integer:
        prelim = "proportion"
    row.stat = prelim
    text_end, p_rows = read_attachments(index, row, j, hi, consumed, sentence_ci)
    text_end = max(text_end, j)
    if shape == "scale" and "range_low" not in fields:
        text_end = _scale_range(index, row, text_end, hi)
    # "64 (64/74; 86.5%) patients": the counted noun after the brackets.
    if unit_kind is None and ("percent" in fields or "count" in fields or row.percent):
        noun = _noun_after(index, text_end, hi, max_modifiers=0)
        if noun is not None:
            fields["unit"] = noun[0]
            unit_kind = "count"
            text_end = noun[1]
    stat, pattern = _classify(index, row, unit_kind, kw_stat, kw_dist, after, lo, shape)
    if shape == "scale" and stat not in ("mean", "median"):
        # A score out of 10 or 100 reported alone is an average: a median when so named.
        stat = "median" if kw_stat == "median" else "mean"
        pattern = f"{stat}/scale_score"
    if stat is None and not p_rows and row.integer and not fields and b < hi:
        enumerated = _enumerated_count(index, row, rows, lo)
        if enumerated is not None:
            return [enumerated], enumerated.b
    if stat is None:
        if p_rows:
            for p in p_rows:
                p.link = None
            return p_rows, max(text_end, p_rows[-1].b)
        return None, max(b, text_end if fields else b)
    row.stat, row.pattern = stat, pattern
    if stat == "proportion" and "total" not in fields and "count" in fields:
        _count_of_total(index, row, lo)
        k = text_end
        if "total" not in fields and k + 1 < hi and index.lowers[k] == "of" \
                and numbers[k + 1] is not None and float(numbers[k + 1]).is_integer() \
                and fields["count"] <= numbers[k + 1]:
            fields["total"] = int(numbers[k + 1])  # "12 (30%) of 40 patients"
    row.b = text_end
    consumed.update(range(row.a, text_end))
    end = max([text_end] + [p.b for p in p_rows])
    return [row] + p_rows, end


def _on_a_scale(index, row, j, lo, hi):
    """Tell whether ``/10`` or ``/100`` at ``j`` gives the scale of a mean or median score.

    ``7.1/10`` (a decimal cannot count anything), or ``mean score 7/10``.
    """
    texts = index.texts
    if not (j + 1 < hi and texts[j] == "/" and texts[j + 1] in ("10", "100")
            and 0 <= row.value <= index.numbers[j + 1]):
        return False
    if j + 2 < hi and (texts[j + 2] in ("/", "%") or (
            texts[j + 2][:1].isalpha() and index.lowers[j + 2] not in _AFTER_SCORE)):
        return False  # "3/10/2015", "7/10 (70%)", "36.6/100 person-years", "7/10 lesions"
    if not row.integer:
        return True
    kw = nearest_keyword(index, row.a, lo)
    return kw is not None and kw[0] in ("mean", "median") and kw[1] <= 8


def _scale_range(index, row, k, hi):
    """``7.1/10 with a range of 4/10 to 10/10``: the range of a score, on the same scale."""
    texts, lowers, numbers = index.texts, index.lowers, index.numbers
    scale = texts[row.b + 1]
    start = k
    while k < hi and k - start < 5 and lowers[k] in ("with", "a", "(", "[", "range", "of", ",",
                                                     ":"):
        k += 1
    if "range" not in lowers[start:k]:
        return start
    m = k
    if m + 6 < hi and numbers[m] is not None and texts[m + 1] == "/" \
            and texts[m + 2] == scale and texts[m + 3] in _RANGE_DASHES - {"and"} \
            and numbers[m + 4] is not None and texts[m + 5] == "/" and texts[m + 6] == scale \
            and numbers[m] <= numbers[m + 4]:
        end = m + 7
        if texts[start] in _OPEN:  # "(range, 3/10-9/10)", "(range 3/10-9/10; p = 0.01)"
            if end >= hi or texts[end] not in (_OPEN[texts[start]], ";", ","):
                return start
            end += texts[end] == _OPEN[texts[start]]
        row.fields["range_low"], row.fields["range_high"] = numbers[m], numbers[m + 4]
        return end
    return start


def _count_of_total(index, row, lo):
    """``3 of 55 (5%) patients``, ``134 of the 418 patients (32%)``: count out of a total."""
    lowers = index.lowers
    k = row.a - 1
    if k >= lo and lowers[k] == "the":
        k -= 1
    if k < lo or lowers[k] != "of":
        return
    m = k - 1
    if m >= lo and lowers[m] == "out":
        m -= 1
    if m < lo:
        return
    count = index.numbers[m]
    if count is None:
        count = words_to_number([index.texts[m]])
    total = row.fields["count"]
    if count is None or not float(count).is_integer() or not 0 <= count <= total:
        return
    row.fields["count"], row.fields["total"] = int(count), int(total)
    row.a = m
    row.pattern = "proportion/count_of_total"


def _enumerated_count(index, row, rows, lo):
    """Read ``2 major`` in ``9 complications (out of 105 SM; 2 major and 7 minor)``.

    A number followed by a word, inside brackets that open right after a count of some
    noun, counts a kind of that noun.
    """
    texts = index.texts
    depth = 0
    opener = None
    for k in range(row.a - 1, max(lo, row.a - _LOOKBACK) - 1, -1):
        if texts[k] in (")", "]"):
            depth += 1
        elif texts[k] in ("(", "["):
            if depth == 0:
                opener = k
                break
            depth -= 1
    if opener is None:
        return None
    owner = next((r for r in reversed(rows[-8:]) if r.stat in ("sample_size", "proportion")
                  and r.fields.get("unit") and r.a < opener <= r.b + 1), None)
    word = texts[row.b]
    if owner is None or not word.isalpha() or index.lowers[row.b] in _MODIFIER_STOP:
        return None
    noun = owner.fields["unit"].split()[-1]
    out = Row(a=row.a, b=row.b + 1, stat="sample_size", value=row.value,
              pattern="sample_size/enumerated")
    out.fields["unit"] = f"{word} {noun}"
    return out


def _nearest_noun_before(index, a, lo):
    for k in range(a - 1, max(lo, a - _LOOKBACK) - 1, -1):
        hit = index.covered["COUNT_NOUN"].get(k)
        if hit is not None:
            return hit[2]
    return None


def _classify(index, row, unit_kind, kw_stat, kw_dist, after, lo, shape):
    """Decide the ``stat`` of an assembled value; return ``(stat, pattern_id)``."""
    f = row.fields
    v = row.value
    texts, lowers = index.texts, index.lowers
    if row.percent and not 0 <= v <= 100:
        # "rose by 1,267 %", "a change of −2.00 %": a relative change, no proportion.
        f["unit"] = "%"
        return "quantity", "quantity/percent_change"
    if row.percent:
        row.value = v / 100
        for key in ("ci_low", "ci_high"):
            if key in f:
                f[key] = f[key] / 100
        if kw_stat in _DIAGNOSTIC | {"i2"} and kw_dist <= 6:
            return kw_stat, f"{kw_stat}/percent_keyword"
        if after in _DIAGNOSTIC or after == "i2":
            return after, f"{after}/percent_keyword_after"
        if "count" not in f and "percent" in f:
            f.pop("percent")
        return "proportion", "proportion/percent"
    if shape == "n_of_N":
        if not 0 <= f["count"] <= f["total"] or f["total"] == 0:
            return None, ""  # "2/3 grade", "7/3": no count out of a total
        if "comparator" in f or (f["total"] in (5, 10, 100) and "percent" not in f and any(
                k in index.covered["OUTCOME"] for k in range(max(lo, row.a - 8), row.a))):
            return None, ""  # "pain ≥ 4/10", "VAS 7/10": a score on a scale, not a count
        pct = f.pop("percent", None)
        if pct is not None and not 0 <= pct <= 1:
            pct = None  # "4/42 (1011%)": a misprinted percentage; the counts stand
        row.value = pct if pct is not None else f["count"] / f["total"]
        return "proportion", "proportion/n_of_N"
    if "percent" in f and (not row.integer or unit_kind == "measure" or v < 0
                           or not 0 <= f["percent"] <= 1):
        f.pop("percent")  # "€44.18 (−37.6%)", "192.1 Nm (335.7%)": a change, not n (x%)
    if "percent" in f or ("count" in f and "total" in f and unit_kind in ("count", None)):
        pct = f.pop("percent", None)
        if "count" not in f:
            f["count"] = int(v)
        f["count"] = int(f["count"])
        f["total"] = int(f["total"]) if "total" in f else None
        if f["total"] is None:
            f.pop("total")
        if "total" in f and not 0 <= f["count"] <= f["total"]:
            return None, ""
        if pct is None and f.get("total"):
            pct = f["count"] / f["total"]
        if pct is None:
            return None, ""
        row.value = pct
        return "proportion", "proportion/count_brackets"
    mean_word = kw_stat in ("mean", "median") and kw_dist <= 2
    if unit_kind == "count" and row.integer and not mean_word:
        return "sample_size", "sample_size/count_noun"
    if kw_stat in ("mean", "median") and kw_dist <= 8:
        return kw_stat, f"{kw_stat}/keyword"
    if after in _UNIT_RANGE_STATS and 0 <= v <= 1 and unit_kind is None:
        return after, f"{after}/keyword_after"  # "0.999 AUC, 0.986 accuracy"
    if row.a - 1 >= lo and lowers[row.a - 1] == "by" and any(
            lowers[k] in _COMPARATIVES for k in range(max(lo, row.a - _LOOKBACK), row.a)):
        return "mean_difference", "mean_difference/by_comparative"
    has_spread = "sd" in f or "se" in f
    has_ci = "ci_low" in f
    if kw_stat in _ESTIMATES:
        if _plausible(kw_stat, v) and (has_ci or has_spread or kw_dist <= 12):
            return kw_stat, f"{kw_stat}/keyword"
    if kw_stat == "proportion" and 0 <= v <= 1 and not row.integer and (has_ci or kw_dist <= 10):
        return "proportion", "proportion/keyword_decimal"
    if has_spread and not row.integer or has_spread:
        if kw_stat == "mean_difference" and kw_dist <= 12:
            return "mean_difference", "mean_difference/keyword"
        return "mean", "mean/spread"
    if has_ci and any(lowers[k] in ("difference", "differences", "change")
                      for k in range(max(lo, row.a - 3), row.a)):
        return "mean_difference", "mean_difference/difference_ci"
    if has_ci:
        # An estimate with its CI: the statistic named anywhere before it in the sentence.
        wide = nearest_keyword(index, row.a, lo, window=_LOOKBACK)
        if wide is not None and wide[0] in _ESTIMATES and _plausible(wide[0], v):
            return wide[0], f"{wide[0]}/keyword_ci"
        return "coefficient", "coefficient/ci"
    if unit_kind == "measure":
        return "quantity", "quantity/unit"
    if "comparator" in f and row.a < len(texts) and texts[row.a] in COMPARATORS:
        return "quantity", "quantity/threshold"
    return None, ""


def _plausible(stat, v):
    if stat in _UNIT_RANGE_STATS:
        return 0 <= v <= 1
    if stat == "correlation":
        return -1 <= v <= 1
    if stat in ("odds_ratio", "risk_ratio", "hazard_ratio"):
        return v > 0
    if stat == "i2":
        return 0 <= v <= 100
    return True


# --------------------------------------------------------------------------- context

def _post_process(index, rows, lo, hi):
    """Attach totals, timepoints, outcomes and groups to the rows of one sentence."""
    if not rows:
        return
    main = [r for r in rows if r.stat != "p_value"]
    # The n of a mean: the first count of the sentence before it.
    counts = []
    for r in main:
        if r.stat == "sample_size":
            counts.append((r.a, int(r.value)))
        elif r.stat == "proportion" and "count" in r.fields and r.fields.get("unit"):
            counts.append((r.a, int(r.fields["count"])))
    for r in main:
        if r.stat == "mean" and "total" not in r.fields and counts and counts[0][0] < r.a:
            r.fields["total"] = counts[0][1]
    # "2.84% for Chinese men (total n = 1267": the total of a bare percentage.
    for k, r in enumerate(main):
        if r.stat == "sample_size" and index.lowers[r.a] == "total" and k:
            prev = main[k - 1]
            if prev.stat == "proportion" and "total" not in prev.fields and r.a - prev.b <= 8:
                prev.fields["total"] = int(r.value)
    # A median without unit next to a mean with one: "(mean 14.7 ± 19.6 months; median 6)".
    for k, r in enumerate(main):
        if r.stat in ("median", "mean") and "unit" not in r.fields and k:
            prev = main[k - 1]
            if prev.stat in ("mean", "median") and prev.fields.get("unit") and r.a - prev.b <= 4:
                r.fields["unit"] = prev.fields["unit"]
    runs = _runs(index, main)
    # A list of values after a list of keywords of the same length reads in order, with or
    # without "respectively" ("sensitivity and specificity were 79% and 100%").
    _distribute_keywords(index, runs, lo, hi)
    if all(len(run) == 1 for run in runs):
        rows[:] = _shared_value(index, rows, main, lo)
        main = [r for r in rows if r.stat != "p_value"]
        runs = _runs(index, main)
    _assign_timepoints(index, rows, main, runs, lo, hi)
    _assign_outcomes(index, main, lo, hi, runs)
    _assign_groups(index, main, runs, lo, hi)
    for r in rows:
        if r.stat == "p_value" and r.link is not None:
            for key in ("outcome", "timepoint", "timepoint_days", "group"):
                if key in r.link.fields:
                    r.fields[key] = r.link.fields[key]
    _p_value_context(index, rows, lo)


def _shared_value(index, rows, main, lo):
    """``sensitivity and specificity were 100%``: one value stated for a list of statistics.

    When the only fraction of a sentence (proportion or diagnostic statistic) follows a list
    of diagnostic keywords, it gets one row for each keyword of the list.
    """
    fractions = [r for r in main if r.stat in _UNIT_RANGE_STATS | {"proportion"}]
    if len(fractions) != 1 or "count" in fractions[0].fields or "total" in fractions[0].fields:
        return rows
    row = fractions[0]
    lists = [kl for kl in _keyword_lists(index, lo, row.a)
             if all(stat in _UNIT_RANGE_STATS for stat in kl)
             and (row.stat in kl or row.stat == "proportion")]
    if len(lists) != 1 or not 0 <= row.value <= 1:
        return rows
    out = []
    for r in rows:
        if r is not row:
            out.append(r)
            continue
        for stat in dict.fromkeys(lists[0]):
            twin = Row(a=r.a, b=r.b, stat=stat, value=r.value, fields=dict(r.fields),
                       pattern=f"{stat}/shared_value", link=r.link, percent=r.percent,
                       integer=r.integer)
            out.append(r if stat == r.stat else twin)
            if stat == r.stat:
                r.pattern = f"{stat}/shared_value"
    return out


def _keyword_lists(index, lo, hi):
    """Find lists of statistic keywords: ``sensitivity, specificity and accuracy``."""
    lists, current, last_end = [], [], None
    cover = index.starts["STAT_KEYWORD"]
    k = lo
    while k < hi:
        hit = cover.get(k)
        if hit is not None:
            gap = index.lowers[last_end:k] if last_end is not None else []
            if current and all(t in (",", "and", "or", "/", "the") for t in gap) and len(gap) <= 3:
                current.append(hit[1])
            else:
                if len(current) >= 2:
                    lists.append(current)
                current = [hit[1]]
            last_end = k = hit[0]
            continue
        k += 1
    if len(current) >= 2:
        lists.append(current)
    return lists


def _distribute_keywords(index, runs, lo, hi):
    """``sensitivity, specificity and accuracy were 87%, 96% and 90%, respectively``."""
    lists = [kl for kl in _keyword_lists(index, lo, hi)
             if all(stat in _UNIT_RANGE_STATS | {"proportion"} for stat in kl)]
    if not lists:
        return
    kind = "keyword_list_respectively" if "respectively" in index.lowers[lo:hi] \
        else "keyword_list"
    for run in runs:
        for stats in lists:
            if len(stats) == len(run) and all(r.stat in _UNIT_RANGE_STATS | {"proportion"}
                                              and 0 <= r.value <= 1 for r in run):
                for r, stat in zip(run, stats, strict=True):
                    r.stat = stat
                    r.pattern = f"{stat}/{kind}"
                break


def _runs(index, main):
    """Group rows written as a list (``87% and 71%``, ``83.6% vs. 73.5%``)."""
    runs = []
    for r in main:
        if runs:
            last = runs[-1][-1]
            gap = _outside_brackets(index.lowers[last.b:r.a])
            family = _UNIT_RANGE_STATS | {"proportion"}
            same = last.stat == r.stat or (last.stat in family and r.stat in family)
            if same and all(t in _RUN_GAP for t in gap) and len(gap) <= 3:
                runs[-1].append(r)
                continue
        runs.append([r])
    return runs


def _outside_brackets(tokens):
    """Return the tokens not inside brackets: ``5.1 (P < .0001), 4.0`` is still a list."""
    out, depth = [], 0
    for t in tokens:
        if t in ("(", "["):
            depth += 1
        elif t in (")", "]") and depth:
            depth -= 1
        elif not depth:
            out.append(t)
    return out if not depth else tokens


def _assign_timepoints(index, rows, main, runs, lo, hi):
    value_tokens = set()
    for r in main:
        value_tokens.update(range(r.a, r.b))
    tps = find_timepoints(index, lo, hi, value_tokens)
    if not tps:
        return
    respectively = "respectively" in index.lowers[lo:hi]
    done = set()
    if respectively:
        groups = _coordinated(tps)
        for run in runs:
            for group in groups:
                if len(group) == len(run) >= 2:
                    for r, tp in zip(run, group, strict=True):
                        _set_tp(r, tp)
                        done.add(id(r))
                    break
    tp_starts = [tp.a for tp in tps]
    tp_ends = {tp.b: tp for tp in tps}
    for k, r in enumerate(main):
        if id(r) in done:
            continue
        # "after 1 week (WMD -1.77, 95% CI ...)": the time the brackets are opened after.
        opener = _opener(index, r.a, lo, window=4)
        if opener is not None and opener in tp_ends:
            _set_tp(r, tp_ends[opener])
            continue
        nxt = main[k + 1].a if k + 1 < len(main) else hi
        before = bisect_left(tp_starts, r.a) - 1
        while before >= 0 and tps[before].b > r.a:
            before -= 1
        if before >= 0 and r.a - tps[before].b > _LOOKBACK:
            before = -1
        m = bisect_left(tp_starts, r.b)
        if m < len(tps) and tps[m].a < nxt and (
                before < 0 or tps[m].a - _after_brackets(index, r, hi) <= 4):
            _set_tp(r, tps[m])
            continue
        # "to 1-month follow-up is 26.3 (...), and the increase ... to 3-month follow-up is":
        # a time far after the value belongs to the next clause.
        if before >= 0:
            _set_tp(r, tps[before])


def _coordinated(tps):
    groups, current = [], [tps[0]]
    for tp in tps[1:]:
        if tp.a - current[-1].b <= 2:
            current.append(tp)
        else:
            groups.append(current)
            current = [tp]
    groups.append(current)
    return [g for g in groups if len(g) >= 2]


def _set_tp(row, tp):
    text = tp.text
    for prefix in ("at the ", "at ", "the ", "by the ", "by "):
        if text.lower().startswith(prefix):
            text = text[len(prefix):]
    row.fields["timepoint"] = text
    if tp.days is not None:
        row.fields["timepoint_days"] = tp.days


def _ends_phrase(index, k, hi):
    """Tell whether the word at ``k`` is a verb that ends a noun phrase.

    ``developed``; ``using this model`` (a word in -ing before a determiner or preposition).
    """
    w = index.lowers[k]
    if w.endswith("ed") and len(w) > 4:
        return True
    nxt = index.lowers[k + 1] if k + 1 < hi else ""
    return w.endswith("ing") and len(w) >= 5 and nxt in _MODIFIER_STOP


def _phrase(index, k, hi, limit=5):
    """Words from ``k`` up to a stop word or punctuation, at most ``limit`` tokens."""
    lowers = index.lowers
    if k + 1 < hi and lowers[k] in ("patients", "those") and lowers[k + 1] == "with":
        k += 2  # "for patients with HR cytogenetics"
    elif k + 2 < hi and lowers[k] in ("patients", "those") and lowers[k + 1].endswith("ed") \
            and lowers[k + 2] in ("with", "by"):
        k += 3  # "for patients treated with insulin"
    out = k
    while out < hi and out - k < limit and lowers[out] not in _GROUP_STOP \
            and index.numbers[out] is None \
            and not (out > k and lowers[out - 1] != "-" and _ends_phrase(index, out, hi)):
        out += 1
        if lowers[out - 1] in _words("group_head"):
            break  # "in rectal diclofenac group developed ...": the group ends at its head
    if out == k:
        return None
    while out > k and index.lowers[out - 1] in ("the", "a", "an", "-") \
            and not _group_letter(index, out - 1):
        out -= 1
    start = k
    while start < out and index.lowers[start] in ("the", "a", "an", "patients", "those"):
        start += 1
    if start < out and index.lowers[start] == "with" :
        start += 1
    if start >= out or not index.texts[start][0].isalnum():
        return None
    return _span_text(index, start, out)


# --------------------------------------------------------------------------- outcomes

_CLAUSE_WORDS = {"that", "which", "who", "whom", "where", "while", "whereas", "when", "if",
                 "although", "because", "but", "whether", "since", "though"}
_BOUNDARY = {",", ";", ":", "(", ")", "[", "]", ".", "?", "!"}
# Statistic keywords that name how a value is counted, never what is measured.
_BARE_STAT_WORDS = {"proportion", "proportions", "percentage", "percentages", "rate", "rates",
                    "frequency", "frequencies"}


def _words(name):
    """Return one word list of ``patterns/context_words.jsonl`` as a frozenset.

    Examples
    --------
    >>> "was" in _words("link_verb"), "group" in _words("group_head")
    (True, True)
    """
    found = _WORD_LISTS.get(name)
    if found is None:
        from evidextract.extract._patterns import load_patterns

        for p in load_patterns("context_words.jsonl"):
            _WORD_LISTS.setdefault(p["id"], set()).add(p["pattern"][0]["LOWER"])
        for key, words in list(_WORD_LISTS.items()):
            _WORD_LISTS[key] = frozenset(words)
        found = _WORD_LISTS.get(name, frozenset())
    return found


_WORD_LISTS: dict = {}


def _outcome_text(index, start, end, pid):
    """Return the outcome a rule match names: as written, or its abbreviation when spelled out.

    ``Numerical Pain Rating Scale`` is given as ``NRS`` (what reviewers pool by), while
    ``pain severity``, ``LTC`` or ``operation time`` stay as the abstract writes them.
    """
    text = _span_text(index, start, end)
    if " " in text and " " not in pid and any(c.isupper() for c in pid):
        return pid
    return text


def _subject_span(index, a, lo):
    """Return the token span of the subject a value is stated for, or None.

    ``The mean tumor size was 5.0 cm``: the words before ``was`` up to the start of the
    clause. Only a linking verb (``was``, ``were``, ``decreased to``) right before the
    value makes a subject.
    """
    lowers = index.lowers
    verbs, fillers = _words("link_verb"), _words("link_filler")
    k = a - 1
    if k - 1 >= lo and lowers[k] in ("approximately", "about", "nearly"):
        k -= 1
    if k - 1 >= lo and lowers[k] == "of" and lowers[k - 1] not in verbs:
        # "an osteoporosis prevalence of 4.4%", "mean follow-up of 12.6 months"
        start = _np_before(index, k, lo, limit=4)
        return (start, k) if start < k else None
    k, verb = a - 1, None
    while k >= lo and a - k <= 6:
        w = lowers[k]
        if w in verbs:
            verb = k
        elif w in fillers:
            pass
        elif verb is None and (w.endswith("ed") and len(w) > 4 or w in _PASSIVE_PREPOSITIONS
                               or w in _FOUND):
            pass  # "LTC was achieved in 23/28", "cementoplasty was used for 76 SM"
        else:
            break
        k -= 1
    if verb is None:
        return None
    end = k + 1
    start = end
    while start - 1 >= lo and end - start < 16:
        w = lowers[start - 1]
        if w == "," and start - 2 >= lo and index.numbers[start - 2] is not None \
                and _in_time_list(index, start - 2):
            start -= 1  # "at 1, 2, 3 and 5 years": a list of times, not a clause
            continue
        if w in _BOUNDARY or w in _CLAUSE_WORDS or w in verbs or w == "%":
            break
        if index.numbers[start - 1] is not None and not _in_time_list(index, start - 1):
            break
        start -= 1
    return (start, end) if start < end else None


_INTRO_PREPOSITIONS = {"for", "in", "among", "at", "after", "during", "following", "from", "with"}
_PASSIVE_PREPOSITIONS = {"in", "for", "on", "with", "among", "used"}


def _word_count(index, start, end):
    """Count the words of tokens ``start:end``; ``follow-up`` is one word of three tokens."""
    joins = sum(1 for k in range(start + 1, end - 1) if index.texts[k] == "-"
                and not index.spaces[k - 1] and not index.spaces[k])
    return end - start - 2 * joins


def _in_time_list(index, k):
    """Tell whether the number at ``k`` is one of a list of times (``at 1, 3, 5 years``)."""
    if k in index.covered["TIMEPOINT"]:
        return True
    nxt = index.lowers[k + 1] if k + 1 < len(index.lowers) else ""
    return nxt in (",", "and", "or", "-") and k + 2 < len(index.lowers) \
        and index.numbers[k + 2] is not None


def _trim_outcome(index, start, end):
    """Trim a subject to the name of its outcome.

    ``the mean score for worst pain in a 24-hour period`` -> ``score for worst pain``;
    ``The percentage of IFs`` -> ``IFs``.
    """
    lowers = index.lowers
    lead, measure, cut = _words("outcome_lead"), _words("outcome_measure"), _words("outcome_cut")
    tps = index.covered["TIMEPOINT"]
    if lowers[start] in _INTRO_PREPOSITIONS:
        # "For the unpracticed radiologists the percentage agreement": the second phrase.
        nxt = next((k for k in range(start + 2, end) if lowers[k] in ("the", "a", "an")), None)
        if nxt is None:
            return start, start
        start = nxt
    while start < end:
        w = lowers[start]
        if w in lead or start in tps or w in (",", "and", "-") or (
                index.numbers[start] is not None or w in NUMBER_WORDS) and start + 1 < end \
                and lowers[start + 1] in ("-", ",", "and"):
            start += 1  # "Two- and 5-year survival rates": the times are no part of it
        elif w in measure and start + 1 < end and lowers[start + 1] in ("of", "in"):
            start += 2
        else:
            break
    for k in range(start + 1, end):
        if k in tps or index.numbers[k] is not None:
            end = k  # "The mean VAS 6 months after surgery": the time is no part of it
            break
        if lowers[k] in cut or lowers[k] == "for" and k + 1 < end \
                and lowers[k + 1] in ("patients", "those", "the", "a", "an", "participants"):
            end = k
            break
    while end > start and lowers[end - 1] in ("the", "a", "an", "-", "and", "of"):
        end -= 1
    return start, end


_INSTRUMENT_WORDS = {"score", "scores", "scale", "value", "values", "level", "levels", "index"}


def _subject_outcome(index, a, lo):
    """Return the outcome named as the subject of the value at ``a``, or None."""
    span = _subject_span(index, a, lo)
    if span is None:
        return None
    start, end = _trim_outcome(index, *span)
    if start >= end or _word_count(index, start, end) > 6 \
            or index.lowers[start] in _words("outcome_cut") or not index.texts[start][0].isalnum():
        return None
    words = index.lowers[start:end]
    if all(w in _words("pronoun") or w in _MODIFIER_STOP or w in _words("outcome_measure")
           for w in words):
        return None  # "the difference was": no name of an outcome
    keywords = index.covered["STAT_KEYWORD"]
    if all(k in keywords for k in range(start, end)):
        return None  # "the sensitivity was 80%": the statistic, not an outcome
    for k in range(start, end):
        hit = index.covered["OUTCOME"].get(k)
        if hit is not None and hit[0] >= start and hit[1] <= end:
            text = _outcome_text(index, *hit)
            if text == hit[2] and text != _span_text(index, hit[0], hit[1]):
                return text  # the abbreviation of a spelled-out instrument
            rest = index.lowers[start:hit[0]] + index.lowers[hit[1]:end]
            if any(c.isupper() for c in hit[2]) and all(w in _INSTRUMENT_WORDS for w in rest):
                return text  # "the mean VAS score": the instrument
            break
    return _span_text(index, start, end)


def _own_keyword(index, r, lo, hi):
    """``sensitivity`` for a sensitivity row: its own keyword nearest it in the sentence."""
    cover = index.covered["STAT_KEYWORD"]
    best = None
    for k in range(max(lo, r.a - _LOOKBACK), min(hi, r.b + 3)):
        hit = cover.get(k)
        if hit is not None and hit[2] == r.stat and (r.a <= k < r.b) is False:
            if best is None or abs(k - r.a) < abs(best[0] - r.a):
                best = hit
    if best is None:
        return None
    text = _span_text(index, best[0], best[1])
    # "sensitivities with 95% confidence interval were ...": one value, one sensitivity.
    return text[:-3] + "y" if text.lower().endswith("ities") else text


def _quantity_outcome(index, r, lo, hi):
    """``tumor size ≥4 cm``, ``30 mm of lengthening``: what a quantity measures."""
    lowers, texts = index.lowers, index.texts
    k = r.a
    while k - 1 >= lo and texts[k - 1] in COMPARATORS:
        k -= 1
    start = k
    while start - 1 >= lo and k - start < 3 and texts[start - 1].isalpha() \
            and lowers[start - 1] not in _MODIFIER_STOP and lowers[start - 1] not in _BOUNDARY \
            and lowers[start - 1] not in _CLAUSE_WORDS \
            and lowers[start - 1] not in _words("outcome_cut") \
            and lowers[start - 1] not in _GROUP_STOP and lowers[start - 1] not in _RANGE_DASHES \
            and not lowers[start - 1].endswith(("ed", "ly", "ing")):
        start -= 1
    if start < k and not all(w in _words("pronoun") for w in lowers[start:k]):
        return _span_text(index, start, k)
    if r.b + 1 < hi and lowers[r.b] == "of" and texts[r.b + 1].isalpha():
        return _phrase(index, r.b + 1, hi, limit=3)
    return None


def _label_before(index, r, lo):
    """``(n = 100; age 62.5 ± 5.2; event rate 50%)``: a label between a list mark and its value."""
    texts, lowers = index.texts, index.lowers
    start = r.a
    while start - 1 >= lo and r.a - start < 3 and texts[start - 1].isalpha() \
            and lowers[start - 1] not in _MODIFIER_STOP and start - 1 not in index.covered["UNIT"] \
            and lowers[start - 1] not in _words("link_filler") \
            and not lowers[start - 1].endswith(("ly", "ing", "ed")):
        start -= 1
    if start == r.a or start - 1 < lo or texts[start - 1] not in (";", ",", "(", "["):
        return None
    if all(k in index.covered["STAT_KEYWORD"] for k in range(start, r.a)):
        return None
    start, end = _trim_outcome(index, start, r.a)
    return _span_text(index, start, end) if start < end else None


def _bracket_outcome(index, r, lo):
    """``Breast (18.6%)``: a percentage in brackets after what it counts."""
    texts, lowers = index.texts, index.lowers
    k = r.a - 1
    if k < lo or texts[k] not in ("(", "["):
        return None
    start = k
    while start - 1 >= lo and k - start < 4 and lowers[start - 1] not in _MODIFIER_STOP \
            and texts[start - 1] not in (",", ";", ":", ")", "(") \
            and index.numbers[start - 1] is None and unit_days(texts[start - 1]) is None:
        start -= 1
    if start < k and texts[start] == "-" and start - 1 >= lo and texts[start - 1].isalpha() \
            and not index.spaces[start - 1]:
        start -= 1  # "intra-operative steroid injection (0.29%)"
    if start == k or lowers[k - 1] in _words("group_head") \
            or any(w in _words("quantifier") for w in lowers[start:k]):
        return None  # "the PV group (2.2%)", "The majority (76.4%)": no outcome
    if start - 1 >= lo and (lowers[start - 1] in _COMPARE or lowers[start - 1] in ("with", "to")
                            and start - 2 >= lo and lowers[start - 2] == "compared"):
        return None  # "versus placebo (8.5%)": the arm compared, not the outcome
    return _span_text(index, start, k)


def _sex_outcome(index, r, hi):
    """``60.6% being female``, ``108/172 (62.79%) males``: the sex a percentage counts."""
    lowers, texts = index.lowers, index.texts
    sexes = ("female", "females", "male", "males", "women", "men")
    k = r.b + (1 if r.b < hi and lowers[r.b] == "being" else 0)
    if k < hi and lowers[k] in sexes:
        return texts[k]
    unit = r.fields.get("unit")
    if unit and unit.lower() in ("males", "females", "women", "men"):
        return unit
    if r.a - 1 >= 0 and lowers[r.a - 1] in sexes:
        return texts[r.a - 1]  # "male 55%"
    return None


def _names_outcome(index, hit, r):
    """Tell whether an outcome rule match names an outcome here.

    ``age-adjusted`` is no age, and ``follow-up`` inside a timepoint (``at the last
    follow-up``) is no outcome, unless the value follows it in brackets
    (``at the last follow-up (mean 14.7 months)``).
    """
    start, end, _ = hit
    texts = index.texts
    if end < len(texts) and texts[end] == "-" and not index.spaces[end - 1]:
        return False
    if start in index.covered["TIMEPOINT"]:
        return end + 1 < r.a and texts[end] in ("(", "[") and ")" not in texts[end:r.a] \
            and index.lowers[end + 1] in ("mean", "median")
    return True


def _noun_after_percent(index, r, hi):
    """``24% retreatment after SF``: the lower-case noun right after a percentage."""
    k = r.b
    if not r.percent or "unit" in r.fields or k + 1 >= hi:
        return None
    word = index.texts[k]
    if not word.isalpha() or not word.islower() or index.lowers[k] in _MODIFIER_STOP \
            or k in index.covered["COUNT_NOUN"] or k in index.covered["UNIT"]:
        return None
    if index.lowers[k + 1] not in ("after", "in", "for", "vs", "vs.", "versus", ",", ";", ".",
                                   "with", "at", "and", "among"):
        return None
    return word


def _pattern_outcome(index, r, lo, hi):
    """Return the outcome rule match nearest before the value (or just after it)."""
    outcomes = index.covered["OUTCOME"]
    k = _after_brackets(index, r, hi)
    if k < hi and index.texts[k] in ("(", "["):
        close = next((q for q in range(k, min(hi, k + 10)) if index.texts[q] in (")", "]")),
                     None)
        k = close + 1 if close is not None else k
    if k + 1 < hi and index.lowers[k] == "of" and outcomes.get(k + 1) is not None:
        return _outcome_text(index, *outcomes[k + 1])  # "25.9 months (median 16.5) of follow-up"
    for k in range(r.a - 1, max(lo, r.a - _LOOKBACK) - 1, -1):
        hit = outcomes.get(k)
        if hit is not None and _names_outcome(index, hit, r):
            return _outcome_text(index, *hit)
    for k in range(r.b, min(hi, r.b + 3)):
        hit = outcomes.get(k)
        if hit is not None:
            return _outcome_text(index, *hit)
    return None


def _keyword_outcome(index, r, lo):
    """``osteoporosis prevalence was 2.84%``: a keyword that names what is counted."""
    kw = nearest_keyword(index, r.a, lo, window=_LOOKBACK)
    if kw is None or kw[0] != "proportion":
        return None
    text = _span_text(index, kw[2], kw[3])
    return None if text.lower() in _BARE_STAT_WORDS else text


_COMPARED = {"higher", "lower", "larger", "smaller", "greater", "more", "less", "better", "worse",
             "longer", "shorter", "fewer", "superior", "inferior"}
_NP_END = _GROUP_STOP | {"than", "in", "at", "for", "between", "compared", "on", "from", "to",
                         "over",
                         "among", "across", "when", "within", "without", "after", "before"}


def _comparison_outcome(index, a, lo):
    """Return what a comparison before ``a`` compares, or None.

    ``EOS imaging demonstrated significantly higher accuracy than`` -> ``accuracy``;
    ``Ktrans and Kep were significantly lower in`` -> ``Ktrans and Kep``. Who ``had``
    more, or was ``more effective``, is a group, not an outcome.
    """
    lowers = index.lowers
    start = lo
    for k in range(a - 1, max(lo, a - _LOOKBACK) - 1, -1):
        if lowers[k] == ";":
            start = k + 1
            break
    c = next((k for k in range(a - 1, max(start, a - _LOOKBACK) - 1, -1)
              if lowers[k] in _COMPARED), None)
    if c is None:
        return None
    m = c - 1
    while m >= start and lowers[m] in _BEFORE_COMPARATIVE:
        m -= 1
    if m == c - 1:
        return None  # "the femurs with larger volumes": no comparison is stated
    k = c + 1
    while k < a and lowers[k] in ("a", "an", "the"):
        k += 1
    end = k
    while end < a and end - k < 6 and index.numbers[end] is None and (
            lowers[end] not in _NP_END or lowers[end] in ("in", "of") and end > k
            and lowers[end - 1] in _words("outcome_measure")):
        end += 1  # "a smaller increase in BML volume"
    if end > k and not lowers[end - 1].endswith(_ADJECTIVE_ENDINGS + ("ed",)) \
            and lowers[end - 1] != "likely" and not lowers[k].endswith("ly"):
        first, last = _trim_outcome(index, k, end)
        keywords, nouns = index.covered["STAT_KEYWORD"], index.covered["COUNT_NOUN"]
        if first < last and not all(q in keywords for q in range(first, last)) \
                and not all(q in nouns for q in range(first, last)) \
                and not all(w in _words("pronoun") or w in _words("outcome_measure")
                            for w in lowers[first:last]):
            return _span_text(index, first, last)
        return None
    if lowers[c] in ("more", "less") or any(lowers[q] in _POSSESSING for q in range(m + 1, c)):
        return None
    # "Ktrans and Kep were significantly lower": the subject before the verb.
    first = m + 1
    while first - 1 >= start and m + 1 - first < 10 and lowers[first - 1] not in _BOUNDARY \
            and lowers[first - 1] not in _CLAUSE_WORDS and index.numbers[first - 1] is None \
            and lowers[first - 1] not in ("however", "overall"):
        first -= 1
    first, last = _trim_outcome(index, first, m + 1)
    if first >= last or last - first > 6 or not index.texts[first][0].isalnum():
        return None
    if all(w in _words("pronoun") or w in _MODIFIER_STOP for w in lowers[first:last]):
        return None
    return _span_text(index, first, last)


_POSSESSING = {"had", "has", "have", "showed", "demonstrated", "achieved"}
_ADJECTIVE_ENDINGS = ("ive", "ate", "ble", "ful", "ous", "ly", "ise", "ent", "ant", "ic")
_BEFORE_COMPARATIVE = {"significantly", "were", "was", "is", "are", "not", "statistically",
                       "demonstrated", "achieved",
                       "slightly", "much", "no", "had", "has", "have", "showed", "a", "an",
                       "be", "been", "remained", "also", "markedly", "considerably"}


def _trailing_noun(index, run, hi):
    """``(79.4% vs. 71.7% precision rates;``: the noun after a compared pair names it."""
    lowers = index.lowers
    if len(run) < 2 or not any(t in ("vs", "vs.", "versus")
                               for t in lowers[run[0].b:run[-1].a]):
        return None
    k = run[-1].b
    end = k
    while end < hi and end - k < 4 and index.texts[end].isalpha() \
            and lowers[end] not in _MODIFIER_STOP:
        end += 1
    if end == k or end >= hi or lowers[end] not in (";", ")", ",", "]"):
        return None
    return _span_text(index, k, end)


def _pair_bracket_outcome(index, run, lo):
    """``dosage of morphine (85.56±17.23 vs. 32.78±4.61``: the phrase before a compared pair."""
    first = run[0]
    if len(run) != 2 or first.stat in ("proportion", "sample_size") or first.a - 1 <= lo \
            or index.texts[first.a - 1] not in ("(", "[") \
            or not any(t in ("vs", "vs.", "versus") for t in index.lowers[first.b:run[1].a]):
        return None
    k = first.a - 1
    start = _np_before(index, k, lo)
    if start - 2 >= lo and index.lowers[start - 1] == "of" and index.texts[start - 2].isalpha() \
            and index.lowers[start - 2] not in _MODIFIER_STOP:
        start -= 2  # "dosage of morphine"
    if start == k or _word_count(index, start, k) > 5:
        return None
    q = start - 1
    while q >= lo and index.lowers[q] in ("the", "in", "those", "that", "a", "an"):
        q -= 1
    if q >= lo and (index.lowers[q] in _COMPARE or index.lowers[q] in ("with", "to")
                    and index.lowers[q - 1] == "compared") \
            or index.lowers[k - 1] in _words("group_head"):
        return None  # "compared with placebo (4.1 vs. 6.0": the arm, not the outcome
    first_word, end = _trim_outcome(index, start, k)
    if first_word >= end:
        return None
    hit = next((index.covered["OUTCOME"][q] for q in range(first_word, end)
                if q in index.covered["OUTCOME"]), None)
    rest = index.lowers[first_word:hit[0]] + index.lowers[hit[1]:end] if hit else []
    if hit is not None and any(c.isupper() for c in hit[2]) \
            and all(w in _INSTRUMENT_WORDS for w in rest):
        return _span_text(index, hit[0], hit[1])  # "the NRS score (6.83 vs. 1.67": NRS
    return _span_text(index, first_word, end)


def _measure_before_bracket(index, r, lo):
    """``marginal adaptation (0.01 ± 0.10)``, ``odds ratio for global recovery 1.03``."""
    lowers = index.lowers
    k = r.a - 1
    if r.stat in _RATIO_STATS and k - 1 >= lo and lowers[k] not in ("(", "["):
        q = next((q for q in range(k, max(lo, k - 6) - 1, -1) if lowers[q] == "for"), None)
        if q is not None and q - 1 >= lo and index.covered["STAT_KEYWORD"].get(
                q - 1, (0, 0, ""))[2] in _RATIO_STATS:
            return _phrase(index, q + 1, r.a, limit=4)
        return None
    if r.stat not in ("mean", "median") or k < lo or lowers[k] not in ("(", "["):
        return None
    start = _np_before(index, k, lo, limit=3)
    if start < k and lowers[k - 1] in _words("measure_head"):
        return _span_text(index, start, k)
    return None


def _outcome_of(index, r, anchor, lo, hi, prev=None):
    """Decide the outcome of one row.

    ``anchor`` is where its list of values starts, ``prev`` the value before it.
    """
    lowers = index.lowers
    if r.stat == "proportion":
        sex = _sex_outcome(index, r, hi) or _noun_after_percent(index, r, hi)
        if sex:
            return sex
        bracket = _bracket_outcome(index, r, lo)
        if bracket:
            return bracket
    measured = _measure_before_bracket(index, r, lo)
    if measured:
        return measured
    if r.stat in ("icc", "kappa", "correlation") and r.b < hi and lowers[r.b] == "for":
        phrase = _phrase(index, r.b + 1, hi, limit=4)
        if phrase:
            return phrase
    if r.stat in _DIAGNOSTIC:
        own = _own_keyword(index, r, lo, hi)
        if own:
            return own
    if r.stat in ("mean", "median") and r.fields.get("unit", "").lower() in ("years", "year") \
            and r.b < hi and lowers[r.b] == "old":
        return "age"
    subject = _subject_outcome(index, anchor, lo)
    if subject:
        return subject
    if r.stat == "quantity":
        found = _quantity_outcome(index, r, lo, hi)
        if found:
            return found
    label = _label_before(index, r, lo) or _shared_outcome(index, prev, r)
    if label:
        return label
    found = _pattern_outcome(index, r, lo, hi) or _keyword_outcome(index, r, lo)
    return found or _comparison_outcome(index, anchor, lo)


def _assign_outcomes(index, main, lo, hi, runs=None):
    anchors = {}
    for run in runs or [[r] for r in main]:
        for r in run:
            anchors[id(r)] = run[0].a
    for run in (runs or []) + _vs_pairs(index, main):
        noun = _trailing_noun(index, run, hi) or _pair_bracket_outcome(index, run, lo) \
            or _quantities_of(index, run, hi)
        for r in run if noun else ():
            r.fields["outcome"] = noun
        names = _coordinated_subjects(index, run, lo)
        for r, name in zip(run, names or (), strict=False):
            r.fields.setdefault("outcome", name)
    for k, r in enumerate(main):
        if r.stat == "sample_size" and "outcome" not in r.fields and _passive_in(index, r, lo):
            outcome = _subject_outcome(index, r.a, lo)  # "Cement leakage was found in 8 lesions"
            if outcome:
                r.fields["outcome"] = outcome
        if r.stat == "sample_size" or "outcome" in r.fields:
            continue
        outcome = _outcome_of(index, r, anchors.get(id(r), r.a), lo, hi,
                              main[k - 1] if k else None)
        if outcome:
            r.fields["outcome"] = outcome


def _quantities_of(index, run, hi):
    """``at 30 mm, 50 mm, and 70 mm of lengthening``: what a list of quantities measures."""
    k = run[-1].b
    if run[0].stat != "quantity" or k + 1 >= hi or index.lowers[k] != "of" \
            or not index.texts[k + 1].isalpha():
        return None
    return _phrase(index, k + 1, hi, limit=3)


def _passive_in(index, r, lo):
    """Tell whether a count follows ``was found in``: ``Cement leakage was found in 8 lesions``."""
    lowers = index.lowers
    return r.a - 3 >= lo and lowers[r.a - 1] == "in" and lowers[r.a - 2] in _FOUND \
        and lowers[r.a - 3] in ("was", "were")


# Verbs that say an outcome occurred in a count of units (not that the units were studied).
_FOUND = {"found", "noted", "observed", "seen", "detected", "achieved", "reported", "recorded",
          "identified", "diagnosed", "documented"}


def _coordinated_subjects(index, run, lo):
    """Return one outcome for each value of a run stated for coordinated subjects, or None.

    ``Major and minor complication rates were 2.0% and 4.8%`` -> ``Major complication
    rates``, ``minor complication rates``; ``The median cancer-specific and median overall
    survivals were 47.4 months and 33.8 months`` -> ``cancer-specific survivals``, ...
    """
    if len(run) < 2 or run[0].stat in _DIAGNOSTIC | {"sample_size"}:
        return None
    span = _subject_span(index, run[0].a, lo)
    if span is None:
        return None
    start, end = _trim_outcome(index, *span)
    lowers = index.lowers
    parts, first = [], start
    for q in range(start, end + 1):
        if q == end or lowers[q] in (",", "and"):
            if q > first:
                a, b = _trim_outcome(index, first, q)
                if a < b:
                    parts.append((a, b))
            first = q + 1
    if len(parts) != len(run) or any(lowers[q] in ("and", ",") for q in range(*parts[-1])):
        return None
    last_a, last_b = parts[-1]
    if last_b - last_a > 1 and all(b - a == 1 for a, b in parts[:-1]):
        head = _span_text(index, last_a + 1, last_b)  # "Major and minor complication rates"
        return [f"{_span_text(index, a, b)} {head}" for a, b in parts[:-1]] \
            + [_span_text(index, last_a, last_b)]
    return [_span_text(index, a, b) for a, b in parts]


def _shared_outcome(index, prev, r):
    """Return the outcome of the value before, when ``r`` restates or compares it.

    ``agreement was 80% (weighted kappa of 0.78)``, ``Response ... was 71% after SF vs.
    73% after MF``, ``increased from 0.525 to 0.886``.
    """
    if prev is None or "outcome" not in prev.fields or r.a - prev.b > 6 \
            or prev.stat == "quantity":
        return None
    gap = index.lowers[prev.b:r.a]
    if gap and gap[0] in ("(", "[") and all(t not in (")", "]", ";") for t in gap):
        return prev.fields["outcome"]
    if prev.stat == r.stat and any(t in ("vs", "vs.", "versus", "to", "and") for t in gap) \
            and all(t not in (";", ")", "]") and t not in _words("link_verb") for t in gap):
        return prev.fields["outcome"]  # "was 9.0% in A and 4.5% in B"
    return None


# --------------------------------------------------------------------------- groups

_GROUP_VERBS = {"had", "has", "have", "showed", "show", "shows", "demonstrated", "achieved",
                "maintained", "was", "were", "is", "are", "remained", "reached", "yielded"}
_COMPARE = {"than", "compared", "versus", "vs", "vs."}


def _group_name(index, start, end):
    """Clean a group phrase: no determiner, no count, no head noun that only says "group".

    ``the 46 patients`` -> ``patients``; ``the RFA group`` -> ``RFA``.
    """
    lowers = index.lowers
    while start < end and (lowers[start] in ("the", "a", "an", "both", "all", "those", "with",
                                             "either", "neither")
                           or (index.numbers[start] is not None or lowers[start] in NUMBER_WORDS)
                           and not (start + 1 < end and start + 1 in index.covered["UNIT"])):
        start += 1  # "two control groups" -> "control"; but "the 15 mg group" -> "15 mg"
    while end > start and (lowers[end - 1] in ("the", "a", "an", "-", "only", "alone")
                           and not _group_letter(index, end - 1)
                           or not index.texts[end - 1][-1].isalnum()):
        end -= 1
    if end - start > 1 and lowers[end - 1] in ("group", "groups", "arm", "arms", "phase",
                                               "phases"):
        end -= 1
    if start >= end or end - start > 6 or not index.texts[start][0].isalnum():
        return None
    if all((w in _words("pronoun") or w in _MODIFIER_STOP or w in NUMBER_WORDS
            or w in ("both", "each", "all", "other") or w in _words("group_head"))
           and not _group_letter(index, start + i) for i, w in enumerate(lowers[start:end])):
        return None  # "the group": no group named
    if lowers[end - 1] in _words("not_population") \
            or all(w in ORDINAL_WORDS or w in ("last", "final") for w in lowers[start:end]):
        return None  # "the study", "in the first": no population
    abbreviation = _abbreviation_after(index, end)
    return abbreviation or _span_text(index, start, end).replace(", and ", " and ")


def _abbreviation_after(index, end):
    """``chronic low back pain (CLBP)``: the abbreviation defined right after a phrase."""
    texts = index.texts
    if end + 2 < len(texts) and texts[end] == "(" and texts[end + 2] == ")" \
            and texts[end + 1].isupper() and texts[end + 1].isalpha():
        return texts[end + 1]
    return None


def _np_before(index, k, lo, limit=4):
    """Return the start of the noun phrase ending right before token ``k`` (or ``k``)."""
    lowers, texts = index.lowers, index.texts
    start = k
    while start - 1 >= lo and _word_count(index, start, k) < limit and k - start < 3 * limit:
        w = lowers[start - 1]
        joined = w == "-" and start - 2 >= lo and not index.spaces[start - 2] \
            and not index.spaces[start - 1]
        if start < k and texts[start] == "-" and not index.spaces[start - 1] \
                and texts[start - 1].isalpha():
            start -= 1  # "intention-to-treat": a word of a compound
            continue
        if _group_letter(index, start - 1):
            start -= 1  # "group A"
            continue
        if w in _MODIFIER_STOP or w in _BOUNDARY or w in _CLAUSE_WORDS or w in _COMPARE \
                or w in _NP_PREPOSITIONS or index.numbers[start - 1] is not None \
                or start < k and w.endswith("ing") and lowers[start] not in _words("group_head") \
                or start < k and w.endswith("ed") and len(w) > 4 and w not in ("advanced",) \
                or not (texts[start - 1][0].isalnum() or joined):
            break
        start -= 1
    return start


# "without" and "under" stay inside a name ("those without pneumothorax", "area under curve").
_NP_PREPOSITIONS = {"against", "among", "amongst", "between", "within", "through", "via",
                    "into", "toward", "towards", "per", "about", "either", "neither", "both"}


def _group_letter(index, k):
    """Tell whether token ``k`` is the letter naming a group: ``A`` in ``group A``."""
    t = index.texts[k]
    # An article is never a capital mid-phrase: "vitamin A", "arm B" are names.
    return len(t) == 1 and t.isupper() and k > 0 and index.texts[k - 1].isalpha()


def _is_context_word(index, start, end):
    """Tell whether tokens name an outcome, a statistic, a unit or a time, not a group."""
    for label in ("OUTCOME", "STAT_KEYWORD", "TIMEPOINT", "UNIT"):
        cover = index.covered[label]
        # "group A", "arm B": a letter that names a group is no unit (ampere) nor keyword.
        if any(k in cover and not (len(index.texts[k]) == 1 and k > start
                                   and index.lowers[k - 1] in _words("group_head"))
               for k in range(start, end)):
            return True
    return False


def _bracket_group(index, r, lo):
    """Return the noun phrase before the brackets a value opens: the group it describes.

    ``MR (45.9±52.0cm3)``, ``the CNN (AUC: 0.67)``, ``testing dataset only (n = 100;``.
    """
    texts = index.texts
    k = r.a - 1
    keywords = index.covered["STAT_KEYWORD"]
    while k >= lo and r.a - k <= 7 and texts[k] not in ("(", "[") and \
            (k in keywords or texts[k] in (":", "=", ",", "n", "N")):
        k -= 1
    if k - 3 >= lo and texts[k] == ")" and texts[k - 2] == "(" and k - 1 in keywords \
            and k - 3 in keywords:
        k -= 3  # "[odds ratio (OR) 6.57": the abbreviation of the keyword
        while k >= lo and k in keywords:
            k -= 1
    if k < lo or texts[k] not in ("(", "[") or r.stat in ("correlation", "coefficient"):
        return None
    if r.stat == "sample_size" and index.lowers[r.a] not in ("n", "total"):
        return None  # "(20 men, 17 women)": the kinds of a count, not a group of it
    end = k
    while end - 1 >= lo and index.lowers[end - 1] in ("only", "alone"):
        end -= 1
    last = index.lowers[end - 1] if end - 1 >= lo else ""
    if r.stat == "proportion" and last not in _words("group_head"):
        return None  # "Breast (18.6%)": what a percentage counts is its outcome
    start = _np_before(index, end, lo)
    if start == end or _is_context_word(index, start, end) or last.endswith(("ed", "ly")):
        return None
    if start - 1 >= lo and index.numbers[start - 1] is not None:
        return None  # "at 6 kHz (-0.525": a quantity, not a group
    if r.stat in _RATIO_STATS and last in ("analysis", "analyses", "model", "models"):
        return None  # "on univariate analysis (HR = 0.61": the model, not a population
    if last in _words("measure_head") or start - 1 >= lo and (
            index.lowers[start - 1] in _words("link_verb") or index.lowers[start - 1] == "of"):
        return None  # "fall of systolic BP (-20.6", "birth weight (29 kg)", "was high (39 kg)"
    before = index.lowers[start - 1] if start - 1 >= lo else ""
    if before in ("at", "during", "after", "before") or before == "to" and (
            start - 2 < lo or index.lowers[start - 2] != "compared"):
        return None  # "at randomization (n = 171)": a time; "willing to participate (N ="
    if any(t in _VERSUS for t in index.lowers[r.b:min(len(index.lowers), r.b + 8)]
           if t not in (")", "]")):
        return None  # "the total power (7.5 ln-msec2 vs 8.3": the outcome of a compared pair
    initials = "".join(index.lowers[q][0] for q in range(start, end) if index.texts[q].isalpha())
    if index.lowers[k + 1] == initials:
        return None  # "area under curve (AUC 0.82)": a name defined, not a group
    if r.stat == "sample_size" and end - start == 1 and end - 1 in index.covered["COUNT_NOUN"]:
        return None  # "patients (n = 40)": the counted noun, no subpopulation
    return _group_name(index, start, end)


def _clause_subject(index, k, lo):
    """Return the noun phrase a clause ending before ``k`` starts with, or None.

    ``EOS imaging`` in ``EOS imaging demonstrated significantly higher accuracy than``.
    """
    lowers = index.lowers
    start = k
    while start - 1 >= lo and lowers[start - 1] not in _BOUNDARY:
        start -= 1
    while start < k and lowers[start] in ("overall", "however", "in", "contrast", "moreover"):
        start += 1
    end = start
    while end < k and end - start < 5 and lowers[end] not in _GROUP_VERBS \
            and lowers[end] not in _MODIFIER_STOP and not lowers[end].endswith("ed"):
        end += 1
    if end == start or end >= k or lowers[end] not in _GROUP_VERBS \
            and not lowers[end].endswith("ed"):
        return None
    if lowers[end] in _words("link_verb"):
        # "EOS was more precise": a group; "HDL was increased": an outcome.
        q = end + 1
        while q < k and lowers[q] in ("significantly", "statistically", "much", "slightly"):
            q += 1
        if q >= k or lowers[q] not in ("more", "less", "superior", "inferior"):
            return None
    if _is_context_word(index, start, end):
        return None
    return _group_name(index, start, end)


def _compared_groups(index, opener, lo):
    """Return the two groups a bracketed ``v1 vs. v2`` compares, from the words before it.

    ``lower in the duloxetine phase compared with placebo (``,
    ``higher accuracy than digital radiography (``, ``Compared to the resection group, the
    RFA group had a higher rate (``.
    """
    lowers = index.lowers
    second = first = None
    k = opener
    m = k - 1
    while m >= lo and k - m <= 12 and lowers[m] not in _BOUNDARY:
        if lowers[m] in ("than", "with", "to") and (lowers[m] == "than" or m - 1 >= lo and
                                                     lowers[m - 1] == "compared"):
            start = _np_before(index, k, m + 1, limit=5)
            lead = index.lowers[m + 1:start]
            second = _group_name(index, start, k) if all(
                w in ("in", "the", "those", "that", "of", "with", "a", "an") for w in lead) \
                else None  # "than in the placebo group ("
            if second and _is_context_word(index, start, k):
                second = None
            # "lower in the duloxetine phase compared with": the first group before it.
            stop = m - 1 if lowers[m] != "than" else m
            for q in range(stop - 1, max(lo, stop - 10) - 1, -1):
                if lowers[q] in ("in", "with", "for") and q + 1 < stop:
                    end = next((e for e in range(q + 1, stop) if lowers[e] in _words("link_verb")
                                or lowers[e] in _BEFORE_COMPARATIVE or lowers[e] in _COMPARED),
                               stop)
                    first = _group_name(index, q + 1, end)  # "in omega-3 was shorter than"
                    break
                if lowers[q] in _BOUNDARY or index.numbers[q] is not None:
                    break
            break
        m -= 1
    if first is None:
        first = _clause_subject(index, opener, lo)
        if first is None:
            # "Compared to the resection group, the RFA group had ...".
            c = lo
            if lowers[c] == "compared" and c + 1 < opener and lowers[c + 1] in ("to", "with"):
                comma = next((q for q in range(c + 2, opener) if lowers[q] == ","), None)
                if comma is not None:
                    second = _group_name(index, c + 2, comma)
                    first = _clause_subject(index, opener, comma + 1)
    return first, second


def _labelled_pair(index, opener, close):
    """``(RFA vs. MWA: 12.5 months ... vs. 9.5 months``: groups named before a colon."""
    lowers = index.lowers
    for q in range(opener + 1, min(close, opener + 8)):
        if lowers[q] in ("vs", "vs.", "versus") and q + 1 < close:
            colon = next((c for c in range(q + 1, min(close, q + 5)) if lowers[c] == ":"), None)
            if colon is None:
                return None
            a = _group_name(index, opener + 1, q)
            b = _group_name(index, q + 1, colon)
            return (a, b) if a and b else None
    return None


def _pair_groups(index, run, lo, hi):
    """Set the groups of a pair ``v1 vs. v2`` in brackets (or after ``A vs. B:``)."""
    if len(run) != 2:
        return False
    lowers, texts = index.lowers, index.texts
    gap = lowers[run[0].b:run[1].a]
    if not any(t in ("vs", "vs.", "versus") for t in gap):
        return False
    opener = None
    depth = 0
    for k in range(run[0].a - 1, max(lo, run[0].a - 20) - 1, -1):
        if texts[k] in (")", "]"):
            depth += 1
        elif texts[k] in ("(", "["):
            if depth == 0:
                opener = k
                break
            depth -= 1
    if opener is None:
        return False
    close = next((k for k in range(run[1].b, min(hi, run[1].b + 20)) if texts[k] in (")", "]")),
                 hi)
    pair = _labelled_pair(index, opener, close)
    if pair is None:
        pair = _compared_groups(index, opener, lo)
    done = False
    for r, g in zip(run, pair, strict=True):
        if g:
            r.fields.setdefault("group", g)
            done = True
    return done


def _intro_group(index, lo, hi):
    """``For older Chinese men (≥ 50 years), ...``: a population named before the clause.

    Returns ``(group, end)``: rows from ``lo`` on belong to the group. ``For example,``,
    ``In addition,`` or ``In this study,`` name none.
    """
    lowers = index.lowers
    k = lo
    if k + 2 < hi and lowers[k] in ("whereas", "while"):
        k += 1
    for q in range(k, min(hi - 2, k + 8)):
        if lowers[q] == "that" and lowers[q + 1] == "," and lowers[q + 2] in ("for", "among"):
            k = q + 2  # "It was proposed that, for older East Asian women, ..."
            break
    if k >= hi or lowers[k] not in ("for", "among", "amongst", "in"):
        return None
    comma = next((q for q in range(k + 1, min(hi, k + 60)) if lowers[q] == ","), None)
    if comma is None:
        return None
    depth = 0
    words = []
    for q in range(k + 1, comma):
        t = lowers[q]
        if t in ("(", "["):
            depth += 1
        elif t in (")", "]"):
            depth -= 1
        elif not depth:
            words.append(q)
    if not words or any(lowers[q] in _words("not_group") for q in words[:3]):
        return None
    # "For segmentation of pneumonia for positive cases,": the last "for" names whom.
    for q in words[1:]:
        if lowers[q] in ("for", "among") and q + 1 < comma:
            k, words = q, [w for w in words if w > q]
    first = next((q for q in words if lowers[q] not in ("the", "a", "an")), words[0])
    if lowers[first].endswith(("tion", "sion", "ment", "ing", "ance", "ence")) \
            or index.numbers[first] is not None and first + 1 < hi and lowers[first + 1] == "%":
        return None  # "For classification of ...", "In 18.5% of cases"
    # "For 316 cases of Chinese men": the population is after "of"; "In 5 patients with a
    # high risk of impending fracture": after "with".
    start = words[0]
    for q in words[:6]:
        if lowers[q] in ("of", "with") and q - 1 >= 0 and (q - 1 in index.covered["COUNT_NOUN"]
                                                         or lowers[q - 1] in ("study", "data")):
            start = q + 1
    end = start
    while end < comma and (lowers[end] not in _GROUP_STOP or end > start and
                           lowers[end - 1] == "-" and not index.spaces[end - 1]
                           or lowers[end] == "to" and end > start and end + 1 < comma
                           and index.texts[end + 1].isalpha()) \
            and lowers[end] not in ("(", "[") \
            and lowers[end] not in _CLAUSE_WORDS and lowers[end] not in ("based", "according"):
        end += 1
    if lowers[k] == "in" and (end - start > 4 or lowers[end - 1] in ("study", "studies",
                                                                     "trial", "series")):
        return None
    if end > start and (lowers[end - 1].endswith("ed") or lowers[end - 1].endswith(
            _ADJECTIVE_ENDINGS) or lowers[end - 1] in _words("not_population")):
        return None  # "In a randomized,", "In a prospective,", "Among the time-domain indexes,"
    if end == start or _is_context_word(index, start, end):
        return None
    if all(q in index.covered["COUNT_NOUN"] or index.numbers[q] is not None
           or lowers[q] in ("the", "all") for q in range(start, end)):
        return None  # "Among 70 patients,": everyone, no subgroup
    group = _group_name(index, start, end)
    return (group, comma, start) if group else None


def _sample_group(index, r, lo, hi):
    """Return the subpopulation a count is of, or None.

    ``751 statin users``, ``44 metastatic``, ``92 in the resection group``,
    ``HSU test dataset (n = 200)``.
    """
    unit = r.fields.get("unit") or ""
    words = unit.lower().split()
    if words and words[-1] in _words("population_noun"):
        return unit
    if r.pattern == "sample_size/enumerated" and index.texts[r.b - 1].isalpha() \
            and r.b < hi and index.lowers[r.b] in (",", "and", ")", ";", "or"):
        return index.texts[r.b - 1]
    k = r.b
    if k + 1 < hi and index.lowers[k] in ("in", "for"):
        end = k + 1
        while end < hi and end - k < 6 and index.lowers[end] not in _GROUP_STOP:
            end += 1
        if index.lowers[end - 1] in _words("group_head"):
            return _group_name(index, k + 1, end)
    return _bracket_group(index, r, lo)


def _after_phrase_group(index, run, lo, hi):
    """``0.989 in the training set``, ``... for SR cytogenetics``: the phrase after a run."""
    lowers = index.lowers
    k = _after_brackets(index, run[-1], hi)
    if k < hi and lowers[k] in (",",) and k + 1 < hi and lowers[k + 1] == "respectively":
        k += 2
    first = run[0]
    changed = first.a - 2 >= lo and lowers[first.a - 1] == "of" \
        and lowers[first.a - 2] in _words("outcome_measure")
    if k + 1 < hi and lowers[k] in _GROUP_PREPOSITIONS and k + 1 not in \
            index.covered["TIMEPOINT"] and not _purpose(index, k, hi) and not changed:
        phrase = _phrase(index, k + 1, hi)  # not "a reduction of 5.2% in the passive drag"
        if phrase and (phrase.split()[-1].lower() in _DURATION_NOUNS
                       or unit_days(phrase.split()[-1]) is not None):
            return None  # "6-10% in the whole period", "in the second treatment week": a time
        end = k + 1
        while end < hi and end - k <= 6 and lowers[end] not in _GROUP_STOP:
            end += 1
        return _abbreviation_after(index, end) or phrase  # "in multiple fractions (MF)"
    if k + 1 < hi and lowers[k] == "after" and _is_abbreviation(index.texts[k + 1]):
        return index.texts[k + 1]  # "24% retreatment after SF vs. 6% after MF"
    if k + 1 < hi and lowers[k] in ("from", "of"):
        end = k + 1
        while end < hi and end - k <= 5 and lowers[end] not in _GROUP_STOP \
                and lowers[end - 1] not in _words("group_head"):
            end += 1
        if lowers[end - 1] in _words("group_head"):
            return _group_name(index, k + 1, end)  # "166 (81.0%) patients from the X group"
    return None


def _is_abbreviation(word):
    """Tell whether a word is an abbreviation in capitals: ``SF``, ``MWA``."""
    return len(word) > 1 and word.isupper() and word.isalpha()


def _arm_after(index, r, hi):
    """Return the arm named by its abbreviation right after a value, or None.

    ``35% SF vs. 8% MF nonresponders``, ``8 Gy single fraction (SF)``.
    """
    k = r.b
    nxt = index.lowers[k + 1] if k + 1 < hi else ""
    if r.stat == "proportion" and k < hi and _is_abbreviation(index.texts[k]) \
            and (nxt in _VERSUS or nxt in ("and", "or", ",", ";", ")") or nxt.endswith("s")
                 and nxt.isalpha() and nxt not in _MODIFIER_STOP) \
            and k not in index.covered["UNIT"] \
            and k not in index.covered["COUNT_NOUN"] and k not in index.covered["STAT_KEYWORD"] \
            and k not in index.covered["OUTCOME"]:
        return index.texts[k]
    if r.stat != "quantity":
        return None
    end = k
    while end < hi and end - k < 3 and index.texts[end].isalpha() \
            and index.lowers[end] not in _MODIFIER_STOP:
        end += 1
    return _abbreviation_after(index, end) if end > k else None


def _possessor(index, r, lo):
    """Return whose value it is: ``the Caucasian women's threshold of 80 mg/mL``."""
    lowers = index.lowers
    for q in range(r.a - 1, max(lo, r.a - 5) - 1, -1):
        if lowers[q] in ("'s", "’s") and q - 1 >= lo:
            start = _np_before(index, q, lo, limit=3)
            return _group_name(index, start, q) if start < q else None
        if lowers[q] in _BOUNDARY or index.numbers[q] is not None:
            return None
    return None


def _quantity_group(index, r, lo):
    """Return the group a quantity in brackets follows: ``the music group (0.110 ng/mL)``."""
    opener = _opener(index, r.a, lo, window=3)
    if opener is None or opener - 1 < lo or index.lowers[opener - 1] not in _words("group_head"):
        return None
    return _bracket_group(index, r, lo)


def _lookback_group(index, run, lo, hi):
    """Return the population named before a run of values, or a list of one for each.

    ``survival rates for patients with HR cytogenetics as 87%``, ``of FCT in patients
    with symptoms from only upper abdomen was 100%``.
    """
    lowers = index.lowers
    for m in range(run[0].a - 1, max(lo, run[0].a - 12) - 1, -1):
        if index.numbers[m] is not None or lowers[m] in (";", "(", ")", ","):
            return None
        if lowers[m] in ("in", "with"):
            listed = _distributed(index, run, m + 1, hi)
            if listed and any(lowers[q] in _words("group_head") for q in range(m + 1, run[0].a)):
                return listed  # "in the RFA and MWA groups were 24.2% and 16.5%, respectively"
        if lowers[m] in ("for", "among", "amongst") and not _purpose(index, m, hi) \
                or lowers[m] == "in" and m + 2 < hi and lowers[m + 1] in ("patients", "those") \
                and lowers[m + 2] == "with":
            listed = _distributed(index, run, m + 1, hi)
            if listed:
                return listed
            if _subject_part(index, m, run[0].a):
                return None  # "requests for ARBs declined by 48.6%": part of the subject
            if m - 1 >= lo and lowers[m] == "for" and index.covered["STAT_KEYWORD"].get(
                    m - 1, (0, 0, ""))[2] in _RATIO_STATS:
                return None  # "odds ratio for global recovery 1.03": the outcome
            if _listed_names(index, m + 1, run[0].a):
                return None  # "in the placebo, vitamin A and beta carotene groups": not one
            return _phrase(index, m + 1, hi)
    return None


def _listed_names(index, k, a):
    """Tell whether words from ``k`` list several names (``A, B and C groups``)."""
    lowers = index.lowers
    return sum(1 for q in range(k, a) if lowers[q] in (",", "and")) >= 2 or any(
        lowers[q] == "," and q + 1 < a and index.texts[q + 1].isalpha() for q in range(k, a))


def _subject_part(index, m, a):
    """Tell whether the phrase after ``m`` belongs to the subject of a verb.

    ``requests for ARBs declined by 48.6%`` (a verb in -ed follows), ``for a mean duration
    of 8.8 weeks``; not ``survival rates for HR cytogenetics were 87%`` (a group).
    """
    lowers = index.lowers
    k = m + 1
    while k < a and lowers[k] in ("the", "a", "an"):
        k += 1
    if k < a and index.covered["STAT_KEYWORD"].get(k, (0, 0, ""))[2] in ("mean", "median"):
        return True
    if k + 1 < a and lowers[k] in ("patients", "those"):
        return False  # "for patients with HR cytogenetics as 87%": a population
    return any(lowers[q].endswith("ed") and len(lowers[q]) > 4 and lowers[q - 1] != "-"
               for q in range(m + 2, a))


def _distributed(index, run, k, hi):
    """``for PDA-Alpha and PDA-Beta were 0.993 and 0.986, respectively``: one name a value.

    Returns a list of names, one for each row of the run, or None.
    """
    if len(run) < 2 or "respectively" not in index.lowers[run[-1].b:min(hi, run[-1].b + 20)]:
        return None
    names, start = [], k
    for q in range(k, run[0].a):
        t = index.lowers[q]
        if t in (",", "and") or t in _GROUP_STOP:
            if q > start:
                names.append(_group_name(index, start, q))
            start = q + 1
            if t not in (",", "and"):
                break
    if len(names) != len(run) or not all(names):
        return None
    return names


def _keyword_owner(index, r, lo):
    """Return whose figure a statistic is: ``The AUC of CNN was 0.87``, ``The physicians'``."""
    lowers = index.lowers
    cover = index.covered["STAT_KEYWORD"]
    k = r.a - 1
    while k >= lo and r.a - k <= 4 and lowers[k] in _words("link_verb") | {"of", ":", "="}:
        k -= 1
    hit = None
    for q in range(k, max(lo, k - 8) - 1, -1):
        if q in cover:
            hit = cover[q]
            break
        if index.numbers[q] is not None or lowers[q] in _BOUNDARY:
            return None
    if hit is None:
        return None
    start, end = hit[0], hit[1]
    while start - 2 >= lo and lowers[start - 1] in ("and", ",") and start - 2 in cover:
        start = cover[start - 2][0]  # "The physicians' sensitivity and specificity were"
    if start - 1 >= lo and lowers[start - 1] in ("’", "'", "'s", "’s"):
        first = _np_before(index, start - 1, lo, limit=3)
        return _group_name(index, first, start - 1) if first < start - 1 else None
    if hit[2] == r.stat and r.stat in _DIAGNOSTIC | {"icc", "kappa"} \
            and end + 1 < r.a and lowers[end] == "of" \
            and lowers[end + 1] not in ("the", "a", "an") \
            and index.numbers[end + 1] is None:
        last = end + 1
        while last < r.a and last - end <= 3 and lowers[last] not in _GROUP_STOP \
                and lowers[last] not in _words("link_verb"):
            last += 1
        if lowers[last] in _words("link_verb") and not _is_context_word(index, end + 1, last):
            return _group_name(index, end + 1, last)
    return None


def _labelled_subject(index, r, lo):
    """Return the group that ``had`` or ``achieved`` a value.

    ``Group 1 had 34.6%``, ``The present score achieved a sensitivity of 0.78``.
    """
    lowers, cover = index.lowers, index.covered["STAT_KEYWORD"]
    k = r.a - 1
    keyword = k >= lo and lowers[k] == "of" and k - 1 in cover
    if keyword:
        k = cover[k - 1][0] - 1  # "achieved a sensitivity of 0.78"
        while k >= lo and lowers[k] in ("a", "an", "the"):
            k -= 1
    if k < lo or lowers[k] not in _POSSESSING | {"yielded", "reached", "obtained"}:
        return None
    if k - 2 >= lo and lowers[k - 2] in _words("group_head") and (
            index.numbers[k - 1] is not None or _group_letter(index, k - 1)):
        return _span_text(index, k - 2, k)  # "Group 1 had"
    if not keyword:
        return None  # "The procedure demonstrated 100% technical success": no group
    start = _np_before(index, k, lo, limit=3)
    first = start - 1 if start - 1 >= lo and lowers[start - 1] in ("the", "a", "an") else start
    if start == k or first > lo and lowers[first - 1] not in _BOUNDARY:
        return None  # only the subject that opens its clause
    if _is_context_word(index, start, k):
        return None
    return _group_name(index, start, k)


def _estimate_groups(index, r, lo, hi):
    """``between the MWA group and the HRN group (HR =0.98``: the pair an estimate compares."""
    lowers = index.lowers
    if r.stat == "mean_difference" and r.a - 1 > lo and lowers[r.a - 1] == "by":
        by = _difference_by(index, r, lo)
        if by:
            return by
    for q in range(r.a - 1, max(lo, r.a - 60) - 1, -1):
        if lowers[q] == ";":
            return None
        if lowers[q] == "between":
            and_at = next((k for k in range(q + 1, min(r.a, q + 8)) if lowers[k] == "and"), None)
            if and_at is None:
                return None
            end = and_at + 1
            while end < r.a and end - and_at <= 5 and lowers[end] not in _NP_END \
                    and lowers[end] not in ("with", "(", "[", ","):
                end += 1
            a, b = _group_name(index, q + 1, and_at), _group_name(index, and_at + 1, end)
            if a and b and not _is_context_word(index, q + 1, end):
                return f"{a} vs {b}"
            return None
        if lowers[q] == "than":
            return _than_groups(index, q, r.a, lo)
    return None


def _difference_by(index, r, lo):
    """Return the pair a difference stated ``by`` a value compares, as ``A vs B``.

    ``larger with partial tears (2.5 ± 4.9) than normal ACLs by 4.5°, complete tears by
    4.5°``: the group before ``than`` against the one named before ``by``.
    """
    lowers = index.lowers
    start = _np_before(index, r.a - 1, lo, limit=4)
    if start == r.a - 1:
        return None
    second = _group_name(index, start, r.a - 1)
    than = next((q for q in range(r.a - 2, max(lo, r.a - 40) - 1, -1) if lowers[q] == "than"),
                None)
    if than is None or not second:
        return None
    end = than
    if index.texts[end - 1] in (")", "]"):
        end = next((q for q in range(end - 1, max(lo, end - 12) - 1, -1)
                    if index.texts[q] in ("(", "[")), end)
    q = next((q for q in range(end - 1, max(lo, end - 6) - 1, -1)
              if lowers[q] in ("with", "in", "for", "among")), None)
    first = _group_name(index, q + 1, end) if q is not None else None
    return f"{first} vs {second}" if first else None


def _than_groups(index, than, a, lo):
    """``in the RF group were lower than those in the conservative treatment group``."""
    lowers = index.lowers
    heads = _words("group_head")
    k = than + 1
    while k < a and lowers[k] in ("those", "that", "in", "of", "with", "the"):
        k += 1
    end = next((q + 1 for q in range(k, min(a, k + 5)) if lowers[q] in heads), None)
    if end is None:
        return None
    second = _group_name(index, k, end)
    for q in range(than - 1, max(lo, than - 12) - 1, -1):
        if lowers[q] in heads and q - 1 >= lo:
            start = q
            while start - 1 >= lo and q - start < 4 and lowers[start - 1] not in _MODIFIER_STOP \
                    and lowers[start - 1] not in _BOUNDARY:
                start -= 1
            first = _group_name(index, start, q + 1)
            if first and second and lowers[start - 1] in ("in", "the"):
                return f"{first} vs {second}"
            return None
    return None


def _compared_in(index, a, lo):
    """Return the two groups a comparison before a p-value names, as ``A vs B``.

    ``higher in the faculty members than the senior and junior residents (P``.
    """
    lowers = index.lowers
    c = next((k for k in range(a - 1, max(lo, a - 25) - 1, -1) if lowers[k] in _COMPARED), None)
    if c is None or c + 2 >= a or lowers[c + 1] not in ("in", "among", "with", "for"):
        return None
    than = next((k for k in range(c + 2, min(a, c + 9)) if lowers[k] in ("than", "compared")),
                None)
    if than is None:
        return None
    first = _group_name(index, c + 2, than)
    k = than + 1
    while k < a and lowers[k] in ("to", "with", "those", "that", "in", "of", "the"):
        k += 1
    end = k
    while end < a and end - k < 5 and lowers[end] not in _NP_END and lowers[end] not in \
            ("(", "[", ","):
        end += 1
    second = _group_name(index, k, end) if end > k else None
    if first and second and not _is_context_word(index, c + 2, end):
        return f"{first} vs {second}"
    return None


def _after_brackets(index, row, hi):
    """Return the token after the brackets a row leaves open (``0.91 (95% CI; p = .01) for``)."""
    depth = 0
    for t in index.texts[row.a:row.b]:
        depth += t in ("(", "[")
        depth -= t in (")", "]")
    k = row.b
    while depth > 0 and k < hi and k - row.b < 15:
        depth += index.texts[k] in ("(", "[")
        depth -= index.texts[k] in (")", "]")
        k += 1
    return k if depth <= 0 else row.b


def _purpose(index, k, hi):
    """``for classifying osteoporosis``: ``for`` with a verb in -ing says what for, not whom."""
    w = index.lowers[k + 1] if k + 1 < hi else ""
    after = index.lowers[k + 2] if k + 2 < hi else ""
    return index.lowers[k] == "for" and w.endswith("ing") and after not in _words("group_head")


def _vs_pairs(index, main):
    """Return pairs of values compared with ``vs.`` that are no list of their own.

    ``(-29.5 ± 23.3% vs. -17.2 ± 19.6%``: the percent signs keep them apart as a run.
    """
    pairs = []
    units = index.covered["UNIT"]
    for a, b in zip(main, main[1:], strict=False):
        gap = range(a.b, b.a)
        if a.stat != b.stat or not 0 < len(gap) <= 4 \
                or not any(index.lowers[q] in _VERSUS for q in gap):
            continue
        if all(index.lowers[q] in _VERSUS or index.lowers[q] in ("%", ",") or q in units
               for q in gap):
            pairs.append([a, b])
    return pairs


def _assign_groups(index, main, runs, lo, hi):
    intro = _intro_group(index, lo, hi)
    for pair in _vs_pairs(index, main):
        if all(len(run) == 1 for run in runs if run[0] in pair):
            _pair_groups(index, pair, lo, hi)
    for run in runs:
        for r, group in zip(run, _run_groups(index, run, intro, lo, hi), strict=True):
            if group:
                r.fields.setdefault("group", group)
    _share_bracket_group(index, main, hi)


def _share_bracket_group(index, main, hi):
    """Give the group of a count in brackets to the values that follow it there.

    ``testing dataset only (n = 100; age 62.5 ± 5.2; male 55%)``: all of the testing set.
    """
    for k, r in enumerate(main):
        if r.stat != "sample_size" or index.lowers[r.a] not in ("n", "total") \
                or "group" not in r.fields:
            continue
        depth = 1
        for other in main[k + 1:k + 12]:
            depth += sum(t in ("(", "[") for t in index.texts[r.b:other.a]) \
                - sum(t in (")", "]") for t in index.texts[r.b:other.a])
            if depth <= 0:
                break
            other.fields.setdefault("group", r.fields["group"])


def _run_groups(index, run, intro, lo, hi):
    """Return the group of each row of a run of values (None where none is named)."""
    first = run[0]
    if first.stat == "sample_size":
        # "In two clinical trials where ...": a count inside the phrase is no member of it.
        return [_sample_group(index, r, lo, hi)
                or (intro[0] if intro and (r.a > intro[1] or r.b <= intro[2]) else None)
                for r in run]
    if first.stat not in ("icc", "kappa", "correlation"):
        if _pair_groups(index, run, lo, hi):
            return [None] * len(run)
        group = _after_phrase_group(index, run, lo, hi)
        if group:
            return [group] * len(run)
    arms = [_arm_after(index, r, hi) or _possessor(index, r, lo) for r in run]
    if any(arms):
        return arms
    if intro is not None and first.a > intro[1]:
        return [intro[0]] * len(run)
    if first.stat == "quantity":
        # A dose or size names its arm by brackets or an opening phrase only:
        # "in recommended doses (125 mg/day)" is no group.
        return [_quantity_group(index, r, lo) for r in run]
    found = _lookback_group(index, run, lo, hi)
    if found:
        return found if isinstance(found, list) else [found] * len(run)
    owners = [_keyword_owner(index, r, lo) or _labelled_subject(index, r, lo) for r in run]
    if any(owners):
        return [next(o for o in owners if o)] * len(run)
    if first.stat in _RATIO_STATS:
        pairs = [_estimate_groups(index, r, lo, hi) for r in run]
        if any(pairs):
            return pairs
    if len(run) == 2 and any(t in ("vs", "vs.", "versus") for t in index.lowers[first.b:run[1].a]):
        return [None] * len(run)  # "the NRS score (6.83 vs. 1.67)": the phrase is the outcome
    groups = [_bracket_group(index, r, lo) for r in run]
    if intro is not None:
        # Inside the opening phrase a quantity defines the group ("with a tumor size of
        # ≤ 3 cm"); only what describes its people (age) belongs to it.
        groups = [g or (intro[0] if r.a > intro[1] or r.stat in ("mean", "median") else None)
                  for g, r in zip(groups, run, strict=True)]
    return groups


_VERSUS = {"vs", "vs.", "versus", "v.", "v"}
_RATIO_STATS = {"smd", "mean_difference", "odds_ratio", "risk_ratio", "hazard_ratio"}


def _p_value_context(index, rows, lo):
    """Give p-values the outcome a comparison names and the pair of groups they test."""
    for r in rows:
        if r.stat == "p_value" and "outcome" not in r.fields:
            outcome = _bracket_label(index, r.a, lo) or _comparison_outcome(index, r.a, lo)
            if outcome:
                r.fields["outcome"] = outcome
        if r.stat == "p_value" and "group" not in r.fields:
            group = _compared_in(index, r.a, lo)
            if group:
                r.fields["group"] = group
        if r.stat == "p_value" and r.link is None and "timepoint" not in r.fields:
            _p_timepoint(index, r, lo)
    _compare_p_groups(rows)


def _p_timepoint(index, r, lo):
    """Give a p-value that tests no value of its own the time stated right before it.

    ``better than intra-articular RF at 12 weeks after treatment (P = 0.03)``.
    """
    cover = index.covered["TIMEPOINT"]
    for q in range(r.a - 1, max(lo, r.a - 6) - 1, -1):
        if index.lowers[q] in (";", ")", "]"):
            return
        hit = cover.get(q)
        if hit is not None:
            found = find_timepoints(index, hit[0], hit[1], set())
            if found:
                _set_tp(r, found[-1])
            return


def _opener(index, a, lo, window=10):
    """Return the bracket left open before token ``a`` within ``window`` tokens, or None."""
    depth = 0
    for k in range(a - 1, max(lo, a - window) - 1, -1):
        t = index.texts[k]
        if t in (")", "]"):
            depth += 1
        elif t in ("(", "["):
            if depth == 0:
                return k
            depth -= 1
    return None


def _bracket_label(index, a, lo):
    """``(VAS/NRS score, all P < 0.001)``: a label opening the brackets of a p-value."""
    opener = _opener(index, a, lo)
    if opener is None:
        return None
    comma = next((k for k in range(opener + 1, a) if index.lowers[k] == ","), None)
    if comma is None or comma - opener - 1 > 4 or comma == opener + 1:
        return None
    if any(index.numbers[k] is not None or not index.texts[k][0].isalnum() and
           index.texts[k] not in ("/", "-") for k in range(opener + 1, comma)):
        return None
    if _is_context_word(index, opener + 1, comma) and not any(
            k in index.covered["OUTCOME"] for k in range(opener + 1, comma)):
        return None
    return _span_text(index, opener + 1, comma)


def _compare_p_groups(rows):
    """Give a p-value that tests a pair of groups both of them: ``RFA vs MWA``."""
    by_link = {}
    for r in rows:
        if r.stat != "p_value" and r.fields.get("group"):
            by_link[id(r)] = r
    main = [r for r in rows if r.stat != "p_value"]
    position = {id(m): i for i, m in enumerate(main)}
    for r in rows:
        if r.stat != "p_value" or r.link is None or id(r.link) not in by_link:
            continue
        k = position.get(id(r.link))
        if not k:
            continue
        prev = main[k - 1]
        mine, other = r.link.fields["group"], prev.fields.get("group")
        if r.link.stat in _RATIO_STATS or r.link.stat == "coefficient":
            continue  # "HR 0.85 ... for SMA and HR 0.91 ... for SMD": each its own comparison
        if other and other != mine and prev.stat == r.link.stat \
                and " vs " not in mine and " vs " not in other:
            r.fields["group"] = f"{other} vs {mine}"
